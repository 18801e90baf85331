/* SPDX-License-Identifier: GPL-2.0 */
/* The pieces of <linux/kernel.h> the module uses. */
#ifndef _HV_SHIM_LINUX_KERNEL_H
#define _HV_SHIM_LINUX_KERNEL_H

#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/types.h>

#define U16_MAX			((u16)~0U)
#define U32_MAX			((u32)~0U)
#define U64_MAX			((u64)~0ULL)

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Type-checked like the kernel's: comparing distinct types warns. */
#define min(a, b) ({					\
	__typeof__(a) _min_a = (a);			\
	__typeof__(b) _min_b = (b);			\
	(void)(&_min_a == &_min_b);			\
	_min_a < _min_b ? _min_a : _min_b; })
#define max(a, b) ({					\
	__typeof__(a) _max_a = (a);			\
	__typeof__(b) _max_b = (b);			\
	(void)(&_max_a == &_max_b);			\
	_max_a > _max_b ? _max_a : _max_b; })
#define min_t(type, a, b)	min((type)(a), (type)(b))
#define max_t(type, a, b)	max((type)(a), (type)(b))

#endif /* _HV_SHIM_LINUX_KERNEL_H */
