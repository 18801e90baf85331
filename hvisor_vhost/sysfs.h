/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_SYSFS_H
#define _HVV_SYSFS_H

#include <linux/version.h>

struct attribute_group;
struct hvv_dev;

/* Class attribute callbacks take const pointers since 6.4. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define HVV_CLASS_CONST const
#else
#define HVV_CLASS_CONST
#endif

/* And the class's dev_uevent() a const device since 6.3. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define HVV_UEVENT_CONST const
#else
#define HVV_UEVENT_CONST
#endif

int hvv_sysfs_init(const struct attribute_group *above);
void hvv_sysfs_exit(void);
int hvv_sysfs_add(struct hvv_dev *dev);
void hvv_sysfs_remove(struct hvv_dev *dev);
void hvv_sysfs_hide(struct hvv_dev *dev);

#endif /* _HVV_SYSFS_H */
