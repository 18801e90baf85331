/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_SYSFS_H
#define _HVV_SYSFS_H

struct hvv_dev;

int hvv_sysfs_init(void);
void hvv_sysfs_exit(void);
int hvv_sysfs_add(struct hvv_dev *dev);
void hvv_sysfs_remove(struct hvv_dev *dev);
void hvv_sysfs_hide(struct hvv_dev *dev);

#endif /* _HVV_SYSFS_H */
