/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_ATOMIC_H
#define _HV_SHIM_LINUX_ATOMIC_H

#include <linux/types.h>

typedef struct { s64 counter; } atomic64_t;
/* As the kernel's on 64-bit machines. */
#define atomic_long_t atomic64_t

static inline s64 atomic64_read(const atomic64_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic64_set(atomic64_t *v, s64 i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic64_add(s64 i, atomic64_t *v)
{
	__atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic64_inc(atomic64_t *v)
{
	atomic64_add(1, v);
}

static inline void atomic64_dec(atomic64_t *v)
{
	atomic64_add(-1, v);
}

#endif /* _HV_SHIM_LINUX_ATOMIC_H */
