/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvisorctl - the arguments of a device, as "add" and "virtio start
 * --device" take them. Every function reports its errors (err_msg()).
 */
#ifndef HVISORCTL_DEVARGS_H
#define HVISORCTL_DEVARGS_H

#include "hvisorctl.h"
#include "parse.h"

struct dev_args {
	char *copy;			/* the first argument, split in place */
	char *rest;			/* its ",KEY=VALUE..." not parsed yet */
	const char *tname;		/* the device type, as given */
	int type;			/* HVV_DEV_* */
	char ctx[96];			/* "add blk": messages start with it */
	const char *val[DK_NR];		/* the values given, or NULL */
	const char *given[DK_NR];	/* the KEY=VALUE word of each */
	char num[DK_NR][32];		/* values rewritten by hvisor-tool's rules */
};

/*
 * "TYPE[,KEY=VALUE...]": the type (an unknown one, or one of
 * hvisor-tool's that hvisor_vhost does not have, is an error naming
 * @cmd). Return 0, EXIT_USAGE or EXIT_FAIL; call dev_args_end() in
 * every case.
 */
int dev_args_start(struct dev_args *a, const char *cmd, const char *arg);
/* The ",KEY=VALUE..." after the type, read as hvisor-tool reads them. */
int dev_args_rest(struct dev_args *a);
/* One KEY=VALUE word; @compat: hvisor-tool's numbers. 0 or -1. */
int dev_args_word(struct dev_args *a, char *word, int compat);
/* The device, every required key given. 0 or -1. */
int dev_args_build(struct dev_args *a, struct dev_spec *spec);
void dev_args_end(struct dev_args *a);

#endif /* HVISORCTL_DEVARGS_H */
