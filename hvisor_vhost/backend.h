/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_BACKEND_H
#define _HVV_BACKEND_H

#include <linux/list.h>
#include <linux/types.h>

struct hvv_dev;
struct hvv_dev_config;
struct module;

/**
 * struct hvv_backend - a device type, registered by its backend
 * @type: HVV_DEV_* of the uapi
 * @name: its name in messages ("blk")
 * @owner: the module that implements it; a device holds a reference
 *	on it from its creation to its release (not on hvisor_vhost itself,
 *	whose unload removes every device first)
 * @create: create an initialised, not yet started device from a
 *	configuration (process context, hvv_ctl_lock held); returns the
 *	device or an ERR_PTR. ctl.c has checked the union's part of the
 *	types it knows (flags, padding, zero past it); a backend of another
 *	type checks its own.
 * @node: in the table of backends (hvv_backends_lock)
 */
struct hvv_backend {
	u32 type;
	const char *name;
	struct module *owner;
	struct hvv_dev *(*create)(const struct hvv_dev_config *ud);
	struct list_head node;
};

int hvv_backend_register(struct hvv_backend *backend);
void hvv_backend_unregister(struct hvv_backend *backend);
struct hvv_dev *hvv_backend_create(const struct hvv_dev_config *ud);
void hvv_backend_put(struct module *owner);

/* The backends built into hvisor_vhost.ko; main.c starts them. */
int hvv_console_init(void);
void hvv_console_exit(void);
int hvv_blk_init(void);
void hvv_blk_exit(void);
int hvv_net_init(void);
void hvv_net_exit(void);

#endif /* _HVV_BACKEND_H */
