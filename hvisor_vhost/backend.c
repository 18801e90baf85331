// SPDX-License-Identifier: GPL-2.0
/*
 * The table of device types. Each backend registers its type; creating a
 * device looks the type up here, so that the core knows no backend. A
 * type that no loaded module serves is asked for once by its module
 * alias, "hvisor_vhost-type-N", with N its HVV_DEV_* number: a backend
 * built as its own module (one that needs other modules, as net needs
 * tun) is then loaded on its first use, and hvisor_vhost.ko itself loads
 * without it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/err.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/hvisor_vhost.h>

#include "backend.h"
#include "dev.h"

/* Registered backends; hvv_backends_lock serialises the list. */
static LIST_HEAD(hvv_backends);
static DEFINE_MUTEX(hvv_backends_lock);

static struct hvv_backend *hvv_backend_find(u32 type)
{
	struct hvv_backend *b;

	lockdep_assert_held(&hvv_backends_lock);
	list_for_each_entry(b, &hvv_backends, node)
		if (b->type == type)
			return b;
	return NULL;
}

/**
 * hvv_backend_register - serve a device type
 * @backend: the type; stays registered until hvv_backend_unregister()
 *
 * Return: 0, or -EEXIST if the type is already served.
 */
int hvv_backend_register(struct hvv_backend *backend)
{
	int ret = 0;

	mutex_lock(&hvv_backends_lock);
	if (hvv_backend_find(backend->type))
		ret = -EEXIST;
	else
		list_add_tail(&backend->node, &hvv_backends);
	mutex_unlock(&hvv_backends_lock);
	if (ret)
		pr_err("device type %u (%s) is registered twice\n",
		       backend->type, backend->name);
	return ret;
}

/**
 * hvv_backend_unregister - stop serving a device type
 * @backend: a registered type; its module's devices are gone (they hold
 *	a reference on it)
 */
void hvv_backend_unregister(struct hvv_backend *backend)
{
	mutex_lock(&hvv_backends_lock);
	list_del(&backend->node);
	mutex_unlock(&hvv_backends_lock);
}

/* The backend of @type with a reference on its module, or NULL. */
static struct hvv_backend *hvv_backend_get(u32 type)
{
	struct hvv_backend *b;

	mutex_lock(&hvv_backends_lock);
	b = hvv_backend_find(type);
	if (b && b->owner != THIS_MODULE && !try_module_get(b->owner))
		b = NULL;	/* on its way out */
	mutex_unlock(&hvv_backends_lock);
	return b;
}

/**
 * hvv_backend_put - drop the reference a device held on its backend
 * @owner: the device's hvv_dev.owner, read before the device was released
 */
void hvv_backend_put(struct module *owner)
{
	if (owner != THIS_MODULE)
		module_put(owner);
}

/**
 * hvv_backend_create - create a device of the requested type
 * @ud: from userspace
 *
 * Process context, hvv_ctl_lock held.
 *
 * Return: the initialised (not yet started) device, or an ERR_PTR:
 * -EOPNOTSUPP if no backend serves the type.
 */
struct hvv_dev *hvv_backend_create(const struct hvv_dev_config *ud)
{
	struct hvv_backend *b = hvv_backend_get(ud->type);
	struct hvv_dev *dev;

	if (!b && !request_module("hvisor_vhost-type-%u", ud->type))
		b = hvv_backend_get(ud->type);
	if (!b) {
		pr_err("device type %u is not supported\n", ud->type);
		return ERR_PTR(-EOPNOTSUPP);
	}
	dev = b->create(ud);
	if (IS_ERR(dev))
		hvv_backend_put(b->owner);
	else
		dev->owner = b->owner;
	return dev;
}
