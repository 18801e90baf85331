/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvisorctl - control tool for hvisor_vhost: shared declarations.
 */
#ifndef HVISORCTL_H
#define HVISORCTL_H

#include <stddef.h>
#include <linux/hvisor_vhost.h>

#include "module_limits.h"

/* Exit status: 1 for bad arguments or configuration, 2 when an operation
 * (the control device, an ioctl, opening a backend) fails.
 */
#define EXIT_USAGE		1
#define EXIT_FAIL		2

/* Where the control device and the sysfs class live (overridable through
 * the environment for tests: HVISORCTL_DEV, HVISORCTL_SYSFS).
 */
#define HVV_CTL_PATH		"/dev/hvisor_vhost"
#define HVV_SYSFS_PATH		"/sys/class/hvisor"

#ifndef __printf
/* printf format checking (the kernel's name for it) */
#define __printf(a, b)		__attribute__((format(printf, \
						      a, b)))
#endif
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

__printf(1, 2) void err_msg(const char *fmt, ...);

/* errname.c: "EADDRINUSE", or "E#n" for an errno it does not know */
const char *errno_name(int e);
/* "EADDRINUSE: Address already in use", in one of a few static buffers */
const char *errno_str(int e);

/* Operations, to pick an errno hint. */
enum ctl_op {
	OP_ZONE_ADD,
	OP_ZONE_DEL,
	OP_ZONE_RESET,
	OP_DEV_ADD,
	OP_DEV_DEL,
	OP_DEV_RESIZE,
	OP_DEV_INFO,
};

/* A device to add: what parse.c builds from key=value pairs. */
struct dev_spec {
	struct hvv_dev_config dev;	/* backend_fd is -1 until opened */
	const char *img;	/* blk */
	const char *tap;	/* net */
	int tap_fds[LIMIT_NET_QUEUES];	/* net, queues > 1: dev.net.tap_fds */
	unsigned int nr_tap_fds;	/* open entries of @tap_fds */
};

/* ctl.c */
int ctl_open(const char *ctx);
/*
 * ctl_open(), but -2 without a message if @quiet and the caller lacks the
 * permission (EACCES or EPERM).
 */
int ctl_open_unless_perm(const char *ctx, int quiet);
int ctl_ioctl(int fd, unsigned long req, void *arg, enum ctl_op op,
	      const char *ctx);
/* The same, but 1 without a message when it fails with errno @quiet. */
int ctl_ioctl_unless(int fd, unsigned long req, void *arg, enum ctl_op op,
		     const char *ctx, int quiet);
int backend_open(struct dev_spec *spec, const char *ctx);
/*
 * The same, but 1 without a message, nothing open, when the backend is a
 * tap attached elsewhere (EBUSY: see tap_holder() for by what).
 */
int backend_open_unless_busy(struct dev_spec *spec, const char *ctx);
void backend_close(struct dev_spec *spec);
int dev_add(int fd, struct dev_spec *spec, const char *ctx);
void dev_print_created(const struct hvv_dev_config *dev);
struct stat;
/* Warn about an image whose end the guest will not see. */
void img_size_warn(const char *ctx, const char *img, const struct stat *st);
const char *dev_type_name(unsigned int type);

/* cfg.c, list.c */
int cmd_load(int argc, char **argv);
int cmd_virtio(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_zone_list(int argc, char **argv);
/*
 * Devices of @type and devices of zone @zone_id in the sysfs class; -1 if
 * it cannot be read. Devices removed while in use are not counted.
 */
int sysfs_count(unsigned int type, __u32 zone_id, unsigned int *of_type,
		unsigned int *in_zone);
int cmd_json_check(int argc, char **argv);
int cmd_unload(int argc, char **argv);
/* console.c */
int cmd_console(int argc, char **argv);

/* A device as the sysfs class shows it. */
struct sysfs_dev {
	char name[HVV_NAME_LEN];
	unsigned int type;	/* HVV_DEV_*, or -1 cast */
	__u32 zone;
	__u64 addr;
};

/*
 * The devices of the sysfs class, in a malloc()ed array, *nr of them;
 * -1 with errno if it cannot be read. Devices removed while in use are
 * not there.
 */
int sysfs_devices(struct sysfs_dev **devs, unsigned int *nr);
/* The device's stats/ counters as a JSON object (null if none). */
void sysfs_stats_json(const char *name);
/* HVV_SYSFS_PATH, or $HVISORCTL_SYSFS */
const char *sysfs_root(void);
/*
 * The first line of /sys/class/hvisor/@name/@attr into @buf (control
 * characters as '?'): 0, or -1 if it is missing or empty.
 */
int sysfs_attr(const char *name, const char *attr, char *buf, size_t len);
/*
 * Remove every device of @zone_id that the sysfs class shows, then the
 * zone: 0, 1 if there was no such zone (@missing_ok), or -1 (reported).
 */
int zone_force_del(int fd, __u32 zone_id, const char *ctx, int missing_ok);

#endif /* HVISORCTL_H */
