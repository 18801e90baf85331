// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl - the control device, ioctl wrappers and backend files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvisorctl.h"
#include "module_limits.h"
#include "tap.h"

/*
 * The oldest module API this hvisorctl speaks: version 3 brought
 * HVV_DEV_ADD's size convention, and later versions only add to it (see
 * the uapi header), so a newer module takes what this hvisorctl sends.
 */
#define API_OLDEST	3

/* The module's HVV_API_VERSION, once ctl_open() has read it. */
static unsigned int module_api = HVV_API_VERSION;

static const char *ctl_path(void)
{
	const char *p = getenv("HVISORCTL_DEV");

	return p && *p ? p : HVV_CTL_PATH;
}

int ctl_open(const char *ctx)
{
	return ctl_open_unless_perm(ctx, 0);
}

int ctl_open_unless_perm(const char *ctx, int quiet)
{
	const char *path = ctl_path();
	struct hvv_version ver;
	const char *hint = "";
	int fd, e;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (quiet && (e == EACCES || e == EPERM))
			return -2;
		if (e == ENOENT || e == ENODEV || e == ENXIO)
			hint = " (is hvisor_vhost loaded?)";
		else if (e == EACCES || e == EPERM)
			hint = " (needs root: CAP_SYS_ADMIN)";
		err_msg("%s: %s: %s%s", ctx, path, errno_str(e), hint);
		return -1;
	}
	memset(&ver, 0, sizeof(ver));
	if (ioctl(fd, HVV_GET_VERSION, &ver)) {
		e = errno;
		if (quiet && (e == EACCES || e == EPERM)) {
			close(fd);
			return -2;
		}
		if (e == EPERM || e == EACCES)
			hint = " (needs root: CAP_SYS_ADMIN)";
		else if (e == ENOTTY || e == EINVAL)
			hint = " (not an hvisor_vhost control device?)";
		err_msg("%s: %s: HVV_GET_VERSION: %s%s", ctx, path,
			errno_str(e), hint);
		close(fd);
		return -1;
	}
	if (ver.api_version < API_OLDEST) {
		err_msg("%s: %s: module API version %u, hvisorctl speaks %u to %u (%s)",
			ctx, path, ver.api_version, API_OLDEST,
			HVV_API_VERSION, "use the hvisorctl built with the module");
		close(fd);
		return -1;
	}
	module_api = ver.api_version;
	return fd;
}

/*
 * ENOSPC from HVV_DEV_ADD: the zone's irqs (checked first), or the
 * type's device count. Which one the sysfs class tells, unless devices
 * removed while in use (not listed) make up the difference: then all the
 * causes the type can meet are named.
 */
static const char *dev_enospc_hint(const struct hvv_dev_config *d)
{
	unsigned int irqs = limit_zone_irqs(), of_type, in_zone, max = 0;
	const char *what = NULL;
	static char buf[160];
	int known;

	if (d->type == HVV_DEV_CONSOLE) {
		max = LIMIT_CONSOLES;
		what = "consoles";
	} else if (d->type == HVV_DEV_BLK) {
		max = LIMIT_BLKS;
		what = "blk devices";
	} else if (d->type == HVV_DEV_NET) {
		max = LIMIT_NETS;
		what = "net devices";
	}
	known = !sysfs_count(d->type, d->zone_id, &of_type, &in_zone);
	if (known && in_zone + 1 > irqs) {
		snprintf(buf, sizeof(buf),
			 "zone %u has %u devices: at most %u distinct irqs per zone (max_zone_irqs)",
			 d->zone_id, in_zone, irqs);
	} else if (what && known && of_type >= max) {
		snprintf(buf, sizeof(buf),
			 "at most %u %s in all zones, see hvisorctl list",
			 max, what);
	} else if (what) {
		snprintf(buf, sizeof(buf),
			 "at most %u %s in all zones, and %u distinct irqs per zone (max_zone_irqs)",
			 max, what, irqs);
	} else {
		snprintf(buf, sizeof(buf),
			 "at most %u distinct irqs per zone (max_zone_irqs)",
			 irqs);
	}
	return buf;
}

#define OLDER	"the module is older than this hvisorctl: "

