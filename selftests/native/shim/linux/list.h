/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_LIST_H
#define _HV_SHIM_LINUX_LIST_H

#include <linux/types.h>

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

#endif /* _HV_SHIM_LINUX_LIST_H */
