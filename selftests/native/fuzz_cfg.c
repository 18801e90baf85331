// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: "hvisorctl load -n" (tools/hvisorctl/cfg.c), the
 * loader of hvisor-tool's virtio_cfg.json, from the file to the commands
 * it would run (its dry run: no control device, no ioctl). The first
 * byte picks --allow-shared-ram and whether __json-check runs too; the
 * rest is the file. A refused file must come with a message.
 */
#define _GNU_SOURCE	/* memfd_create() */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fdp.h"
#include "hvctl_stubs.h"
#include "hvisorctl.h"

int fuzz_initialize(int *argc, char ***argv)
{
	/* The dry run prints commands: not to the fuzzer's output. */
	fuzz_assert(freopen("/dev/null", "w", stdout));
	/* No module parameters: the default limits. */
	setenv("HVISORCTL_PARAMS", "/nonexistent/hvisorctl-params", 1);
	setenv("HVISORCTL_DEV", "/nonexistent/hvisor_vhost", 1);
	setenv("HVISORCTL_SYSFS", "/nonexistent/hvisor", 1);
	return 0;
}

int fuzz_one_input(const unsigned char *data, size_t size)
{
	char path[64], *argv[5];
	unsigned long errors;
	int fd, argc = 0, ret;
	unsigned int sel;

	if (!size)
		return 0;
	sel = data[0];
	fd = memfd_create("virtio_cfg.json", 0);
	fuzz_assert(fd >= 0);
	fuzz_assert(write(fd, data + 1, size - 1) == (ssize_t)(size - 1));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	argv[argc++] = "load";
	argv[argc++] = "-n";
	if (sel & 1)
		argv[argc++] = "--allow-shared-ram";
	argv[argc++] = path;
	argv[argc] = NULL;
	errors = hvctl_nr_errors;
	ret = cmd_load(argc, argv);
	fuzz_assert(ret == 0 || ret == EXIT_USAGE);
	if (ret)
		fuzz_assert(hvctl_nr_errors > errors && *hvctl_last_error);
	if (sel & 2) {
		argv[0] = "__json-check";
		argv[1] = path;
		argv[2] = NULL;
		ret = cmd_json_check(2, argv);
		fuzz_assert(ret == 0 || ret == EXIT_USAGE);
	}
	close(fd);
	return 0;
}
