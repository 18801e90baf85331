/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_DISPATCH_H
#define _HV_DISPATCH_H

#include <linux/types.h>

struct hv_dev;
struct hvisor_device_req;

void hv_dispatch_add(struct hv_dev *dev);
void hv_dispatch_remove(struct hv_dev *dev);
int hv_dispatch(const struct hvisor_device_req *req, u64 *value);

#endif /* _HV_DISPATCH_H */
