// SPDX-License-Identifier: GPL-2.0
/*
 * Worker threads: one kernel thread per virtqueue, woken by kicks.
 *
 * A kick sets a bit and wakes the thread; the thread clears the bit before
 * it runs the work function, so a kick that lands while the function runs
 * causes one more run. The work function bounds its own run (a budget) and
 * the loop yields between runs. hvv_worker_sync() waits for the end of the
 * current run, so that state changed before it is seen by every later run.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "worker.h"

static char *cpus;
module_param(cpus, charp, 0444);
MODULE_PARM_DESC(cpus,
		 "CPUs (cpulist) for the dispatcher, the queue workers and the wake-up IRQ; default all. Keep them off CPUs that zones or RT work use");

/* The CPUs of our threads; set at module load, read-only afterwards. */
static cpumask_var_t hvv_thread_cpus;
/* The next thread's turn (see hvv_threads_take_turns()); atomic. */
static atomic_t hvv_thread_turn = ATOMIC_INIT(0);

/**
 * hvv_threads_init - parse the cpus= parameter
 *
 * Return: 0, -EINVAL for a bad or offline-only list, or -ENOMEM.
 */
int hvv_threads_init(void)
{
	if (!zalloc_cpumask_var(&hvv_thread_cpus, GFP_KERNEL))
		return -ENOMEM;
	if (!cpus || !*cpus) {
		cpumask_copy(hvv_thread_cpus, cpu_possible_mask);
		return 0;
	}
	if (cpulist_parse(cpus, hvv_thread_cpus) ||
	    !cpumask_intersects(hvv_thread_cpus, cpu_online_mask)) {
		pr_err("cpus=%s: not a list of online CPUs\n", cpus);
		free_cpumask_var(hvv_thread_cpus);
		return -EINVAL;
	}
	return 0;
}

void hvv_threads_exit(void)
{
	free_cpumask_var(hvv_thread_cpus);
}

/**
 * hvv_threads_take_turns - reserve the turns of a group of threads
 * @nr: how many threads (a device's queue workers, or 1)
 *
 * Threads start on the online CPUs of cpus= in turn: turn t on the
 * (t mod n)-th of the n CPUs. The scheduler does not balance tasks between
 * CPUs isolated from its domains (isolcpus=, a natural choice for the CPUs
 * given to us): there a thread stays on the CPU it started on, and without
 * the turn every thread would start, and stay, on the first CPU of the set.
 *
 * A group takes consecutive turns. A group of more than one starts at an
 * even turn, so that its queues line up the same way whatever was started
 * before it: on two CPUs, a net queue pair's receive worker shares the
 * dispatcher's CPU (turn 0) and its transmit worker has the other one,
 * the placement under which TCP from the root into a zone ran fastest
 * (Documentation/benchmarks.rst). A turn skipped for that is not reused.
 *
 * Return: the group's first turn; thread i of the group takes it plus i.
 */
unsigned int hvv_threads_take_turns(unsigned int nr)
{
	int first, next = atomic_read(&hvv_thread_turn);

	do {
		first = nr > 1 ? round_up(next, 2) : next;
	} while (!atomic_try_cmpxchg(&hvv_thread_turn, &next, first + nr));
	return first;
}

/* The CPU of a turn, or -1 if no CPU of the set is online. */
static int hvv_thread_turn_cpu(unsigned int turn)
{
	unsigned int n = cpumask_weight_and(hvv_thread_cpus, cpu_online_mask);
	unsigned int cpu;

	if (!n)
		return -1;
	cpu = cpumask_nth_and(turn % n, hvv_thread_cpus, cpu_online_mask);
	return cpu < nr_cpu_ids ? cpu : -1;
}

/**
 * hvv_thread_run - start a kernel thread on the CPUs given by cpus=
 * @fn: thread function
 * @data: its argument
 * @turn: its turn (hvv_threads_take_turns()): the CPU it starts on
 * @namefmt: printf-style name
 *
 * The thread may run on any CPU of the set; it starts on its turn's, so
 * that threads are spread over the set even where the scheduler does not
 * move them.
 *
 * Return: the task or an ERR_PTR.
 */
