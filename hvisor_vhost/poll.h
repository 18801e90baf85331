/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_POLL_H
#define _HVV_POLL_H

#include <linux/poll.h>
#include <linux/wait.h>

struct file;
struct hvv_worker;

/**
 * struct hvv_poll - kicks a worker when a file becomes ready
 * @table: what vfs_poll() is given; its queueing function puts @wait on
 *	the file's wait queue
 * @wait: our entry on that queue; its wake function runs in the waker's
 *	context (any, softirq included) and only kicks @worker
 * @wqh: the wait queue @wait is on, NULL while stopped; written by
 *	hvv_poll_start() and hvv_poll_stop(), which the user serialises
 * @mask: the events that kick (EPOLLIN, EPOLLOUT, ...); EPOLLERR and
 *	EPOLLHUP always do, so that the worker sees the file's failure
 * @worker: the worker to kick (started before hvv_poll_start())
 */
struct hvv_poll {
	poll_table table;
	wait_queue_entry_t wait;
	wait_queue_head_t *wqh;
	__poll_t mask;
	struct hvv_worker *worker;
};

void hvv_poll_init(struct hvv_poll *poll, struct hvv_worker *worker,
		   __poll_t mask);
int hvv_poll_start(struct hvv_poll *poll, struct file *file);
void hvv_poll_stop(struct hvv_poll *poll);

#endif /* _HVV_POLL_H */
