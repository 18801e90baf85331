/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_BACKEND_H
#define _HV_BACKEND_H

#include <linux/list.h>
#include <linux/types.h>

struct hv_dev;
struct hvv_dev;
struct module;

/**
 * struct hv_backend - a device type, registered by its backend
 * @type: HVV_DEV_* of the uapi
 * @name: its name in messages ("blk")
 * @owner: the module that implements it; a device holds a reference
 *	on it from its creation to its release (not on hvisor_vhost itself,
 *	whose unload removes every device first)
 * @create: create an initialised, not yet started device from a
 *	configuration (process context, hv_ctl_lock held); returns the
 *	device or an ERR_PTR
 * @node: in the table of backends (hv_backends_lock)
 */
struct hv_backend {
	u32 type;
	const char *name;
	struct module *owner;
	struct hv_dev *(*create)(const struct hvv_dev *ud);
	struct list_head node;
};

int hv_backend_register(struct hv_backend *backend);
void hv_backend_unregister(struct hv_backend *backend);
struct hv_dev *hv_backend_create(const struct hvv_dev *ud);
void hv_backend_put(struct module *owner);

/* The backends built into hvisor_vhost.ko; main.c starts them. */
int hv_console_init(void);
void hv_console_exit(void);
int hv_blk_init(void);
void hv_blk_exit(void);

#endif /* _HV_BACKEND_H */
