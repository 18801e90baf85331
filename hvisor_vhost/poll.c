// SPDX-License-Identifier: GPL-2.0
/*
 * File polling for the workers: a struct hvv_poll sits on a file's wait
 * queue and kicks a worker when the file reports one of the events it
 * waits for. The worker then finds out what is ready itself; the poll
 * carries no data. Nothing polls while idle: the file's owner wakes us.
 *
 * A file polled this way must stay open while the poll is started (the
 * user holds a reference); hvv_poll_stop() takes the entry off the wait
 * queue, after which no kick comes from it.
 */

#include <linux/file.h>
#include <linux/fs.h>

#include "poll.h"
#include "worker.h"

static int hvv_poll_wake(wait_queue_entry_t *wait, unsigned int mode,
			 int sync, void *key)
{
	struct hvv_poll *poll = container_of(wait, struct hvv_poll, wait);
	__poll_t events = key_to_poll(key);

	/* No key: a wake-up for everyone. */
	if (events && !(events & (poll->mask | EPOLLERR | EPOLLHUP)))
		return 0;
	hvv_worker_kick(poll->worker);
	return 0;
}

static void hvv_poll_queue(struct file *file, wait_queue_head_t *wqh,
			   poll_table *table)
{
	struct hvv_poll *poll = container_of(table, struct hvv_poll, table);

	/* A file with several queues: we follow the first one only. */
	if (poll->wqh)
		return;
	poll->wqh = wqh;
	add_wait_queue(wqh, &poll->wait);
}

/**
 * hvv_poll_init - prepare a poll object
 * @poll: the object
 * @worker: the worker its events kick
 * @mask: the events that kick
 */
void hvv_poll_init(struct hvv_poll *poll, struct hvv_worker *worker,
		   __poll_t mask)
{
	init_poll_funcptr(&poll->table, hvv_poll_queue);
	poll->table._key = mask | EPOLLERR | EPOLLHUP;
	init_waitqueue_func_entry(&poll->wait, hvv_poll_wake);
	poll->wqh = NULL;
	poll->mask = mask;
	poll->worker = worker;
}

/**
 * hvv_poll_start - start following a file's events
 * @poll: the object, stopped
 * @file: the file; it stays open until hvv_poll_stop()
 *
 * An event already pending kicks the worker at once.
 *
 * Return: 0, or -EINVAL if the file has no wait queue to follow.
 */
int hvv_poll_start(struct hvv_poll *poll, struct file *file)
{
	__poll_t events;

	if (poll->wqh)
		return 0;
	events = vfs_poll(file, &poll->table);
	if (!poll->wqh)
		return -EINVAL;
	if (events & (poll->mask | EPOLLERR | EPOLLHUP))
		hvv_worker_kick(poll->worker);
	return 0;
}

/**
 * hvv_poll_stop - stop following the file's events
 * @poll: the object, started or not
 *
 * Once it returns, no wake-up of the file kicks the worker any more (a
 * kick already made still runs the worker once).
 */
void hvv_poll_stop(struct hvv_poll *poll)
{
	if (!poll->wqh)
		return;
	remove_wait_queue(poll->wqh, &poll->wait);
	poll->wqh = NULL;
}
