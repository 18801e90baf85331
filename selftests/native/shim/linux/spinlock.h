/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Spinlocks that check their use: taking a lock already held (a deadlock
 * in the kernel), releasing one not held, and lockdep_assert_held() on a
 * lock not held abort the program with a message.
 */
#ifndef _HV_SHIM_LINUX_SPINLOCK_H
#define _HV_SHIM_LINUX_SPINLOCK_H

#include <linux/types.h>

typedef struct { s32 held; } spinlock_t;

void hv_shim_lock(spinlock_t *lock, const char *what);
void hv_shim_unlock(spinlock_t *lock, const char *what);
void hv_shim_assert_held(const spinlock_t *lock, const char *what);

#define spin_lock_init(l)	((l)->held = 0)
#define spin_lock(l)		hv_shim_lock(l, #l)
#define spin_unlock(l)		hv_shim_unlock(l, #l)
#define spin_lock_irqsave(l, flags) \
	do { (flags) = 0; hv_shim_lock(l, #l); } while (0)
#define spin_unlock_irqrestore(l, flags) \
	do { (void)(flags); hv_shim_unlock(l, #l); } while (0)
#define lockdep_assert_held(l)	hv_shim_assert_held(l, #l)

#endif /* _HV_SHIM_LINUX_SPINLOCK_H */
