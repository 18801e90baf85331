/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace stand-in for what kbuild force-includes
 * (linux/compiler_types.h) and for the little of the kernel's compiler,
 * byte order and barrier headers the native build needs. Given to the
 * compiler with -include, before any file of hvisor_vhost/.
 *
 * The code runs single-threaded here: barriers are compiler barriers,
 * READ_ONCE()/WRITE_ONCE() relaxed atomic accesses (which ASan checks
 * like any other access).
 */
#ifndef _HV_SHIM_H
#define _HV_SHIM_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define __force
#define __user
#define __iomem
#define __rcu
#define __must_check		__attribute__((__warn_unused_result__))
#define noinline		__attribute__(( \
					__noinline__))
/*
 * The fuzz targets' comparisons of the code with their model (equal in
 * every run that passes: no guidance for libFuzzer, and a third of some
 * targets' time) are not instrumented for it; noinline too, as a function
 * inlined is instrumented as its caller.
 */
#define __no_sanitize_coverage	__attribute__(( \
					no_sanitize("coverage")))
/* printf format checking */
#define __printf(a, b)		__attribute__((__format__(printf, \
							  a, b)))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

/* Full barrier: orders earlier loads and stores before later ones. */
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
/* Read barrier: earlier loads before later loads (acquire is stronger). */
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
/* Write barrier: earlier stores before later stores (release). */
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)

/* The native lane is x86_64: little-endian, like the ring layout. */
#define le16_to_cpu(x)		((__u16)le16toh((__u16)(x)))
#define le32_to_cpu(x)		((__u32)le32toh((__u32)(x)))
#define le64_to_cpu(x)		((__u64)le64toh((__u64)(x)))
#define cpu_to_le16(x)		((__u16)htole16((__u16)(x)))
#define cpu_to_le32(x)		((__u32)htole32((__u32)(x)))
#define cpu_to_le64(x)		((__u64)htole64((__u64)(x)))

#endif /* _HV_SHIM_H */