/* @arg: the ioctl's argument (struct hvv_dev_config for OP_DEV_ADD) */
static const char *errno_hint(enum ctl_op op, int e, const void *arg)
{
	switch (e) {
	case EPERM:
		if (op == OP_ZONE_ADD)
			return "needs CAP_SYS_ADMIN; or a region is root System RAM, see dmesg";
		return "needs root: CAP_SYS_ADMIN";
	case EACCES:
		return "needs root: CAP_SYS_ADMIN";
	case ENODEV:
		return "no hypervisor: not under hvisor, and hvisor_sim not loaded?";
	case ENOENT:
		if (op == OP_DEV_ADD)
			return "is the zone added? see hvisorctl zone add";
		if (op == OP_ZONE_ADD)
			return NULL;
		if (op == OP_ZONE_DEL || op == OP_ZONE_RESET)
			return "no such zone";
		return "no such device, see hvisorctl list";
	case EEXIST:
		if (op == OP_ZONE_ADD)
			return "the zone already exists";
		if (op == OP_DEV_ADD)
			return "window or irq already used in the zone, see hvisorctl list";
		return NULL;
	case EADDRINUSE:
		return "window in use: see hvisorctl list, and dmesg for a removed device";
	case EBUSY:
		if (op == OP_ZONE_DEL)
			return "the zone still has devices: del them, or zone del --force";
		if (op == OP_DEV_ADD)
			return "irq used by another device of the zone, or backend busy";
		return NULL;
	case ENOSPC:
		if (op == OP_DEV_ADD)
			return dev_enospc_hint(arg);
		return NULL;
	case EOPNOTSUPP:
		if (op == OP_DEV_ADD)
			return "this hvisor_vhost does not serve the device type";
		return op == OP_DEV_RESIZE ? "only blk devices have a size" : NULL;
	case E2BIG:
		/* nonzero bytes past the module's structure (the uapi) */
		if (op == OP_DEV_ADD)
			return OLDER "it does not know a field this request uses";
		return NULL;
	case EINVAL:
		/*
		 * From a module older than this hvisorctl, maybe a type's
		 * field or flag added since (a type's part grows in place:
		 * EINVAL, not E2BIG). Every option hvisorctl has is as old
		 * as API_OLDEST, so none can be named by version yet; the
		 * module logs what it refused.
		 */
		if (op == OP_DEV_ADD && module_api < HVV_API_VERSION)
			return OLDER "an option it does not know? see dmesg";
		return "a value was refused, see dmesg";
	case ENOTTY:
		return "not supported by this hvisor_vhost";
	case EBADF:
		return op == OP_DEV_ADD ? "the backend was refused" : NULL;
	}
	return NULL;
}

int ctl_ioctl(int fd, unsigned long req, void *arg, enum ctl_op op,
	      const char *ctx)
{
	return ctl_ioctl_unless(fd, req, arg, op, ctx, 0) ? -1 : 0;
}

int ctl_ioctl_unless(int fd, unsigned long req, void *arg, enum ctl_op op,
		     const char *ctx, int quiet)
{
	const char *hint;
	int e;

	if (!ioctl(fd, req, arg))
		return 0;
	e = errno;
	if (quiet && e == quiet)
		return 1;
	hint = errno_hint(op, e, arg);
	if (hint)
		err_msg("%s: %s (%s)", ctx, errno_str(e), hint);
	else
		err_msg("%s: %s", ctx, errno_str(e));
	return -1;
}

