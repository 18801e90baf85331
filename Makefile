# SPDX-License-Identifier: GPL-2.0
#
# hvisor_vhost: build, test and demo entry points. Run make in this directory.
#
#   make [KDIR=dir] [ARCH=arch] [CROSS_COMPILE=prefix]
#        builds hvisor_vhost.ko and hvisor_sim.ko (W=1, warnings are errors)
#        and the tools (one static binary per tools/<tool>/ directory):
#        kernel headers (KDIR) and a C compiler are all it needs
#   make install [DESTDIR=dir] [PREFIX=/usr]  the product: hvisor_vhost.ko
#        (not the simulator) in /lib/modules/<release>/updates/, hvisorctl,
#        hvisorctl(8), the systemd unit and the modprobe.d example
#   make ksft          the kselftest programs (one per selftests/ksft/*.c;
#                      their harness comes from linux-source, downloaded)
#   make check         everything on x86_64 with Debian's 6.1 kernel (QEMU)
#   make check-612     ... with Debian's 6.12 kernel
#   make check-arm64   cross-built, arm64 Debian 6.1 kernel, ksft programs only
#   make check-debug   x86_64 KASAN/lockdep/kmemleak/UBSAN kernel (built once)
#   make check-riscv   compile check against a riscv64 linux-source-6.1 tree
#   make native        zone.c, vq.c, mmio.c and hvisorctl's parsers in
#                      userspace: unit tests and 10 s per fuzz target, under
#                      ASan and UBSan (selftests/native; no VM, no kernel)
#   make fuzz [FUZZ_SECONDS=600]  every fuzz target for that long
#   make lint | demo | bench | deps | clean     (demo installs its packages
#                      as make check does, unless HV_NO_DEPS=1)
#   TESTS=name1,name2  restricts the check targets to these tests
#
# KDIR defaults to /lib/modules/$(uname -r)/build when ARCH is the host's and
# that exists, else to Debian's headers fetched into the cache
# (selftests/lib/lane.sh). Outputs: build/<arch>-<kernel release>/ (module
# build tree; ko/ holds the modules) and build/bin-<arch>/ (programs).

SRC := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
LIB := $(SRC)/selftests/lib

norm_arch = $(strip $(if $(filter x86 x86_64 amd64,$(1)),x86_64,\
	$(if $(filter arm64 aarch64,$(1)),arm64,\
	$(if $(filter riscv riscv64,$(1)),riscv64,$(1)))))
HOST_ARCH := $(call norm_arch,$(shell uname -m))
ARCH ?= $(HOST_ARCH)
HV_ARCH := $(call norm_arch,$(ARCH))
KARCH := $(patsubst x86_64,x86,$(patsubst riscv64,riscv,$(HV_ARCH)))
ifneq ($(HV_ARCH),$(HOST_ARCH))
CROSS_COMPILE ?= $(patsubst arm64,aarch64,$(HV_ARCH))-linux-gnu-
endif

# Evaluated at most once, and only by targets that need a kernel.
ifeq ($(origin KDIR),undefined)
KDIR = $(eval KDIR := $(shell $(LIB)/lane.sh --var KDIR $(HV_ARCH) default))$(KDIR)
else
override KDIR := $(abspath $(KDIR))
endif
KVER = $(eval KVER := $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h))$(or $(KVER),$(error no kernel release in KDIR=$(KDIR)))
BUILD = $(eval BUILD := $(SRC)/build/$(HV_ARCH)-$(KVER))$(BUILD)
BIN := $(SRC)/build/bin-$(HV_ARCH)
KSFT_INC := $(SRC)/build/ksft-include

