/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_REGISTRY_H
#define _HV_REGISTRY_H

#include <linux/types.h>

struct hvisor_provider;
struct hvv_dev;
struct hvv_dev_info;
struct hvv_zone;

int hv_registry_attach(const struct hvisor_provider *prov);
void hv_registry_detach(const struct hvisor_provider *prov, bool free_bridge);
int hv_registry_add_zone(const struct hvv_zone *uz);
int hv_registry_del_zone(u32 zone_id);
int hv_registry_reset_zone(u32 zone_id);
int hv_registry_add_dev(struct hvv_dev *ud);
int hv_registry_del_dev(const char *name);
int hv_registry_dev_info(struct hvv_dev_info *info);
int hv_registry_resize_dev(const char *name);
ssize_t hv_registry_show_zones(char *buf);
ssize_t hv_registry_show_detached(char *buf);

#endif /* _HV_REGISTRY_H */