struct task_struct *hvv_thread_run(int (*fn)(void *), void *data,
				   unsigned int turn, const char *namefmt, ...)
{
	struct task_struct *task;
	char name[TASK_COMM_LEN];
	va_list args;
	int cpu;

	va_start(args, namefmt);
	vsnprintf(name, sizeof(name), namefmt, args);
	va_end(args);
	task = kthread_create(fn, data, "%s", name);
	if (IS_ERR(task))
		return task;
	cpu = hvv_thread_turn_cpu(turn);
	set_cpus_allowed_ptr(task, cpu >= 0 ? cpumask_of(cpu) : hvv_thread_cpus);
	wake_up_process(task);
	/* Allowed the whole set from now on; it stays where it is. */
	set_cpus_allowed_ptr(task, hvv_thread_cpus);
	return task;
}

/**
 * hvv_threads_irq_affinity - steer an IRQ to the CPUs given by cpus=
 * @irq: the interrupt
 *
 * Return: 0 or the error of irq_set_affinity() (not every chip can).
 */
int hvv_threads_irq_affinity(unsigned int irq)
{
	if (cpumask_equal(hvv_thread_cpus, cpu_possible_mask))
		return 0;
	return irq_set_affinity(irq, hvv_thread_cpus);
}

static int hvv_worker_thread(void *arg)
{
	struct hvv_worker *w = arg;
	bool again;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		if (!test_and_clear_bit(HVV_WORKER_KICK, &w->state)) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		set_bit(HVV_WORKER_RUNNING, &w->state);
		mutex_lock(&w->run_lock);
		again = w->fn(w->data);
		mutex_unlock(&w->run_lock);
		if (again)
			set_bit(HVV_WORKER_KICK, &w->state);
		clear_bit(HVV_WORKER_RUNNING, &w->state);
		cond_resched();
	}
	return 0;
}

/**
 * hvv_worker_start - create and start a worker thread
 * @w: the worker
 * @fn: work function
 * @data: its argument
 * @turn: its turn (hvv_threads_take_turns())
 * @dev_name: device name, and
 * @queue: queue index, for the thread name "hv-<dev_name>-q<queue>" (as ps
 *	shows it: truncated to TASK_COMM_LEN - 1 = 15 characters)
 *
 * Return: 0 or a negative errno.
 */
int hvv_worker_start(struct hvv_worker *w, bool (*fn)(void *), void *data,
		     unsigned int turn, const char *dev_name, unsigned int queue)
{
	struct task_struct *task;

	w->fn = fn;
	w->data = data;
	w->state = 0;
	mutex_init(&w->run_lock);
	task = hvv_thread_run(hvv_worker_thread, w, turn, "hv-%s-q%u",
			      dev_name, queue);
	if (IS_ERR(task))
		return PTR_ERR(task);
	w->task = task;
	return 0;
}

/**
 * hvv_worker_kick - make the worker run its function (soon)
 * @w: the worker
 *
 * Callable from any context.
 */
void hvv_worker_kick(struct hvv_worker *w)
{
	if (!test_and_set_bit(HVV_WORKER_KICK, &w->state))
		wake_up_process(w->task);
}

/**
 * hvv_worker_sync - wait until a run of the function in progress has ended
 * @w: the worker (may never have been started)
 *
 * Whatever the caller changed before is seen by every run that follows.
 * Process context; the caller must not hold what the function takes.
 */
void hvv_worker_sync(struct hvv_worker *w)
{
	if (!w->task)
		return;
	mutex_lock(&w->run_lock);
	mutex_unlock(&w->run_lock);
}

/**
 * hvv_worker_is_current - is the caller the worker's thread?
 * @w: the worker
 *
 * Return: true in a run of the work function; false in an interrupt or
 * softirq that happened to arrive while the thread was current (it may be
 * past the end of its run).
 */
bool hvv_worker_is_current(const struct hvv_worker *w)
{
	return in_task() && current == w->task;
}

/**
 * hvv_worker_busy - is the worker running, or kicked to run?
 * @w: the worker
 *
 * A hint, for a caller choosing between doing a small piece of work itself
 * and handing it to the worker (which then does it with whatever else it
 * finds): the answer may change at once.
 */
bool hvv_worker_busy(const struct hvv_worker *w)
{
	return READ_ONCE(w->state);
}

/**
 * hvv_worker_stop - stop the thread; the function has returned afterwards
 * @w: the worker (may never have been started)
 */
void hvv_worker_stop(struct hvv_worker *w)
{
	if (!w->task)
		return;
	kthread_stop(w->task);
	w->task = NULL;
}
