/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_OVERFLOW_H
#define _HV_SHIM_LINUX_OVERFLOW_H

#include <stddef.h>
#include <stdint.h>

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

/* Saturates at SIZE_MAX, so that an allocation of it fails. */
static inline size_t hv_shim_struct_size(size_t base, size_t elem, size_t n)
{
	size_t bytes;

	if (__builtin_mul_overflow(elem, n, &bytes) ||
	    __builtin_add_overflow(bytes, base, &bytes))
		return SIZE_MAX;
	return bytes;
}

#define struct_size(p, member, n) ({					\
	__typeof__(p) hv_p = NULL;					\
	hv_shim_struct_size(sizeof(*hv_p), sizeof(hv_p[0].member[0]), (n)); })

#endif /* _HV_SHIM_LINUX_OVERFLOW_H */
