#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of hvisorctl's success paths and of "load" rollback,
# against a fake of the hvisor_vhost ioctls: hvisorctl is rebuilt from the
# sources with ioctl() wrapped (ld --wrap) by a small fake kernel whose
# state lives in a file and is mirrored into a fake /sys/class/hvisor. The
# fake also checks that hvisorctl zeroes padding and reserved fields and
# passes backend fds opened with the right mode. A second hvisorctl is
# built as the next API version would be, to meet the fake as an older
# module.
#
# Usage: hvisorctl_fake.sh [CC]   (needs a C compiler; default cc)

set -u

CC=${1:-${CC:-cc}}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
API=$(sed -n 's/^#define HVV_API_VERSION[[:space:]]*\([0-9]*\)$/\1/p' \
	"$SRC/include/uapi/linux/hvisor_vhost.h")
command -v "$CC" >/dev/null || { echo "$0: no C compiler ($CC)" >&2; exit 2; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2

cat >fake.c <<'EOF'
// SPDX-License-Identifier: GPL-2.0
/* A fake hvisor_vhost behind ioctl(), for hvisorctl tests. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/hvisor_vhost.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#define MAXD 300
#define MAX_CONSOLES 64		/* console.c: HV_CONSOLE_MAX */

struct fdev {
	char name[HVV_NAME_LEN];
	unsigned int type, zone, irq, index, flags, status;
	unsigned long long addr, len;
	char backend[256];
};

static int zones[HVV_MAX_ZONE_ID + 1];
static struct fdev devs[MAXD];
static int nr, nadds;
/* The tap each fd of this process attached to (TUNSETIFF). */
static char tap_of_fd[1024][IFNAMSIZ];

int __real_ioctl(int fd, unsigned long req, ...);

static const char *tname(unsigned int t)
{
	return t == HVV_DEV_NET ? "net" : t == HVV_DEV_BLK ? "blk" : "console";
}

static void flog(const char *fmt, ...)
{
	const char *p = getenv("FAKE_LOG");
	va_list ap;
	FILE *f;

	if (!p || !(f = fopen(p, "a")))
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static void load(void)
{
	FILE *f = fopen(getenv("FAKE_STATE"), "r");
	char line[512];
	struct fdev *d;
	int z;

	memset(zones, 0, sizeof(zones));
	nr = 0;
	nadds = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		d = &devs[nr];
		if (sscanf(line, "zone %d", &z) == 1)
			zones[z] = 1;
		else if (sscanf(line, "adds %d", &nadds) == 1)
			;
		else if (sscanf(line, "dev %31s %u %u %llx %llx %u %u %u %255s",
				d->name, &d->type, &d->zone, &d->addr, &d->len,
				&d->irq, &d->index, &d->flags, d->backend) == 9)
			nr++;
	}
	fclose(f);
}

static void attr(const char *dir, const char *a, const char *fmt, ...)
{
	char p[512];
	va_list ap;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, a);
	f = fopen(p, "w");
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void save(void)
{
	FILE *f = fopen(getenv("FAKE_STATE"), "w");
	const char *sys = getenv("HVISORCTL_SYSFS");
	char cmd[600], dir[512];
	int i;

	fprintf(f, "adds %d\n", nadds);
	for (i = 1; i <= HVV_MAX_ZONE_ID; i++)
		if (zones[i])
			fprintf(f, "zone %d\n", i);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'; mkdir -p '%s'", sys, sys);
	if (system(cmd))
		abort();
	for (i = 0; i < nr; i++) {
		struct fdev *d = &devs[i];

		fprintf(f, "dev %s %u %u %llx %llx %u %u %u %s\n", d->name,
			d->type, d->zone, d->addr, d->len, d->irq, d->index,
			d->flags, d->backend);
		snprintf(dir, sizeof(dir), "%s/%s", sys, d->name);
		mkdir(dir, 0755);
		attr(dir, "type", "%s\n", tname(d->type));
		attr(dir, "zone", "%u\n", d->zone);
		attr(dir, "addr", "0x%llx\n", d->addr);
		attr(dir, "len", "0x%llx\n", d->len);
		attr(dir, "irq", "%u\n", d->irq);
		attr(dir, "backend", "%s\n", d->backend);
		attr(dir, "status", "0x0\n");
		attr(dir, "device_features", "0x%016llx\n", 0x100000000ULL);
		attr(dir, "driver_features", "0x%016llx\n", 0ULL);
	}
	fclose(f);
}

static int nonzero(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		if (*c++)
			return 1;
	return 0;
}

static struct fdev *find(const char *name)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strncmp(devs[i].name, name, HVV_NAME_LEN))
			return &devs[i];
	return NULL;
}

static int zone_add(struct hvv_zone_config *z)
{
	unsigned int i;

	if (z->zone_id < 1 || z->zone_id > HVV_MAX_ZONE_ID || z->flags ||
	    z->pad || !z->nr_regions || z->nr_regions > HVV_MAX_REGIONS ||
	    nonzero(&z->regions[z->nr_regions],
		    (HVV_MAX_REGIONS - z->nr_regions) * sizeof(z->regions[0])))
		return EINVAL;
	if (zones[z->zone_id])
		return EEXIST;
	zones[z->zone_id] = 1;
	for (i = 0; i < z->nr_regions; i++)
		flog("ZONE_ADD %u 0x%llx:0x%llx:0x%llx", z->zone_id,
		     z->regions[i].gpa, z->regions[i].hpa, z->regions[i].size);
	return 0;
}

static int zone_del(struct hvv_zone_id *z, int reset)
{
	int i;

	if (z->pad || z->zone_id > HVV_MAX_ZONE_ID)
		return EINVAL;
	if (!zones[z->zone_id])
		return ENOENT;
	flog("ZONE_%s %u", reset ? "RESET" : "DEL", z->zone_id);
	if (reset)
		return 0;
	for (i = 0; i < nr; i++)
		if (devs[i].zone == z->zone_id)
			return EBUSY;
	zones[z->zone_id] = 0;
	return 0;
}

/* registry.c's max_zone_irqs, where hvisorctl reads it */
static unsigned int max_zone_irqs(void)
{
	const char *dir = getenv("HVISORCTL_PARAMS");
	unsigned int v = 7;
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/max_zone_irqs", dir ? dir : "");
	f = dir ? fopen(p, "r") : NULL;
	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 7;
		fclose(f);
	}
	return v;
}

/* ctl.c's checks of the union: per-type flags, padding, the rest zero */
/* Is @fd one of the first @n of @fds? */
static int has_fd(const __s32 *fds, int n, __s32 fd)
{
	while (n--)
		if (fds[n] == fd)
			return 1;
	return 0;
}

static int part_ok(const struct hvv_dev_config *d)
{
	size_t size;

	if (d->type == HVV_DEV_BLK) {
		size = sizeof(d->blk);
		if (d->blk.flags & ~HVV_BLK_F_ALL)
			return 0;
	} else if (d->type == HVV_DEV_NET) {
		size = sizeof(d->net);
		if (d->net.flags & ~HVV_NET_F_ALL ||
		    nonzero(d->net.pad, sizeof(d->net.pad)))
			return 0;
	} else {
		size = sizeof(d->console);
		if (d->console.flags || d->console.pad)
			return 0;
	}
	return !nonzero((const char *)d->reserved + size,
			sizeof(d->reserved) - size);
}

