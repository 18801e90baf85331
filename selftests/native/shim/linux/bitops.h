/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_BITOPS_H
#define _HV_SHIM_LINUX_BITOPS_H

#include <linux/bits.h>
#include <linux/types.h>

static inline void set_bit(unsigned int nr, unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] |= BIT(nr % BITS_PER_LONG);
}

static inline void clear_bit(unsigned int nr, unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] &= ~BIT(nr % BITS_PER_LONG);
}

static inline bool test_bit(unsigned int nr, const unsigned long *addr)
{
	return addr[nr / BITS_PER_LONG] & BIT(nr % BITS_PER_LONG);
}

static inline void __clear_bit(unsigned int nr, unsigned long *addr)
{
	clear_bit(nr, addr);
}

static inline bool __test_and_set_bit(unsigned int nr, unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	set_bit(nr, addr);
	return old;
}

static inline bool __test_and_clear_bit(unsigned int nr, unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	clear_bit(nr, addr);
	return old;
}

/* One thread here: the atomic ones are the plain ones. */
static inline bool test_and_set_bit(unsigned int nr, unsigned long *addr)
{
	return __test_and_set_bit(nr, addr);
}

static inline bool test_and_clear_bit(unsigned int nr, unsigned long *addr)
{
	return __test_and_clear_bit(nr, addr);
}

#endif /* _HV_SHIM_LINUX_BITOPS_H */
