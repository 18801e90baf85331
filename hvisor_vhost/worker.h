/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_WORKER_H
#define _HV_WORKER_H

#include <linux/bitops.h>
#include <linux/mutex.h>
#include <linux/sched.h>

struct task_struct;

/**
 * struct hv_worker - a kernel thread that runs one function when kicked
 * @task: the thread
 * @fn: work function; runs in the thread, may sleep; returns true when it
 *	stopped early because its budget ran out (it is then run again)
 * @data: argument of @fn
 * @kicked: bit 0 set by hv_worker_kick(), cleared by the thread before it
 *	calls @fn, so a kick that arrives while @fn runs is never lost
 * @run_lock: held by the thread while @fn runs; hv_worker_sync() takes it
 *	to wait for the end of a run
 */
struct hv_worker {
	struct task_struct *task;
	bool (*fn)(void *data);
	void *data;
	unsigned long kicked;
	struct mutex run_lock;	/* one run of @fn */
};

int hv_threads_init(void);
void hv_threads_exit(void);
struct task_struct *hv_thread_run(int (*fn)(void *), void *data,
				  const char *namefmt, ...) __printf(3, 4);
int hv_threads_irq_affinity(unsigned int irq);

int hv_worker_start(struct hv_worker *w, bool (*fn)(void *), void *data,
		    const char *dev_name, unsigned int queue);
void hv_worker_stop(struct hv_worker *w);
void hv_worker_kick(struct hv_worker *w);
void hv_worker_sync(struct hv_worker *w);
bool hv_worker_is_current(const struct hv_worker *w);

#endif /* _HV_WORKER_H */