/*
 * @u: the caller's structure of @usize bytes (the ioctl number's size).
 * FAKE_TAIL: the caller set a field appended past this module's
 * structure (hvisorctl has no option for one: the fake sets it).
 */
static int dev_add(struct hvv_dev_config *u, size_t usize)
{
	const char *fail = getenv("FAKE_FAIL_ADD");
	size_t ksize = sizeof(*u);
	struct hvv_dev_config c, *d = &c;
	struct fdev *n = &devs[nr];
	char link[64], serial[HVV_SERIAL_LEN + 1];
	unsigned int idx = 0, in_zone = 0, consoles = 0;
	unsigned char mac[6];
	int i, mode;

	if (getenv("FAKE_TAIL") && usize > ksize)
		((char *)u)[usize - 1] = 1;
	/* the uapi's size convention, as copy_struct_from_user() */
	if (usize < HVV_DEV_CONFIG_SIZE_VER0)
		return EINVAL;
	if (usize > ksize && nonzero((char *)u + ksize, usize - ksize))
		return E2BIG;
	memset(&c, 0, sizeof(c));
	memcpy(&c, u, usize < ksize ? usize : ksize);
	if (d->pad || nonzero(d->name, sizeof(d->name)) || d->index ||
	    d->type < 1 || d->type > 3 || (d->flags & ~HVV_DEV_F_ALL) ||
	    !part_ok(d))
		return EINVAL;
	if (!zones[d->zone_id])
		return ENOENT;
	if (fail && ++nadds == atoi(fail))
		return getenv("FAKE_ERRNO") ? atoi(getenv("FAKE_ERRNO")) : ENOSPC;
	for (i = 0; i < nr; i++) {
		/* the errnos of hvisor_vhost/registry.c */
		if (devs[i].zone == d->zone_id &&
		    d->addr < devs[i].addr + devs[i].len &&
		    devs[i].addr < d->addr + d->len)
			return EADDRINUSE;
		if (devs[i].zone == d->zone_id && devs[i].irq == d->irq)
			return EBUSY;
		if (devs[i].type == d->type && devs[i].index >= idx)
			idx = devs[i].index + 1;
		in_zone += devs[i].zone == d->zone_id;
		consoles += devs[i].type == HVV_DEV_CONSOLE;
	}
	/* registry.c's irq budget, then console.c's index allocator */
	if (in_zone + 1 > max_zone_irqs() ||
	    (d->type == HVV_DEV_CONSOLE && consoles >= MAX_CONSOLES))
		return ENOSPC;
	if (nr >= MAXD)
		return ENOMEM;
	memset(n, 0, sizeof(*n));
	strcpy(n->backend, "-");
	if (d->type == HVV_DEV_CONSOLE) {
		if (d->backend_fd != -1)
			return EBADF;
	} else if (d->type == HVV_DEV_NET && d->queues > 1) {
		/* a queue of one tap per pair, each once, as net_dev.c has it */
		const __s32 *fds = (const void *)(unsigned long)d->net.tap_fds;

		if (d->backend_fd != -1 || !fds)
			return EINVAL;
		for (i = 0; i < (int)d->queues; i++) {
			if (fds[i] < 0 || fds[i] >= 1024 || !tap_of_fd[fds[i]][0])
				return EBADF;
			if (strcmp(tap_of_fd[fds[i]], tap_of_fd[fds[0]]) ||
			    has_fd(fds, i, fds[i]))
				return EINVAL;
		}
		strcpy(n->backend, tap_of_fd[fds[0]]);
		flog("TAP_FDS %u of %s", d->queues, n->backend);
	} else {
		mode = fcntl(d->backend_fd, F_GETFL);
		if (mode < 0)
			return EBADF;
		if (d->type == HVV_DEV_BLK &&
		    ((mode & O_ACCMODE) == O_RDONLY) != !!(d->blk.flags & HVV_BLK_F_RO))
			return EBADF;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", d->backend_fd);
		if (readlink(link, n->backend, sizeof(n->backend) - 1) < 0)
			return EBADF;
		/* a net device's backend is its tap's name, as net_dev.c shows it */
		if (d->type == HVV_DEV_NET) {
			if (d->backend_fd >= 1024 || !tap_of_fd[d->backend_fd][0])
				return EBADF;
			strcpy(n->backend, tap_of_fd[d->backend_fd]);
		}
	}
	/* one device per tap (net_dev.c: hvv_net_tap_follow()) */
	for (i = 0; d->type == HVV_DEV_NET && i < nr; i++)
		if (devs[i].type == HVV_DEV_NET &&
		    !strcmp(devs[i].backend, n->backend))
			return EBUSY;
	memset(serial, 0, sizeof(serial));
	memset(mac, 0, sizeof(mac));
	if (d->type == HVV_DEV_BLK)
		memcpy(serial, d->blk.serial, HVV_SERIAL_LEN);
	if (d->type == HVV_DEV_NET) {
		flog("NET mtu=%u", d->net.mtu);
		memcpy(mac, d->net.mac, sizeof(mac));
	}
	/* the per-type flags, which the device keeps */
	n->flags = d->type == HVV_DEV_BLK ? d->blk.flags :
		   d->type == HVV_DEV_NET ? d->net.flags : 0;
	flog("DEV_ADD %s zone=%u addr=0x%llx len=0x%llx irq=%u flags=%u queues=%u serial=%s mac=%02x:%02x:%02x:%02x:%02x:%02x",
	     tname(d->type), d->zone_id, (unsigned long long)d->addr,
	     (unsigned long long)d->len, d->irq, n->flags, d->queues, serial,
	     mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	snprintf(n->name, sizeof(n->name), "%s%u", tname(d->type), idx);
	n->type = d->type;
	n->zone = d->zone_id;
	n->addr = d->addr;
	n->len = d->len;
	n->irq = d->irq;
	n->index = idx;
	nr++;
	memcpy(u->name, n->name, HVV_NAME_LEN);
	u->index = idx;
	return 0;
}

static int dev_del(struct hvv_dev_name *dn)
{
	struct fdev *d = find(dn->name);

	if (!d)
		return ENOENT;
	flog("DEV_DEL %s", d->name);
	*d = devs[--nr];
	return 0;
}

/*
 * The tap side, on the regular file HVISORCTL_TUN names: FAKE_TUN_ERRNO
 * fails TUNSETIFF, FAKE_MTU is the interface's MTU (default 1500; "fail":
 * SIOCGIFMTU fails). A single-queue tap a net device holds is busy, as
 * tun.c has it, until the device is deleted; a multi-queue one takes one
 * more queue at every attach. -1: not a tap ioctl.
 */
static int tun_ioctl(int fd, unsigned long req, void *arg)
{
	const char *mtu = getenv("FAKE_MTU");
	struct ifreq *ifr = arg;
	int i;

	switch (req) {
	case TUNSETIFF:
		flog("TUNSETIFF %.16s 0x%x", ifr->ifr_name,
		     (unsigned int)(unsigned short)ifr->ifr_flags);
		if (getenv("FAKE_TUN_ERRNO"))
			return atoi(getenv("FAKE_TUN_ERRNO"));
		if ((ifr->ifr_flags & ~IFF_MULTI_QUEUE) !=
		    (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
			return EINVAL;
		load();
		for (i = 0; !(ifr->ifr_flags & IFF_MULTI_QUEUE) && i < nr; i++)
			if (devs[i].type == HVV_DEV_NET &&
			    !strncmp(devs[i].backend, ifr->ifr_name, IFNAMSIZ))
				return EBUSY;
		if (fd < 0 || fd >= 1024)
			return EMFILE;
		snprintf(tap_of_fd[fd], IFNAMSIZ, "%.15s", ifr->ifr_name);
		return 0;
	case TUNSETVNETHDRSZ:
		flog("TUNSETVNETHDRSZ %d", *(int *)arg);
		return 0;
	case SIOCGIFMTU:
		if (mtu && !strcmp(mtu, "fail"))
			return ENODEV;
		ifr->ifr_mtu = mtu ? atoi(mtu) : 1500;
		return 0;
	}
	return -1;
}

int __wrap_ioctl(int fd, unsigned long req, void *arg)
{
	unsigned long orig = req;
	struct hvv_version *v = arg;
	struct hvv_dev_info *in = arg;
	struct fdev *d;
	int ret = 0;

	ret = tun_ioctl(fd, req, arg);
	if (ret >= 0) {
		errno = ret;
		return ret ? -1 : 0;
	}
	ret = 0;
	load();
	/* FAKE_EPERM=version|info: the caller lacks CAP_SYS_ADMIN. */
	if (getenv("FAKE_EPERM") &&
	    ((req == HVV_GET_VERSION && !strcmp(getenv("FAKE_EPERM"), "version")) ||
	     (req == HVV_DEV_INFO && !strcmp(getenv("FAKE_EPERM"), "info")))) {
		errno = EPERM;
		return -1;
	}
	/* HVV_DEV_ADD of any size, as the module matches it */
	if ((req & ~_IOC(0, 0, 0, _IOC_SIZEMASK)) == HVV_DEV_ADD_SIZE(0))
		req = HVV_DEV_ADD;
	switch (req) {
	case HVV_GET_VERSION:
		v->api_version = getenv("FAKE_API") ? atoi(getenv("FAKE_API")) :
			HVV_API_VERSION;
		v->max_regions = HVV_MAX_REGIONS;
		return 0;
	case HVV_ZONE_ADD:
		ret = zone_add(arg);
		break;
	case HVV_ZONE_DEL:
		ret = zone_del(arg, 0);
		break;
	case HVV_ZONE_RESET:
		ret = zone_del(arg, 1);
		break;
	case HVV_DEV_ADD:
		ret = dev_add(arg, _IOC_SIZE(orig));
		break;
	case HVV_DEV_DEL:
		ret = dev_del(arg);
		break;
	case HVV_DEV_RESIZE:
		d = find(((struct hvv_dev_name *)arg)->name);
		ret = !d ? ENOENT : d->type != HVV_DEV_BLK ? EOPNOTSUPP : 0;
		break;
	case HVV_DEV_INFO:
		d = find(in->name);
		if (!d) {
			ret = ENOENT;
			break;
		}
		in->type = d->type;
		in->zone_id = d->zone;
		in->addr = d->addr;
		in->len = d->len;
		in->irq = d->irq;
		in->status = 0xf;
		in->device_features = 0x100000000ULL;
		in->driver_features = 0x100000000ULL;
		in->index = d->index;
		in->flags = d->flags;
		break;
	default:
		return __real_ioctl(fd, req, arg);
	}
	save();
	if (ret) {
		errno = ret;
		return -1;
	}
	return 0;
}
EOF

# hvisorctl-next: hvisorctl as one API version newer builds it, whose
# struct hvv_dev_config has a common field appended (the uapi's growth),
# with the fake of this version: a module older than that hvisorctl.
mkdir -p next/linux
sed -e "s/^\(#define HVV_API_VERSION[[:space:]]*\)$API\$/\1$((API + 1))/" \
	-e '/^struct hvv_dev_config {$/,/^};$/s/^};$/\t__u64 next;\n};/' \
	"$SRC/include/uapi/linux/hvisor_vhost.h" >next/linux/hvisor_vhost.h
if [ "$(grep -cxE "#define HVV_API_VERSION[[:space:]]+$((API + 1))|	__u64 next;" \
	next/linux/hvisor_vhost.h)" != 2 ]; then
	echo "$0: cannot derive the next API version's header" >&2
	exit 2
fi
cflags=(-O2 -Wall -Werror -Wno-format-truncation -std=gnu99)
if ! "$CC" "${cflags[@]}" -I "$SRC/include/uapi" -c -o fake.o fake.c ||
   ! "$CC" "${cflags[@]}" -I "$SRC/include/uapi" -Wl,--wrap=ioctl \
	-o hvisorctl "$SRC"/tools/hvisorctl/*.c fake.o ||
   ! "$CC" "${cflags[@]}" -I next -I "$SRC/include/uapi" -Wl,--wrap=ioctl \
	-o hvisorctl-next "$SRC"/tools/hvisorctl/*.c fake.o; then
	echo "$0: cannot build hvisorctl with the fake" >&2
	exit 2
fi
BIN=$T/hvisorctl

export HVISORCTL_DEV=$T/ctl HVISORCTL_SYSFS=$T/sys
export FAKE_STATE=$T/state FAKE_LOG=$T/log
# max_zone_irqs, read by hvisorctl and by the fake; the default (7) here
export HVISORCTL_PARAMS=$T/no-such-params
: >"$HVISORCTL_DEV"

pass=0
fail=0

check() {
	local name=$1

	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name" >&2
		printf '  exit %s\n  stdout: %s\n  stderr: %s\n' "$rc" \
			"$(cat out)" "$(cat err)" >&2
	fi
}

run() {
	"$BIN" "$@" >out 2>err
	rc=$?
}

# ok EXPECTED-STDOUT ARGS...
ok() {
	local want=$1

	shift
	run "$@"
	check "hvisorctl $* -> '$want'" \
		eval '[ $rc = 0 ] && [ "$(cat out)" = "$want" ] && [ ! -s err ]'
}

# err RC MESSAGE ARGS...: stderr exactly "hvisorctl: MESSAGE"
err() {
	local want_rc=$1 msg=$2

	shift 2
	run "$@"
	check "hvisorctl $* -> $want_rc '$msg'" \
		eval '[ $rc = $want_rc ] && [ "$(cat err)" = "hvisorctl: $msg" ]'
}

# has FILE LINE: FILE holds exactly this line
has() {
	check "$1 has '$2'" grep -qxF -- "$2" "$1"
}

state() {
	grep -v '^adds' "$FAKE_STATE" | tr '\n' ';'
}

reset() {
	rm -rf "$FAKE_STATE" "$FAKE_LOG" "$HVISORCTL_SYSFS"
	mkdir -p "$HVISORCTL_SYSFS"
}

pg=$(getconf PAGESIZE)
: >disk.img
reset

############################################################ zones, devices

ok "" zone add 1 mem=0x50000000:0x50000000:0x30000000,0x0:0x90000000:$pg
has log "ZONE_ADD 1 0x50000000:0x50000000:0x30000000"
has log "ZONE_ADD 1 0x0:0x90000000:0x$(printf %x "$pg")"
err 2 "zone add 1: EEXIST: File exists (the zone already exists)" \
	zone add 1 mem=0x50000000:0x50000000:0x1000
ok "console0 /dev/ttyHV0" add console zone=1 addr=0xa003800 irq=76
ok "console1 /dev/ttyHV1" add console,addr=0xa003a00,len=0x200,irq=77,zone_id=1
ok "blk0" add blk zone=1 addr=0xa003c00 irq=78 img=disk.img ro=1 serial=SN-1 queues=2
has log "DEV_ADD blk zone=1 addr=0xa003c00 len=0x200 irq=78 flags=1 queues=2 serial=SN-1 mac=00:00:00:00:00:00"
ok "blk1" add blk zone=1 addr=0xa004000 irq=79 img=disk.img
has log "DEV_ADD blk zone=1 addr=0xa004000 len=0x200 irq=79 flags=0 queues=0 serial= mac=00:00:00:00:00:00"
err 2 "add console: EADDRINUSE: Address already in use (window in use: see hvisorctl list, and dmesg for a removed device)" \
	add console zone=1 addr=0xa003900 irq=90
err 2 "add console: EBUSY: Device or resource busy (irq used by another device of the zone, or backend busy)" \
	add console zone=1 addr=0xa005000 irq=76
err 2 "add console: ENOENT: No such file or directory (is the zone added? see hvisorctl zone add)" \
	add console zone=2 addr=0xa003800 irq=76
ok "NAME             TYPE     ZONE ADDR         LEN    IRQ  STATUS BACKEND
blk0             blk      1    0xa003c00    0x200  78   0x0    $T/disk.img
blk1             blk      1    0xa004000    0x200  79   0x0    $T/disk.img
console0         console  1    0xa003800    0x200  76   0x0    -
console1         console  1    0xa003a00    0x200  77   0x0    -" list
ok "name             blk0
type             blk
zone             1
addr             0xa003c00
len              0x200
irq              78
index            0
backend          $T/disk.img
flags            ro
status           0xf ACKNOWLEDGE DRIVER FEATURES_OK DRIVER_OK
device_features  0x0000000100000000
driver_features  0x0000000100000000" info blk0
run info console1
check "info console1 shows its tty" grep -qx 'tty              /dev/ttyHV1' out
ok '{"name": "blk0", "type": "blk", "zone": 1, "addr": "0xa003c00", "len": "0x200", "irq": 78, "index": 0, "backend": "'"$T"'/disk.img", "ro": true, "status": 15, "status_bits": ["ACKNOWLEDGE", "DRIVER", "FEATURES_OK", "DRIVER_OK"], "device_features": "0x0000000100000000", "driver_features": "0x0000000100000000", "stats": null}' \
	info --json blk0
run info console1 --json
check "info --json console1: its tty" grep -qF '"index": 1, "tty": "/dev/ttyHV1", "backend": null, "ro": false,' out
# (the fake's sysfs has no stats/: the e2e test sees the module's)
"$BIN" info --json console1 >i.json && "$BIN" __json-check i.json >/dev/null
check "info --json is valid JSON" test $? = 0
err 2 "info blk9: ENOENT: No such file or directory (no such device, see hvisorctl list)" info blk9
# Without CAP_SYS_ADMIN (HVV_GET_VERSION or HVV_DEV_INFO refused with
# EPERM), info shows what sysfs shows: all but the flags.
for e in version info; do
	FAKE_EPERM=$e ok "name             blk0
type             blk
zone             1
addr             0xa003c00
len              0x200
irq              78
index            0
backend          $T/disk.img
flags            ? (needs root)
status           0x0 (reset)
device_features  0x0000000100000000
driver_features  0x0000000000000000" info blk0
	FAKE_EPERM=$e ok '{"name": "console1", "type": "console", "zone": 1, "addr": "0xa003a00", "len": "0x200", "irq": 77, "index": 1, "tty": "/dev/ttyHV1", "backend": null, "ro": null, "status": 0, "status_bits": [], "device_features": "0x0000000100000000", "driver_features": "0x0000000000000000", "stats": null}' \
		info --json console1
	FAKE_EPERM=$e err 2 "info blk9: no such device in $T/sys (not root: read from sysfs)" info blk9
done
ok "" resize blk0
err 2 "resize console0: EOPNOTSUPP: Operation not supported (only blk devices have a size)" resize console0
ok "" zone reset 1
has log "ZONE_RESET 1"
err 2 "zone reset 2: ENOENT: No such file or directory (no such zone)" zone reset 2
err 2 "zone del 1: EBUSY: Device or resource busy (the zone still has devices: del them, or zone del --force)" \
	zone del 1
for d in console0 console1 blk0 blk1; do
	ok "" del $d
done
err 2 "del console0: ENOENT: No such file or directory (no such device, see hvisorctl list)" del console0
ok "" zone del 1
check "all gone" eval '[ -z "$(state)" ]'
FAKE_API=2 err 2 "zone del 1: $HVISORCTL_DEV: module API version 2, hvisorctl speaks 3 to $API (use the hvisorctl built with the module)" \
	zone del 1
# a newer module takes what this hvisorctl sends (the uapi only adds)
FAKE_API=$((API + 1)) err 2 "zone del 1: ENOENT: No such file or directory (no such zone)" \
	zone del 1

############################################################ load

cat >cfg.json <<'EOF'
{ "zones": [
  { "id": 2,
    "memory_region": [ { "zone0_ipa": "0x50000000", "zonex_ipa": "0x50000000", "size": "0x30000000" } ],
    "devices": [
      { "type": "blk", "addr": "0xa003c00", "len": "0x200", "irq": 78, "img": "disk.img", "status": "enable" },
      { "type": "console", "addr": "0xa003800", "len": "0x200", "irq": 76, "status": "enable" },
      { "type": "gpu", "addr": "0xa003400", "len": "0x200", "irq": 74, "status": "disable" } ] },
  { "id": 3,
    "memory_region": [ { "zone0_ipa": "0x80000000", "zonex_ipa": "0x0", "size": "0x10000000" } ],
    "devices": [
      { "type": "console", "addr": "0xa003800", "len": "0x200", "irq": 76, "status": "enable" } ] } ] }
EOF
reset
ok "blk0
console0 /dev/ttyHV0
console1 /dev/ttyHV1" load cfg.json
check "load applied" eval '[ "$(state)" = "zone 2;zone 3;dev blk0 2 2 a003c00 200 78 0 0 $T/disk.img;dev console0 3 2 a003800 200 76 0 0 -;dev console1 3 3 a003800 200 76 1 0 -;" ]'

# The second device add fails: everything this run added is removed.
reset
FAKE_FAIL_ADD=2 err 2 "load: cfg.json: zones[0].devices[1]: add console at 0xa003800: ENOSPC: No space left on device (at most 64 consoles in all zones, and 7 distinct irqs per zone (max_zone_irqs))
hvisorctl: load: nothing was applied (what this run added was removed)" load cfg.json
check "rolled back" eval '[ -z "$(state)" ]'
has log "DEV_DEL blk0"
check "no device printed" eval '[ ! -s out ]'

# A zone that already exists: zones added before it are removed, it stays.
reset
ok "" zone add 3 mem=0:0:$pg
err 2 "load: cfg.json: zones[1]: zone add 3: EEXIST: File exists (the zone already exists)
hvisorctl: load: nothing was applied (what this run added was removed)" load cfg.json
check "pre-existing zone kept" eval '[ "$(state)" = "zone 3;" ]'
has log "ZONE_DEL 2"

# The last device fails; a zone that was there before stays.
reset
ok "" zone add 1 mem=0:0:$pg
FAKE_FAIL_ADD=3 FAKE_ERRNO=22 err 2 "load: cfg.json: zones[1].devices[0]: add console at 0xa003800: EINVAL: Invalid argument (a value was refused, see dmesg)
hvisorctl: load: nothing was applied (what this run added was removed)" load cfg.json
check "rolled back 2" eval '[ "$(state)" = "zone 1;" ]'

# Every failed call names its errno before the text (errname.c): one the
# tool has no hint for, and one it does not know, by number.
for e in "12 ENOMEM: Cannot allocate memory" "200 E#200: Unknown error 200"; do
	reset
	ok "" zone add 1 mem=0:0:$pg
	FAKE_FAIL_ADD=3 FAKE_ERRNO=${e%% *} err 2 "load: cfg.json: zones[1].devices[0]: add console at 0xa003800: ${e#* }
hvisorctl: load: nothing was applied (what this run added was removed)" load cfg.json
done

############################################################ virtio start

# hvisor-tool's --device form: the zone is added with hvisor-tool's RAM,
# with a warning, unless it exists; then the devices.
reset
run virtio start --device blk,addr=a003c00,len=200,irq=78,zone_id=1,img=disk.img \
	--device console,addr=a003800,len=200,irq=76,zone_id=1
check "virtio start --device: devices printed" \
	eval '[ $rc = 0 ] && [ "$(cat out)" = "blk0
console0 /dev/ttyHV0" ]'
check "virtio start --device: the default RAM, with a warning" \
	eval '[ "$(cat err)" = "hvisorctl: virtio start: zone 1: warning: no --mem, hvisor-tool'"'"'s RAM: mem=0x50000000:0x50000000:0x30000000" ]'
has log "ZONE_ADD 1 0x50000000:0x50000000:0x30000000"
has log "DEV_ADD blk zone=1 addr=0xa003c00 len=0x200 irq=78 flags=0 queues=0 serial= mac=00:00:00:00:00:00"
check "virtio start --device applied" eval '[ "$(state)" = "zone 1;dev blk0 2 1 a003c00 200 78 0 0 $T/disk.img;dev console0 3 1 a003800 200 76 0 0 -;" ]'
# the zone exists: used as it is, no warning
reset
ok "" zone add 1 mem=0:0:$pg
ok "console0 /dev/ttyHV0" virtio start --device console,addr=a003800,irq=76,zone_id=1
check "existing zone kept" eval '[ "$(state)" = "zone 1;dev console0 3 1 a003800 200 76 0 0 -;" ]'
# --mem gives the RAM; a zone given so must be new
reset
ok "console0 /dev/ttyHV0" virtio start --mem 2=0x80000000:0x80000000:$pg \
	--device console,addr=a003800,irq=76,zone_id=2
has log "ZONE_ADD 2 0x80000000:0x80000000:0x$(printf %x "$pg")"
err 2 "virtio start: --mem 2: zone add 2: EEXIST: File exists (the zone already exists)
hvisorctl: virtio start: nothing was applied (what this run added was removed)" \
	virtio start --mem 2=0x80000000:0x80000000:$pg --device console,addr=a003a00,irq=77,zone_id=2
# a device refused: what this run added goes, a zone that was there stays
reset
ok "" zone add 1 mem=0:0:$pg
FAKE_FAIL_ADD=2 err 2 "virtio start: --device 2: add console at 0xa003800: ENOSPC: No space left on device (at most 64 consoles in all zones, and 7 distinct irqs per zone (max_zone_irqs))
hvisorctl: virtio start: nothing was applied (what this run added was removed)" \
	virtio start --device blk,addr=a003c00,irq=78,zone_id=1,img=disk.img \
	--device console,addr=a003800,irq=76,zone_id=1
check "virtio start rolled back" eval '[ "$(state)" = "zone 1;" ]'
reset
FAKE_FAIL_ADD=1 run virtio start --device console,addr=a003800,irq=76,zone_id=3
check "virtio start: the implied zone it added is removed" \
	eval '[ $rc = 2 ] && [ -z "$(state)" ] && grep -qxF "ZONE_DEL 3" log'
# the FILE form is load's
reset
ok "blk0
console0 /dev/ttyHV0
console1 /dev/ttyHV1" virtio start cfg.json

############################################################ teardown

# zone del --force: the zone's devices, then the zone; other zones' stay
reset
ok "" zone add 1 mem=0:0:$pg
ok "" zone add 2 mem=$pg:$pg:$pg
ok "console0 /dev/ttyHV0" add console zone=1 addr=0xa003800 irq=76
ok "blk0" add blk zone=1 addr=0xa003c00 irq=78 img=disk.img
ok "console1 /dev/ttyHV1" add console zone=2 addr=0xa003800 irq=76
ok "" zone del --force 1
check "zone del --force" eval '[ "$(state)" = "zone 2;dev console1 3 2 a003800 200 76 1 0 -;" ]'
has log "DEV_DEL console0"
has log "DEV_DEL blk0"
has log "ZONE_DEL 1"
err 2 "zone del 1: ENOENT: No such file or directory (no such zone)" zone del -f 1
ok "" zone del -f 2
check "zone del -f 2" eval '[ -z "$(state)" ]'
# the sysfs class cannot be read: nothing is removed
ok "" zone add 1 mem=0:0:$pg
HVISORCTL_SYSFS=$T/nosys err 2 "zone del 1: $T/nosys: ENOENT: No such file or directory (is hvisor_vhost loaded?)" \
	zone del --force 1
check "zone kept" eval '[ "$(state)" = "zone 1;" ]'

# unload FILE: what load FILE added, printed; what is gone already and
# the zones and devices of others stay.
reset
ok "" zone add 5 mem=0x1000000:0x1000000:$pg
ok "console0 /dev/ttyHV0" add console zone=5 addr=0xa003800 irq=76
ok "blk0
console1 /dev/ttyHV1
console2 /dev/ttyHV2" load cfg.json
ok "blk0
console1
console2" unload cfg.json
check "unload" eval '[ "$(state)" = "zone 5;dev console0 3 5 a003800 200 76 0 0 -;" ]'
has log "ZONE_DEL 2"
has log "ZONE_DEL 3"
ok "" unload cfg.json
check "unload twice" eval '[ "$(state)" = "zone 5;dev console0 3 5 a003800 200 76 0 0 -;" ]'
# a device removed by hand is skipped; a zone with a device the file
# does not list is kept, with a hint
ok "blk0
console1 /dev/ttyHV1
console2 /dev/ttyHV2" load cfg.json
ok "" del console1
ok "console3 /dev/ttyHV3" add console zone=3 addr=0xa004000 irq=90
err 2 "unload: cfg.json: zones[1]: zone del 3: EBUSY: Device or resource busy (the zone still has devices: del them, or zone del --force)" \
	unload cfg.json
check "unload: blk0 and console2 removed, zone 3 kept" eval '[ "$(cat out)" = "blk0
console2" ] && [ "$(state)" = "zone 3;zone 5;dev console0 3 5 a003800 200 76 0 0 -;dev console3 3 3 a004000 200 90 3 0 -;" ]'
ok "" zone del --force 3
ok "" zone del --force 5
# unload from standard input
ok "blk0
console0 /dev/ttyHV0
console1 /dev/ttyHV1" load - <cfg.json
run unload - <cfg.json
check "unload -" eval '[ $rc = 0 ] && [ -z "$(state)" ]'
FAKE_API=2 err 2 "unload: $HVISORCTL_DEV: module API version 2, hvisorctl speaks 3 to $API (use the hvisorctl built with the module)" \
	unload cfg.json

# load --replace: the file's zones that exist go first, with their
# devices, so that a boot script can run twice
reset
ok "blk0
console0 /dev/ttyHV0
console1 /dev/ttyHV1" load cfg.json
err 2 "load: cfg.json: zones[0]: zone add 2: EEXIST: File exists (the zone already exists)
hvisorctl: load: nothing was applied (what this run added was removed)" load cfg.json
ok "console2 /dev/ttyHV2" add console zone=3 addr=0xa004000 irq=90
: >log
ok "blk0
console0 /dev/ttyHV0
console1 /dev/ttyHV1" load --replace cfg.json
check "load --replace" eval '[ "$(state)" = "zone 2;zone 3;dev blk0 2 2 a003c00 200 78 0 0 $T/disk.img;dev console0 3 2 a003800 200 76 0 0 -;dev console1 3 3 a003800 200 76 1 0 -;" ]'
has log "DEV_DEL console2"
has log "ZONE_DEL 3"
# nothing to replace: a plain load
reset
ok "blk0
console0 /dev/ttyHV0
console1 /dev/ttyHV1" load --replace cfg.json
# replaced, then a device refused: said so
FAKE_FAIL_ADD=2 err 2 "load: cfg.json: zones[0].devices[1]: add console at 0xa003800: ENOSPC: No space left on device (at most 64 consoles in all zones, and 7 distinct irqs per zone (max_zone_irqs))
hvisorctl: load: nothing was applied (what this run added was removed)
hvisorctl: load: the 2 zones --replace removed are not restored" load --replace cfg.json
check "replaced and rolled back" eval '[ -z "$(state)" ]'

############################################################ net

# The taps are a fake /sys/class/net and a regular file for /dev/net/tun,
# whose ioctls the fake answers (fd passed to the module: its path).
reset
mkdir -p net/tap0 net/tap1 net/tap2 net/eth0
printf '0x1002\n' >net/tap0/tun_flags
printf '0x5002\n' >net/tap1/tun_flags
printf '0x5002\n' >net/tap2/tun_flags
: >tun
export HVISORCTL_NET_SYSFS=$T/net HVISORCTL_TUN=$T/tun
ok "" zone add 1 mem=0:0:$pg
ok "net0" add net zone=1 addr=0xa003600 irq=75 tap=tap0
has log "TUNSETIFF tap0 0x5002"
has log "TUNSETVNETHDRSZ 12"
has log "DEV_ADD net zone=1 addr=0xa003600 len=0x200 irq=75 flags=0 queues=0 serial= mac=00:00:00:00:00:00"
has log "NET mtu=1500"
: >log
FAKE_MTU=9000 ok "net1" add net,addr=a003800,len=200,irq=76,zone_id=1,tap=tap1,mac=02:16:3e:10:10:10,queues=1,mtu=9000
has log "TUNSETIFF tap1 0x5002"
has log "DEV_ADD net zone=1 addr=0xa003800 len=0x200 irq=76 flags=1 queues=1 serial= mac=02:16:3e:10:10:10"
has log "NET mtu=9000"
check "add net: the tap's fd went to the module" \
	eval '[ "$(state)" = "zone 1;dev net0 1 1 a003600 200 75 0 0 tap0;dev net1 1 1 a003800 200 76 1 1 tap1;" ]'
# A macvtap: no tun_flags, a character device tap<ifindex> linked from its
# sysfs directory (opened in HVISORCTL_DEV_DIR, here a regular file whose
# ioctls the fake answers as a tap's). Without mac= the device takes the
# macvtap's address; one device at a time on it (a macvtap never says
# busy: any open is one more queue).
mkdir -p net/mvt0/tap7 dev
printf '7\n' >net/mvt0/ifindex
printf '250:1\n' >net/mvt0/tap7/dev
printf '02:11:22:33:44:55\n' >net/mvt0/address
: >dev/tap7
export HVISORCTL_DEV_DIR=$T/dev
: >log
ok "net2" add net zone=1 addr=0xa003a00 irq=77 tap=mvt0
has log "TUNSETIFF mvt0 0x5002"
has log "DEV_ADD net zone=1 addr=0xa003a00 len=0x200 irq=77 flags=1 queues=0 serial= mac=02:11:22:33:44:55"
: >log
err 2 "add net: mvt0: already in use by net2 of zone 1 (see hvisorctl list)" \
	add net zone=1 addr=0xa003c00 irq=78 tap=mvt0
check "a busy macvtap: not opened" eval '! grep -q TUNSETIFF log'
ok "" del net2
run add net zone=1 addr=0xa003a00 irq=77 tap=mvt0 mac=02:00:00:00:00:09
check "mac= other than the macvtap's address: the device, and a warning" \
	eval '[ $rc = 0 ] && [ "$(cat out)" = net2 ] && [ "$(cat err)" = "hvisorctl: add net: mvt0: warning: mac= is not the macvtap'"'"'s address 02:11:22:33:44:55: frames to the zone do not get through it" ]'
has log "DEV_ADD net zone=1 addr=0xa003a00 len=0x200 irq=77 flags=1 queues=0 serial= mac=02:00:00:00:00:09"
ok "" del net2
printf 'garbage\n' >net/mvt0/address
: >log
run add net zone=1 addr=0xa003a00 irq=77 tap=mvt0
check "a macvtap address unreadable: the device (module's MAC), and a warning" \
	eval '[ $rc = 0 ] && [ "$(cat out)" = net2 ] && [ "$(cat err)" = "hvisorctl: add net: mvt0: warning: the macvtap'"'"'s address is unreadable" ]'
has log "DEV_ADD net zone=1 addr=0xa003a00 len=0x200 irq=77 flags=0 queues=0 serial= mac=00:00:00:00:00:00"
ok "" del net2
printf '02:11:22:33:44:55\n' >net/mvt0/address
: >log
ok "net2" add net zone=1 addr=0xa003a00 irq=77 tap=mvt0 queues=3
check "queues=3 on a macvtap: three opens of it to the module" \
	eval '[ "$(grep -c "TUNSETIFF mvt0 0x5002" log)" = 3 ] && grep -q "TAP_FDS 3 of mvt0" log'
ok "" del net2
unset HVISORCTL_DEV_DIR
# A multi-queue tap: one queue per pair; it takes more queues while a
# device holds some, so one a device uses is refused before any attach.
mkdir -p net/tapmq
printf '0x5102\n' >net/tapmq/tun_flags
: >log
ok "net2" add net zone=1 addr=0xa003a00 irq=77 tap=tapmq queues=2
check "queues=2: two queues of the tap to the module" \
	eval '[ "$(grep -c "TUNSETIFF tapmq 0x5102" log)" = 2 ] && grep -q "TAP_FDS 2 of tapmq" log'
: >log
err 2 "add net: tapmq: already in use by net2 of zone 1 (see hvisorctl list)" \
	add net zone=1 addr=0xa003c00 irq=78 tap=tapmq
check "a multi-queue tap a device holds: not attached" eval '! grep -q TUNSETIFF log'
ok "" del net2
# A newer hvisorctl on this module (hvisorctl-next, the fake of API 3, the
# oldest one hvisorctl speaks): without the appended field, zero, the
# module takes the larger structure (the uapi's sizes); with it set,
# E2BIG, said so, nothing added; EINVAL gets the hint that the module is
# older. The same EINVAL to this hvisorctl is only "a value was refused".
state0=$(state)
BIN=$T/hvisorctl-next FAKE_TAIL=1 err 2 "add net: E2BIG: Argument list too long (the module is older than this hvisorctl: it does not know a field this request uses)" \
	add net zone=1 addr=0xa004000 irq=77 tap=tap2
check "E2BIG: nothing added" eval '[ "$(state)" = "$state0" ]'
adds=$(sed -n 's/^adds //p' "$FAKE_STATE")
BIN=$T/hvisorctl-next FAKE_FAIL_ADD=$((adds + 1)) FAKE_ERRNO=22 \
	err 2 "add blk: EINVAL: Invalid argument (the module is older than this hvisorctl: an option it does not know? see dmesg)" \
	add blk zone=1 addr=0xa004000 irq=77 img=disk.img serial=SN-2
FAKE_FAIL_ADD=$((adds + 2)) FAKE_ERRNO=22 \
	err 2 "add blk: EINVAL: Invalid argument (a value was refused, see dmesg)" \
	add blk zone=1 addr=0xa004000 irq=77 img=disk.img serial=SN-2
check "EINVAL: nothing added" eval '[ "$(state)" = "$state0" ]'
BIN=$T/hvisorctl-next FAKE_MTU=fail run add net zone=1 addr=0xa004000 irq=77 tap=tap2
check "older module, nothing new given: added" eval '[ $rc = 0 ] && [ "$(cat out)" = net2 ]'
ok "" del net2
ok "NAME             TYPE     ZONE ADDR         LEN    IRQ  STATUS BACKEND
net0             net      1    0xa003600    0x200  75   0x0    tap0
net1             net      1    0xa003800    0x200  76   0x0    tap1" list
run info net1
check "info net1: type net, its backend, flags mac" \
	eval 'grep -qx "type             net" out && grep -qx "backend          tap1" out &&
		grep -qx "flags            mac" out'
run info --json net0
check "info --json net0" grep -qF '{"name": "net0", "type": "net", "zone": 1, "addr": "0xa003600", "len": "0x200", "irq": 75, "index": 0, "backend": "tap0", "ro": false,' out
"$BIN" list --json >l.json && "$BIN" __json-check l.json >/dev/null
check "list --json with net devices is valid JSON" test $? = 0
ok "" del net0
ok "" del net1
# The MTU: mtu= above the interface's is warned about; the interface's
# is offered only when it is one virtio-net can offer.
: >log
FAKE_MTU=1500 err 0 "add net: tap0: warning: mtu=9000 is larger than the interface's MTU 1500" \
	add net zone=1 addr=0xa003600 irq=75 tap=tap0 mtu=9000
has log "NET mtu=9000"
check "printed all the same" test "$(cat out)" = net0
: >log
FAKE_MTU=fail err 0 "add net: tap1: warning: SIOCGIFMTU: ENODEV: No such device, no MTU offered" \
	add net zone=1 addr=0xa003800 irq=76 tap=tap1
has log "NET mtu=0"
: >log
FAKE_MTU=65536 err 0 "add net: tap2: warning: MTU 65536 outside 68..65535, no MTU offered" \
	add net zone=1 addr=0xa003a00 irq=77 tap=tap2
has log "NET mtu=0"
ok "" zone del --force 1
# The tap refused: nothing is asked of the module.
reset
ok "" zone add 1 mem=0:0:$pg
: >log
FAKE_TUN_ERRNO=16 err 2 "add net: tap0: already in use by another process (hvisor-tool's daemon?) or an hvisor_vhost device (hvisorctl list)" \
	add net zone=1 addr=0xa003600 irq=75 tap=tap0
FAKE_TUN_ERRNO=1 err 2 "add net: tap0: TUNSETIFF: EPERM: Operation not permitted (needs CAP_NET_ADMIN, or to be the tap's owner or group)" \
	add net zone=1 addr=0xa003600 irq=75 tap=tap0
FAKE_TUN_ERRNO=22 err 2 "add net: tap0: TUNSETIFF: EINVAL: Invalid argument (the tap refused IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)" \
	add net zone=1 addr=0xa003600 irq=75 tap=tap0
err 2 "add net: eth0: not a tap interface (not a tun/tap or macvtap device)" \
	add net zone=1 addr=0xa003600 irq=75 tap=eth0
check "no DEV_ADD" eval '! grep -q DEV_ADD log'
check "no device" eval '[ "$(state)" = "zone 1;" ]'
# hvisor-tool's x86_64 example: a console, a net device, a blk device;
# a net device refused rolls the others back.
cat >x86.json <<'EOF'
{ "zones": [
  { "id": 2,
    "memory_region": [ { "zone0_ipa": "0x100000000", "zonex_ipa": "0x0", "size": "0x119220000" } ],
    "devices": [
      { "type": "console", "addr": "0x119220000", "len": "0x200", "irq": 10, "status": "enable" },
      { "type": "net", "addr": "0x119220200", "len": "0x200", "irq": 14, "tap": "tap0",
        "mac": [ "0x00", "0x16", "0x3e", "0x10", "0x10", "0x10" ], "status": "enable" },
      { "type": "blk", "addr": "0x119220400", "len": "0x200", "irq": 11, "img": "disk.img", "status": "enable" } ] } ] }
EOF
: >log
ok "console0 /dev/ttyHV0
net0
blk0" load x86.json
has log "DEV_ADD net zone=2 addr=0x119220200 len=0x200 irq=14 flags=1 queues=0 serial= mac=00:16:3e:10:10:10"
ok "console0
net0
blk0" unload x86.json
FAKE_FAIL_ADD=2 err 2 "load: x86.json: zones[0].devices[1]: add net at 0x119220200: ENOSPC: No space left on device (at most 256 net devices in all zones, and 7 distinct irqs per zone (max_zone_irqs))
hvisorctl: load: nothing was applied (what this run added was removed)" load x86.json
check "load with net rolled back" eval '[ "$(state)" = "zone 1;" ]'
# a tap in use: nothing is added at all
FAKE_TUN_ERRNO=16 err 2 "load: x86.json: zones[0].devices[1]: tap0: already in use by another process (hvisor-tool's daemon?) or an hvisor_vhost device (hvisorctl list)" \
	load x86.json
check "load: tap busy, nothing added" eval '[ "$(state)" = "zone 1;" ]'
# in use by one of the module's devices: that one is named
ok "net0" add net zone=1 addr=0xa003600 irq=75 tap=tap0
err 2 "load: x86.json: zones[0].devices[1]: tap0: already in use by net0 of zone 1 (see hvisorctl list)" \
	load x86.json
err 2 "add net: tap0: already in use by net0 of zone 1 (see hvisorctl list)" \
	add net zone=1 addr=0xa003800 irq=76 tap=tap0
check "tap held: nothing added" eval '[ "$(state)" = "zone 1;dev net0 1 1 a003600 200 75 0 0 tap0;" ]'
ok "" del net0
# load --replace run twice (the packaged service's start): the
# single-queue tap a net device of a replaced zone holds is opened once
# that zone is removed; the zone the file does not name stays
ok "console0 /dev/ttyHV0
net0
blk0" load x86.json
# a plain load of it again: the tap is the file's own zone's
state0=$(state)
err 2 "load: x86.json: zones[0].devices[1]: tap0: already in use by net0 of zone 2 (see hvisorctl list)
hvisorctl: load: x86.json: zones[0].devices[1]: load --replace replaces zone 2, and net0 with it" \
	load x86.json
check "load again: nothing changed" eval '[ "$(state)" = "$state0" ]'
for i in 1 2; do
	: >log
	ok "console0 /dev/ttyHV0
net0
blk0" load --replace x86.json
	check "load --replace ($i): zone 2 anew, on tap0; zone 1 kept" eval \
		'[ "$(grep -v "^adds" "$FAKE_STATE" | sort | tr "\n" ";")" = "dev blk0 2 2 119220400 200 11 0 0 $T/disk.img;dev console0 3 2 119220000 200 10 0 0 -;dev net0 1 2 119220200 200 14 0 1 tap0;zone 1;zone 2;" ]'
	check "load --replace ($i): tap0 attached after net0's removal" eval \
		'[ "$(grep -E "^(TUNSETIFF|DEV_DEL net0|ZONE_DEL)" log | tr "\n" ";")" = "TUNSETIFF tap0 0x5002;DEV_DEL net0;ZONE_DEL 2;TUNSETIFF tap0 0x5002;" ]'
done
# a tap held by another process, or by a device of a zone the file does
# not name: refused before anything is removed
sed 's/"tap0"/"tap1"/' x86.json >x86t1.json
state0=$(state)
FAKE_TUN_ERRNO=16 err 2 "load: x86t1.json: zones[0].devices[1]: tap1: already in use by another process (hvisor-tool's daemon?) or an hvisor_vhost device (hvisorctl list)" \
	load --replace x86t1.json
check "load --replace, tap of another process: nothing removed" eval '[ "$(state)" = "$state0" ]'
ok "net1" add net zone=1 addr=0xa003600 irq=75 tap=tap1
state0=$(state)
err 2 "load: x86t1.json: zones[0].devices[1]: tap1: already in use by net1 of zone 1 (see hvisorctl list)" \
	load --replace x86t1.json
check "load --replace, tap of zone 1: nothing removed" eval '[ "$(state)" = "$state0" ]'
ok "" del net1
# the tap still in use once the zone is removed: said so
FAKE_TUN_ERRNO=16 err 2 "load: x86.json: zones[0].devices[1]: tap0: already in use by another process (hvisor-tool's daemon?) or an hvisor_vhost device (hvisorctl list)
hvisorctl: load: nothing was applied (what this run added was removed)
hvisorctl: load: the 1 zone --replace removed is not restored" load --replace x86.json
check "load --replace, tap busy after the removal: zone 2 gone" eval '[ "$(state)" = "zone 1;" ]'
unset HVISORCTL_NET_SYSFS HVISORCTL_TUN

############################################################ ENOSPC hints

# The module's ENOSPC has two causes: the zone's irqs (max_zone_irqs) and,
# for consoles and blk devices, their number in all zones. The hint names
# the one the sysfs class shows.
reset
for z in $(seq 1 10); do
	ok "" zone add "$z" mem=$((z * 0x100000)):$((z * 0x100000)):"$pg"
done
for i in $(seq 0 6); do
	ok "console$i /dev/ttyHV$i" add console zone=1 \
		addr=$((0xa000000 + i * 0x200)) irq=$((70 + i))
done
err 2 "add console: ENOSPC: No space left on device (zone 1 has 7 devices: at most 7 distinct irqs per zone (max_zone_irqs))" \
	add console zone=1 addr=0xa001000 irq=80
err 2 "add blk: ENOSPC: No space left on device (zone 1 has 7 devices: at most 7 distinct irqs per zone (max_zone_irqs))" \
	add blk zone=1 addr=0xa001000 irq=80 img=disk.img
# the module's live max_zone_irqs
mkdir -p params
printf '2\n' >params/max_zone_irqs
ok "blk0" add blk zone=2 addr=0xa001000 irq=80 img=disk.img
ok "console7 /dev/ttyHV7" add console zone=2 addr=0xa002000 irq=81
HVISORCTL_PARAMS=$T/params err 2 "add console: ENOSPC: No space left on device (zone 2 has 2 devices: at most 2 distinct irqs per zone (max_zone_irqs))" \
	add console zone=2 addr=0xa003000 irq=82
ok "" del blk0
ok "" del console7
# 64 consoles in zones 1..10; the 65th has room in its zone, not overall
for z in $(seq 2 10); do
	for i in $(seq 0 6); do
		n=$(((z - 1) * 7 + i))
		[ $n -lt 64 ] || break
		ok "console$n /dev/ttyHV$n" add console zone="$z" \
			addr=$((0xa000000 + i * 0x200)) irq=$((70 + i))
	done
done
err 2 "add console: ENOSPC: No space left on device (at most 64 consoles in all zones, see hvisorctl list)" \
	add console zone=10 addr=0xa002000 irq=90
# the same from load, which removes what it added
cat >cfg65.json <<'EOF2'
{ "zones": [
  { "id": 11,
    "memory_region": [ { "zone0_ipa": "0x90000000", "zonex_ipa": "0x0", "size": "0x1000" } ],
    "devices": [
      { "type": "blk", "addr": "0xa003c00", "irq": 78, "img": "disk.img", "status": "enable" },
      { "type": "console", "addr": "0xa003800", "irq": 76, "status": "enable" } ] } ] }
EOF2
err 2 "load: cfg65.json: zones[0].devices[1]: add console at 0xa003800: ENOSPC: No space left on device (at most 64 consoles in all zones, see hvisorctl list)
hvisorctl: load: nothing was applied (what this run added was removed)" load cfg65.json
has log "DEV_DEL blk0"
has log "ZONE_DEL 11"

echo "hvisorctl_fake: $pass passed, $fail failed"
[ "$fail" = 0 ]
