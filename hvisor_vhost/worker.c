// SPDX-License-Identifier: GPL-2.0
/*
 * Worker threads: one kernel thread per virtqueue, woken by kicks.
 *
 * A kick sets a bit and wakes the thread; the thread clears the bit before
 * it runs the work function, so a kick that lands while the function runs
 * causes one more run. The work function bounds its own run (a budget) and
 * the loop yields between runs.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/kthread.h>
#include <linux/sched.h>

#include "worker.h"

#define HV_WORKER_KICK	0

static int hv_worker_thread(void *arg)
{
	struct hv_worker *w = arg;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		if (!test_and_clear_bit(HV_WORKER_KICK, &w->kicked)) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		if (w->fn(w->data))
			set_bit(HV_WORKER_KICK, &w->kicked);
		cond_resched();
	}
	return 0;
}

/**
 * hv_worker_start - create and start a worker thread
 * @w: the worker
 * @fn: work function
 * @data: its argument
 * @dev_name: device name, and
 * @queue: queue index, for the thread name "hv-<dev_name>-q<queue>" (as ps
 *	shows it: truncated to TASK_COMM_LEN - 1 = 15 characters)
 *
 * Return: 0 or a negative errno.
 */
int hv_worker_start(struct hv_worker *w, bool (*fn)(void *), void *data,
		    const char *dev_name, unsigned int queue)
{
	struct task_struct *task;

	w->fn = fn;
	w->data = data;
	w->kicked = 0;
	task = kthread_run(hv_worker_thread, w, "hv-%s-q%u", dev_name, queue);
	if (IS_ERR(task))
		return PTR_ERR(task);
	w->task = task;
	return 0;
}

/**
 * hv_worker_kick - make the worker run its function (soon)
 * @w: the worker
 *
 * Callable from any context.
 */
void hv_worker_kick(struct hv_worker *w)
{
	if (!test_and_set_bit(HV_WORKER_KICK, &w->kicked))
		wake_up_process(w->task);
}

/**
 * hv_worker_stop - stop the thread; the function has returned afterwards
 * @w: the worker (may never have been started)
 */
void hv_worker_stop(struct hv_worker *w)
{
	if (!w->task)
		return;
	kthread_stop(w->task);
	w->task = NULL;
}
