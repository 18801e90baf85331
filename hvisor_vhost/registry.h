/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_REGISTRY_H
#define _HVV_REGISTRY_H

#include <linux/types.h>

struct hvisor_provider;
struct hvv_dev_config;
struct hvv_dev_info;
struct hvv_zone_config;

int hvv_registry_attach(const struct hvisor_provider *prov);
void hvv_registry_detach(const struct hvisor_provider *prov, bool free_bridge);
int hvv_registry_add_zone(const struct hvv_zone_config *uz);
int hvv_registry_del_zone(u32 zone_id);
int hvv_registry_reset_zone(u32 zone_id);
int hvv_registry_add_dev(struct hvv_dev_config *ud,
			 int (*report)(const struct hvv_dev_config *ud,
				       void __user *uarg),
			 void __user *uarg);
int hvv_registry_del_dev(const char *name);
int hvv_registry_dev_info(struct hvv_dev_info *info);
int hvv_registry_resize_dev(const char *name);
struct attribute_group;
extern const struct attribute_group hvv_registry_class_group;

#endif /* _HVV_REGISTRY_H */
