/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SYSFS_H
#define _HV_SYSFS_H

struct hv_dev;

int hv_sysfs_init(void);
void hv_sysfs_exit(void);
int hv_sysfs_add(struct hv_dev *dev);
void hv_sysfs_remove(struct hv_dev *dev);
void hv_sysfs_hide(struct hv_dev *dev);

#endif /* _HV_SYSFS_H */