int zone_force_del(int fd, __u32 zone_id, const char *ctx, int missing_ok)
{
	struct hvv_zone_id zid = { .zone_id = zone_id };
	struct sysfs_dev *devs;
	struct hvv_dev_name dn;
	unsigned int i, nr;
	char dctx[160];
	int ret = 0, e;

	if (sysfs_devices(&devs, &nr)) {
		e = errno;
		err_msg("%s: %s: %s%s", ctx, sysfs_root(), errno_str(e),
			e == ENOENT ? " (is hvisor_vhost loaded?)" : "");
		return -1;
	}
	for (i = 0; i < nr; i++) {
		if (devs[i].zone != zone_id)
			continue;
		memset(&dn, 0, sizeof(dn));
		memcpy(dn.name, devs[i].name, sizeof(dn.name));
		snprintf(dctx, sizeof(dctx), "%s: del %s", ctx, dn.name);
		/* ENOENT: removed meanwhile */
		if (ctl_ioctl_unless(fd, HVV_DEV_DEL, &dn, OP_DEV_DEL, dctx,
				     ENOENT) < 0)
			ret = -1;
	}
	free(devs);
	if (ret)
		return ret;
	ret = ctl_ioctl_unless(fd, HVV_ZONE_DEL, &zid, OP_ZONE_DEL, ctx,
			       missing_ok ? ENOENT : 0);
	return ret;
}

const char *dev_type_name(unsigned int type)
{
	switch (type) {
	case HVV_DEV_NET:
		return "net";
	case HVV_DEV_BLK:
		return "blk";
	case HVV_DEV_CONSOLE:
		return "console";
	}
	return "unknown";
}

static int open_img(struct dev_spec *spec, const char *ctx)
{
	int ro = !!(spec->dev.blk.flags & HVV_BLK_F_RO);
	const char *hint = "";
	struct stat st;
	int fd, e;

	fd = open(spec->img, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (!ro && (e == EROFS || e == EACCES))
			hint = " (ro=1 opens it read-only)";
		err_msg("%s: img=%s: %s%s", ctx, spec->img, errno_str(e),
			hint);
		return -1;
	}
	if (fstat(fd, &st) || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		err_msg("%s: img=%s: not a regular file or block device",
			ctx, spec->img);
		close(fd);
		return -1;
	}
	img_size_warn(ctx, spec->img, &st);
	spec->dev.backend_fd = fd;
	return 0;
}

void img_size_warn(const char *ctx, const char *img, const struct stat *st)
{
	long long rest;

	if (!S_ISREG(st->st_mode))
		return;
	rest = (long long)(st->st_size % LIMIT_BLK_SECTOR);
	if (rest)
		err_msg("%s: img=%s: warning: size %lld is not a multiple of %u: %s %lld bytes",
			ctx, img, (long long)st->st_size, LIMIT_BLK_SECTOR,
			"the guest does not see the last", rest);
}

/* Open the backend in the caller's context (paths, permissions). */
static int open_backend(struct dev_spec *spec, const char *ctx, int busy_ok)
{
	spec->dev.backend_fd = -1;
	switch (spec->dev.type) {
	case HVV_DEV_BLK:
		return open_img(spec, ctx);
	case HVV_DEV_NET:
		return tap_open(spec, ctx, busy_ok);
	}
	return 0;
}

int backend_open(struct dev_spec *spec, const char *ctx)
{
	return open_backend(spec, ctx, 0);
}

int backend_open_unless_busy(struct dev_spec *spec, const char *ctx)
{
	return open_backend(spec, ctx, 1);
}

void backend_close(struct dev_spec *spec)
{
	if (spec->dev.backend_fd >= 0)
		close(spec->dev.backend_fd);
	spec->dev.backend_fd = -1;
	tap_close(spec);
}

int dev_add(int fd, struct dev_spec *spec, const char *ctx)
{
	struct hvv_dev_config *d = &spec->dev;

	d->pad = 0;
	memset(d->name, 0, sizeof(d->name));
	d->index = 0;
	if (d->type == HVV_DEV_NET) {
		memset(d->net.pad, 0, sizeof(d->net.pad));
		/* Where the fds are now, should @spec have been copied. */
		d->net.tap_fds = spec->nr_tap_fds ?
				 (__u64)(uintptr_t)spec->tap_fds : 0;
	}
	if (ctl_ioctl(fd, HVV_DEV_ADD, d, OP_DEV_ADD, ctx))
		return -1;
	d->name[HVV_NAME_LEN - 1] = '\0';
	return 0;
}

void dev_print_created(const struct hvv_dev_config *dev)
{
	if (dev->type == HVV_DEV_CONSOLE)
		printf("%s /dev/ttyHV%u\n", dev->name, dev->index);
	else
		printf("%s\n", dev->name);
}
