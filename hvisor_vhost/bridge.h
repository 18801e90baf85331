/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_BRIDGE_H
#define _HVV_BRIDGE_H

#include <linux/types.h>

struct hvisor_device_req;
struct hvisor_provider;

/* A handler's return: the access is answered later, by hvv_bridge_answer(). */
#define HVV_REQ_DEFERRED		1

/**
 * typedef hvv_req_handler_t - serves one trapped access
 * @req: the request (copied out of the ring); for writes, value is masked
 *	to the access size
 * @value: the value read (ignored for writes); the bridge zero-extends it
 *
 * Dispatcher context: the wake-up IRQ (hard interrupt context) or the
 * dispatcher thread, never both at once; must not sleep or do I/O.
 * Return: 0, or HVV_REQ_DEFERRED for a synchronous request the handler
 * will answer itself, exactly once, with hvv_bridge_answer().
 */
typedef int (*hvv_req_handler_t)(const struct hvisor_device_req *req,
				u64 *value);

/**
 * struct hvv_bridge_stats - bridge counters (read racily for reporting)
 * @requests: requests consumed
 * @completions: synchronous requests answered at once (by the consumer)
 * @deferred: synchronous requests left to their device to answer later
 * @bad_cpu: synchronous requests with src_cpu out of range (unanswerable)
 * @wakeups: wake-up IRQs taken
 * @irq_requests: requests served in the wake-up IRQ
 * @irq_handoffs: wake-up IRQs that left requests to the dispatcher
 * @sleeps: times the dispatcher slept
 * @results: interrupts pushed to res_list
 * @finish_req: HVISOR_HC_FINISH_REQ hypercalls
 */
struct hvv_bridge_stats {
	u64 requests;
	u64 completions;
	u64 deferred;
	u64 bad_cpu;
	u64 wakeups;
	u64 irq_requests;
	u64 irq_handoffs;
	u64 sleeps;
	u64 results;
	u64 finish_req;
};

int hvv_bridge_start(const struct hvisor_provider *prov,
		     hvv_req_handler_t handler, bool free_page);
void hvv_bridge_stop(const struct hvisor_provider *prov, bool free_page);
void hvv_bridge_push_result(u32 zone, u32 irq);
void hvv_bridge_finish(void);
void hvv_bridge_flush(void);
void hvv_bridge_answer(u32 cpu, u64 value);
void hvv_bridge_deassert(u32 zone, u32 irq);
void hvv_bridge_get_stats(struct hvv_bridge_stats *stats);

#endif /* _HVV_BRIDGE_H */
