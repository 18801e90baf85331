/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_WORKER_H
#define _HVV_WORKER_H

#include <linux/bitops.h>
#include <linux/mutex.h>
#include <linux/sched.h>

struct task_struct;

/* Bits of hvv_worker.state */
#define HVV_WORKER_KICK		0
#define HVV_WORKER_RUNNING	1

/**
 * struct hvv_worker - a kernel thread that runs one function when kicked
 * @task: the thread
 * @fn: work function; runs in the thread, may sleep; returns true when it
 *	stopped early because its budget ran out (it is then run again)
 * @data: argument of @fn
 * @state: two bits (atomic bit operations): HVV_WORKER_KICK, set by
 *	hvv_worker_kick() and cleared by the thread before it calls @fn, so
 *	that a kick arriving while @fn runs is never lost; HVV_WORKER_RUNNING,
 *	set by the thread while it runs @fn
 * @run_lock: held by the thread while @fn runs; hvv_worker_sync() takes it
 *	to wait for the end of a run
 */
struct hvv_worker {
	struct task_struct *task;
	bool (*fn)(void *data);
	void *data;
	unsigned long state;
	struct mutex run_lock;	/* one run of @fn */
};

int hvv_threads_init(void);
void hvv_threads_exit(void);
unsigned int hvv_threads_take_turns(unsigned int nr);
struct task_struct *hvv_thread_run(int (*fn)(void *), void *data,
				   unsigned int turn, const char *namefmt, ...)
	__printf(4, 5);
int hvv_threads_irq_affinity(unsigned int irq);

int hvv_worker_start(struct hvv_worker *w, bool (*fn)(void *), void *data,
		     unsigned int turn, const char *dev_name, unsigned int queue);
void hvv_worker_stop(struct hvv_worker *w);
void hvv_worker_kick(struct hvv_worker *w);
void hvv_worker_sync(struct hvv_worker *w);
bool hvv_worker_is_current(const struct hvv_worker *w);
bool hvv_worker_busy(const struct hvv_worker *w);

#endif /* _HVV_WORKER_H */
