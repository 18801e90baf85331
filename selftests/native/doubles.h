/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test doubles of what vq.c and mmio.c call in dev.c and worker.c, with
 * the effects dev.h documents, recording every call in hv_calls; and a
 * test device (its backend ops record their calls too).
 */
#ifndef _HV_NATIVE_DOUBLES_H
#define _HV_NATIVE_DOUBLES_H

#include "dev.h"
#include "zone.h"

struct hv_calls {
	unsigned int broken;		/* hvv_dev_broken() */
	const char *broken_reason;
	unsigned int raise;		/* hvv_dev_raise() */
	u32 raise_bits;			/* their bits, or'ed */
	unsigned int injections;	/* interrupts sent (raise, broken) */
	unsigned int deassert;		/* hvv_dev_deassert() */
	unsigned int reset;		/* hvv_dev_reset() */
	int reset_waiter;
	unsigned int release;		/* hvv_dev_release() */
	int release_waiter;
	unsigned int kick_all;		/* hvv_dev_kick_all() */
	unsigned int kicks[HVV_MAX_QUEUES];	/* hvv_worker_kick() per queue */
	unsigned int status_changed;	/* ops->status_changed() */
	u32 status_old;
	u32 status_new;
	unsigned int config_write;	/* ops->config_write() */
	u32 config_off;
	u32 config_size;
	u64 config_val;
};

extern struct hv_calls hv_calls;

void hv_calls_clear(void);

/* The test device: device ID 3 (console), the backend ops record. */
extern const struct hvv_dev_ops hv_tdev_ops;
/* The same without config_write (config space read-only). */
extern const struct hvv_dev_ops hv_tdev_ops_ro;

/*
 * Initialise @dev as hvv_dev_init() does (queues allocated with
 * hvv_vq_alloc()); @features get VERSION_1, INDIRECT_DESC and EVENT_IDX
 * added. Returns 0 or -ENOMEM.
 */
int hv_tdev_init(struct hvv_dev *dev, const struct hvv_dev_ops *ops,
		 struct hvv_zone *zone, unsigned int nr_queues, u16 num_max,
		 u64 features);
void hv_tdev_fini(struct hvv_dev *dev);

/* Register access as the dispatcher makes it (size 4). */
u32 hv_tdev_read(struct hvv_dev *dev, u64 off);
bool hv_tdev_write(struct hvv_dev *dev, u64 off, u32 value);
/* The driver's init: ACKNOWLEDGE, DRIVER, @features, FEATURES_OK. */
void hv_tdev_negotiate(struct hvv_dev *dev, u64 features);
/* Configure and enable queue @q; returns QueueReady read back. */
u32 hv_tdev_queue(struct hvv_dev *dev, u32 q, u32 num, u64 desc, u64 avail,
		  u64 used);
/* Set DRIVER_OK. */
void hv_tdev_driver_ok(struct hvv_dev *dev);

/*
 * Guest memory of a zone made from @regs (as hvv_zone_create() got
 * them): the root's view of @gpa, found without zone.c, or NULL.
 */
void *hv_tgpa(const struct hvv_mem_region *regs, unsigned int nr, u64 gpa);

/*
 * The zone of the vq and mmio tests: RAM at gpa [0, 0x2000) and [0x2000,
 * 0x3000) (adjacent, so a buffer may span both), and [0x10000, 0x11000)
 * after a gap.
 */
#define HV_TLAYOUT_NR	3
extern const struct hvv_mem_region hv_tlayout[HV_TLAYOUT_NR];
/* hvv_zone_create() of hv_tlayout as zone 1; NULL if it failed. */
struct hvv_zone *hv_tzone(void);
/* The root's view of @gpa in that zone (hv_tgpa() of hv_tlayout). */
void *hv_tmem(u64 gpa);

#endif /* _HV_NATIVE_DOUBLES_H */
