/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_SORT_H
#define _HV_SHIM_LINUX_SORT_H

#include <linux/types.h>

typedef int (*cmp_func_t)(const void *a, const void *b);
typedef void (*swap_func_t)(void *a, void *b, int size);

void sort(void *base, size_t num, size_t size, cmp_func_t cmp_func,
	  swap_func_t swap_func);

#endif /* _HV_SHIM_LINUX_SORT_H */
