/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_DISPATCH_H
#define _HVV_DISPATCH_H

#include <linux/types.h>

struct hvv_dev;
struct hvisor_device_req;

void hvv_dispatch_add(struct hvv_dev *dev);
void hvv_dispatch_remove(struct hvv_dev *dev);
int hvv_dispatch(const struct hvisor_device_req *req, u64 *value);

#endif /* _HVV_DISPATCH_H */
