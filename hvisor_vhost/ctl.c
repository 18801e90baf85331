// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane: ioctls on /dev/hvisor_vhost (uapi/linux/hvisor_vhost.h).
 *
 * Every structure is copied in once and checked here for what the uapi
 * promises (zeroed padding and reserved fields, known flags, terminated
 * strings, HVV_DEV_ADD's size convention); semantic checks are the
 * registry's and the backends'.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/hvisor_vhost.h>

#include "ctl.h"
#include "registry.h"

static bool hvv_all_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static bool hvv_name_ok(const char *name, size_t size)
{
	size_t len = strnlen(name, size);

	return len && len < size;
}

static long hvv_ctl_zone_add(void __user *arg)
{
	struct hvv_zone_config *uz;
	long ret;

	uz = memdup_user(arg, sizeof(*uz));
	if (IS_ERR(uz))
		return PTR_ERR(uz);
	if (uz->flags || uz->pad ||
	    (uz->nr_regions <= HVV_MAX_REGIONS &&
	     !hvv_all_zero(&uz->regions[uz->nr_regions],
			  sizeof(uz->regions[0]) *
			  (HVV_MAX_REGIONS - uz->nr_regions))))
		ret = -EINVAL;
	else
		ret = hvv_registry_add_zone(uz);
	kfree(uz);
	return ret;
}

static long hvv_ctl_zone_id(unsigned int cmd, void __user *arg)
{
	struct hvv_zone_id uz;

	if (copy_from_user(&uz, arg, sizeof(uz)))
		return -EFAULT;
	if (uz.pad)
		return -EINVAL;
	if (cmd == HVV_ZONE_DEL)
		return hvv_registry_del_zone(uz.zone_id);
	return hvv_registry_reset_zone(uz.zone_id);
}

/*
 * The union of @ud: for a type this module serves, known flags, zero
 * padding and zero bytes past the type's part; for another type (served
 * by a backend module this one does not know, or by none), the backend's
 * business. Returns what is wrong, or NULL.
 */
static const char *hvv_dev_part_error(const struct hvv_dev_config *ud)
{
	size_t size;

	switch (ud->type) {
	case HVV_DEV_BLK:
		if (ud->blk.flags & ~HVV_BLK_F_ALL)
			return "unknown blk flags";
		size = sizeof(ud->blk);
		break;
	case HVV_DEV_NET:
		if (ud->net.flags & ~HVV_NET_F_ALL)
			return "unknown net flags";
		if (!hvv_all_zero(ud->net.pad, sizeof(ud->net.pad)))
			return "net padding not zero";
		size = sizeof(ud->net);
		break;
	case HVV_DEV_CONSOLE:
		if (ud->console.flags & ~HVV_CONSOLE_F_ALL)
			return "unknown console flags";
		if (ud->console.pad)
			return "console padding not zero";
		size = sizeof(ud->console);
		break;
	default:
		return NULL;
	}
	if (!hvv_all_zero((const u8 *)ud->reserved + size,
			  sizeof(ud->reserved) - size))
		return "bytes past the type's part not zero";
	return NULL;
}

/* Copy the out fields, name and index, back to the caller's structure. */
static int hvv_dev_config_out(const struct hvv_dev_config *ud,
			      void __user *arg)
{
	const size_t start = offsetof(struct hvv_dev_config, name);
	const size_t end = offsetofend(struct hvv_dev_config, index);

	return copy_to_user((u8 __user *)arg + start, (const u8 *)ud + start,
			    end - start) ? -EFAULT : 0;
}

/*
 * HVV_DEV_ADD with a struct hvv_dev_config of @usize bytes, the caller's
 * sizeof() (the uapi header's convention): a larger one must be zero past
 * ours (E2BIG otherwise), a smaller one is zero-extended down to
 * HVV_DEV_CONFIG_SIZE_VER0, which holds every out field.
 */
static long hvv_ctl_dev_add(void __user *arg, size_t usize)
{
	struct hvv_dev_config ud;
	const char *why;
	long ret;

	BUILD_BUG_ON(sizeof(ud) > _IOC_SIZEMASK);
	BUILD_BUG_ON(offsetofend(struct hvv_dev_config, index) >
		     HVV_DEV_CONFIG_SIZE_VER0);
	if (usize < HVV_DEV_CONFIG_SIZE_VER0)
		return -EINVAL;
	ret = copy_struct_from_user(&ud, sizeof(ud), arg, usize);
	if (ret)
		return ret;
	/* Type 0 is no virtio device, whatever the backends. */
	if (!ud.type)
		why = "type 0";
	else if (ud.pad || ud.flags & ~HVV_DEV_F_ALL)
		why = "unknown flags or padding not zero";
	else if (!hvv_all_zero(ud.name, sizeof(ud.name)) || ud.index)
		why = "out fields (name, index) not zero";
	else
		why = hvv_dev_part_error(&ud);
	if (why) {
		pr_err_ratelimited("HVV_DEV_ADD: %s\n", why);
		return -EINVAL;
	}
	/*
	 * The name is returned in @arg: find out whether it can be before
	 * a backend opens anything (the out fields are zero: nothing
	 * changes). The registry copies it out again before the device is
	 * reachable, in case another thread unmapped @arg meanwhile.
	 */
	ret = hvv_dev_config_out(&ud, arg);
	if (ret)
		return ret;
	return hvv_registry_add_dev(&ud, hvv_dev_config_out, arg);
}

static long hvv_ctl_dev_name(unsigned int cmd, void __user *arg)
{
	struct hvv_dev_name un;

	if (copy_from_user(&un, arg, sizeof(un)))
		return -EFAULT;
	if (!hvv_name_ok(un.name, sizeof(un.name)))
		return -EINVAL;
	if (cmd == HVV_DEV_DEL)
		return hvv_registry_del_dev(un.name);
	return hvv_registry_resize_dev(un.name);
}

static long hvv_ctl_dev_info(void __user *arg)
{
	struct hvv_dev_info info = {};
	long ret;

	if (copy_from_user(info.name, arg, sizeof(info.name)))
		return -EFAULT;
	if (!hvv_name_ok(info.name, sizeof(info.name)))
		return -EINVAL;
	ret = hvv_registry_dev_info(&info);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long hvv_ctl_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct hvv_version ver = {
		.api_version = HVV_API_VERSION,
		.max_regions = HVV_MAX_REGIONS,
	};

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	/* HVV_DEV_ADD of any size: see hvv_ctl_dev_add(). */
	if (_IOC_TYPE(cmd) == HVV_IOC_MAGIC &&
	    _IOC_NR(cmd) == _IOC_NR(HVV_DEV_ADD) &&
	    _IOC_DIR(cmd) == (_IOC_READ | _IOC_WRITE))
		return hvv_ctl_dev_add(uarg, _IOC_SIZE(cmd));

	switch (cmd) {
	case HVV_GET_VERSION:
		return copy_to_user(uarg, &ver, sizeof(ver)) ? -EFAULT : 0;
	case HVV_ZONE_ADD:
		return hvv_ctl_zone_add(uarg);
	case HVV_ZONE_DEL:
	case HVV_ZONE_RESET:
		return hvv_ctl_zone_id(cmd, uarg);
	case HVV_DEV_DEL:
	case HVV_DEV_RESIZE:
		return hvv_ctl_dev_name(cmd, uarg);
	case HVV_DEV_INFO:
		return hvv_ctl_dev_info(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hvv_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hvv_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hvv_ctl_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hvisor_vhost",
	.fops = &hvv_ctl_fops,
	.mode = 0600,
};

int hvv_ctl_init(void)
{
	return misc_register(&hvv_ctl_misc);
}

void hvv_ctl_exit(void)
{
	misc_deregister(&hvv_ctl_misc);
}