UCC := $(CROSS_COMPILE)gcc
UCFLAGS := -O2 -Wall -Wextra -Werror -static -I$(SRC)/include/uapi
UAPI := $(wildcard include/uapi/linux/*.h)
TOOL_NAMES := $(sort $(patsubst tools/%/,%,$(dir $(wildcard tools/*/*.c))))
TOOLS := $(addprefix $(BIN)/,$(TOOL_NAMES))
KSFT := $(patsubst selftests/ksft/%.c,$(BIN)/%,$(wildcard selftests/ksft/*.c))
MODSRC := $(addprefix $(SRC)/./,Kbuild hvisor_vhost hvisor_sim include)

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all modules fixtures tools ksft check check-612 check-arm64 \
	check-debug check-riscv native fuzz lint demo bench deps clean \
	install modules-dkms

all: modules tools

modules:
	@echo "  MODULES $(HV_ARCH) $(KVER)"
	$(Q)KDIR=$(KDIR) KARCH=$(KARCH) CROSS_COMPILE=$(CROSS_COMPILE) \
		$(LIB)/kbuild.sh $(BUILD)/src $(MODSRC)
	$(Q)mkdir -p $(BUILD)/ko && cp $(BUILD)/src/hvisor_*/*.ko $(BUILD)/ko/

# Test-only modules for the bed's self-tests; never part of the product.
fixtures:
	$(Q)KDIR=$(KDIR) KARCH=$(KARCH) CROSS_COMPILE=$(CROSS_COMPILE) \
		$(LIB)/kbuild.sh $(BUILD)/fixtures $(SRC)/selftests/fixtures/./

tools: $(TOOLS)
ksft: $(KSFT)

$(BIN):
	$(Q)mkdir -p $@

.SECONDEXPANSION:
$(TOOLS): $(BIN)/%: $$(wildcard tools/%/*.c tools/%/*.h) $(UAPI) | $(BIN)
	@echo "  CC      $@"
	$(Q)$(UCC) $(UCFLAGS) -Itools/$* -o $@ $(filter %.c,$^)

$(KSFT): $(BIN)/%: selftests/ksft/%.c $(wildcard selftests/ksft/*.h) $(UAPI) \
		$(KSFT_INC)/kselftest_harness.h | $(BIN)
	@echo "  CC      $@"
	$(Q)$(UCC) $(UCFLAGS) -isystem $(KSFT_INC) -Iselftests/ksft -Iselftests/lib -o $@ $<

# The kselftest headers come from Debian's linux-source package (cached).
$(KSFT_INC)/kselftest_harness.h:
	$(Q)mkdir -p $(KSFT_INC)
	$(Q)src=$$($(LIB)/fetch-source.sh) && \
		cp $$src/tools/testing/selftests/kselftest.h \
		   $$src/tools/testing/selftests/kselftest_harness.h $(KSFT_INC)/

check:
	@$(SRC)/selftests/check --arch x86_64 --kernel debian
check-612:
	@$(SRC)/selftests/check --arch x86_64 --kernel debian-6.12
check-arm64:
	@$(SRC)/selftests/check --arch arm64 --kernel debian
check-debug:
	@$(SRC)/selftests/check --arch x86_64 --kernel debug
check-riscv:
	@$(SRC)/selftests/check --arch riscv64 --kernel source

native:
	@$(SRC)/selftests/native/run.sh check
FUZZ_SECONDS ?= 600
fuzz:
	@$(SRC)/selftests/native/run.sh fuzz $(FUZZ_SECONDS)

lint:
	@$(LIB)/lint.sh

demo:
	@[ -n "$(HV_NO_DEPS)" ] || $(LIB)/install-deps.sh x86_64 debian
	@if [ -e selftests/demo.sh ]; then \
		$(SRC)/selftests/vm-run --timeout 900 -- bash selftests/demo.sh; \
	else \
		$(SRC)/selftests/vm-run -- sh -c \
			'set -x; ls -l /dev/hvisor_vhost /sys/class/hvisor; lsmod'; \
	fi

bench:
	@set -e; benches='$(wildcard selftests/bench/*.sh)'; \
	[ -n "$$benches" ] || { echo "no benchmarks yet (selftests/bench/*.sh)"; exit 0; }; \
	for b in $$benches; do \
		echo "== $$b"; \
		$(SRC)/selftests/vm-run --timeout 3600 -- bash $$b; \
	done

deps:
	@$(LIB)/install-deps.sh x86_64 arm64 riscv64 debug

# Installing: the product only. DESTDIR stages it (no depmod then).
DESTDIR ?=
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/hvisor_vhost
UNITDIR ?= /lib/systemd/system
INSTALL_MOD_DIR ?= updates
KO_DEST = $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)

install: modules $(BIN)/hvisorctl
	install -D -m 0644 $(BUILD)/ko/hvisor_vhost.ko $(KO_DEST)/hvisor_vhost.ko
	install -D -m 0755 $(BIN)/hvisorctl $(DESTDIR)$(SBINDIR)/hvisorctl
	install -D -m 0644 Documentation/hvisorctl.8 $(DESTDIR)$(MANDIR)/man8/hvisorctl.8
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/hvisor-vhost.service.in >$(BUILD)/hvisor-vhost.service
	install -D -m 0644 $(BUILD)/hvisor-vhost.service $(DESTDIR)$(UNITDIR)/hvisor-vhost.service
	install -D -m 0644 packaging/hvisor_vhost.modprobe.conf \
		$(DESTDIR)$(DOCDIR)/examples/modprobe.d/hvisor_vhost.conf
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); \
	else echo "  (staged in $(DESTDIR): run depmod -a $(KVER) where it is installed)"; fi

# For dkms.conf: the product module where DKMS looks for it.
modules-dkms: modules
	$(Q)mkdir -p $(SRC)/build/dkms && cp $(BUILD)/ko/hvisor_vhost.ko $(SRC)/build/dkms/

clean:
	rm -rf $(SRC)/build
