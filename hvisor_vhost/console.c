// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console backend: one tty per device, /dev/ttyHV<index>.
 *
 * Guest output (transmitq, queue 1) goes to the tty and into a 64 KiB
 * history that is replayed to the first opener, so a user attaching late
 * sees the zone's boot log. screen(1) flushes the tty's input right after
 * opening it, which would throw the replay away: the first input flush
 * (TCFLSH) within HVV_CONSOLE_REPLAY_GRACE of the first open delivers the
 * history again, after the flush. Without an opener the guest never
 * waits; with one, a full tty buffer holds the guest back while the
 * reader keeps taking bytes. virtio_console waits for every write with interrupts off,
 * so a reader that stops (a suspended `cat`) must not hold the zone's CPU
 * forever: after HVV_CONSOLE_STALL without room in the tty buffer, guest
 * output goes to the history only, counted as dropped, until the reader
 * takes bytes again.
 * What is written to the tty (receiveq, queue 0) waits in a FIFO until the
 * guest posts buffers; when the FIFO is full the writer blocks. Window size
 * changes (TIOCSWINSZ) reach the guest as a config change.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/idr.h>
#include <linux/kfifo.h>
#include <linux/module.h>
#include <linux/serial.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/tty_flip.h>
#include <linux/version.h>
#include <linux/virtio_console.h>

#include "backend.h"
#include "dev.h"
#include "zone.h"

#define HVV_CONSOLE_MAX		64
#define HVV_CONSOLE_QUEUE_SIZE	256
#define HVV_CONSOLE_HISTORY	(64 * 1024)
#define HVV_CONSOLE_FIFO		(16 * 1024)
/* emerg_wr characters not yet delivered by the control work. */
#define HVV_CONSOLE_EMERG	256
#define HVV_CONSOLE_RX		0
#define HVV_CONSOLE_TX		1
/* Retry of a guest write held back by a full tty buffer. */
#define HVV_CONSOLE_RETRY	msecs_to_jiffies(10)
/* Guest output the tty buffers for a reader (the default is 640 KiB). */
#define HVV_CONSOLE_TTY_BUFFER	(64 * 1024)
/* How long a full tty buffer may hold the guest back. */
#define HVV_CONSOLE_STALL	msecs_to_jiffies(1000)
/* How long after the first open an input flush replays the history. */
#define HVV_CONSOLE_REPLAY_GRACE	msecs_to_jiffies(2000)

/**
 * struct hvv_console - a console device and its tty
 * @dev: the virtio device
 * @port: the tty port; its refcount owns this structure (see destruct)
 * @lock: protects @fifo, @emerg and @gone; taken before the device's lock
 *	(a window size is written to config space under it)
 * @fifo: bytes written to the tty, waiting for guest receive buffers
 * @history: latest guest output, a ring of HVV_CONSOLE_HISTORY bytes;
 *	under @flip_lock, so that output reaches the tty and the history
 *	in one step and a replay neither misses nor repeats any of it
 * @hist_head: next write position in @history (@flip_lock)
 * @hist_len: valid bytes in @history (@flip_lock)
 * @gone: the device was removed: no worker may be kicked, no config
 *	interrupt sent, no tty activated (set under @port.mutex too)
 * @emerg: characters the driver wrote to emerg_wr, for the control work
 *	to deliver (the dispatcher never waits on the tty)
 * @flip_lock: the tty's flip buffer takes one producer at a time; held
 *	around every insertion and push: guest output (transmit worker),
 *	emerg_wr (control work) and the replay to a first opener; protects
 *	@history, @hist_head, @hist_len, @replay_armed, @replay_until and
 *	@replay_flushing
 * @replay_armed: the history was replayed to a first opener and no input
 *	flush has replayed it again yet (@flip_lock)
 * @replay_until: jiffies after which an input flush no longer replays the
 *	history (@flip_lock)
 * @replay_flushing: an input flush that replays the history is running:
 *	guest output and emerg_wr go to the history only, and the replay
 *	that ends the flush delivers them (@flip_lock)
 * @published: the tty is registered (hvv_console_publish()); written and
 *	read under hvv_ctl_lock only (the registry's publish and shutdown)
 * @retry: re-kicks the transmit worker when the tty buffer was full
 * @tx_bounce: transmit copy buffer, PAGE_SIZE (transmit worker only)
 * @rx_bounce: receive copy buffer, PAGE_SIZE (receive worker only)
 * @tx_done: bytes of the chain at the transmit queue's head already
 *	delivered, when the tty buffer could take only part of it
 *	(transmit worker only)
 * @tx_gen: ring generation @tx_done belongs to (transmit worker only)
 * @tx_room_seen: jiffies when the tty buffer last had room for guest
 *	output; written by the transmit worker and on open (READ_ONCE and
 *	WRITE_ONCE: a racing update only moves the deadline)
 */
struct hvv_console {
	struct hvv_dev dev;
	struct tty_port port;
	spinlock_t lock;	/* fifo, emerg, gone */
	spinlock_t flip_lock;	/* tty flip buffer producers, history */
	DECLARE_KFIFO(fifo, u8, HVV_CONSOLE_FIFO);
	DECLARE_KFIFO(emerg, u8, HVV_CONSOLE_EMERG);
	u8 *history;
	size_t hist_head;
	size_t hist_len;
	bool replay_armed;
	bool replay_flushing;
	unsigned long replay_until;
	bool gone;
	bool published;
	struct timer_list retry;
	u8 *tx_bounce;
	u8 *rx_bounce;
	size_t tx_done;
	u32 tx_gen;
	unsigned long tx_room_seen;
};

static struct tty_driver *hvv_console_driver;
static DEFINE_IDA(hvv_console_ida);
/* Index -> console for tty install; hvv_console_table_lock. */
static DEFINE_SPINLOCK(hvv_console_table_lock);
static struct hvv_console *hvv_console_table[HVV_CONSOLE_MAX];

static struct hvv_console *to_console(struct hvv_dev *dev)
{
	return container_of(dev, struct hvv_console, dev);
}

static void hvv_console_kick(struct hvv_console *con, unsigned int queue)
{
	unsigned long flags;

	spin_lock_irqsave(&con->lock, flags);
	if (!con->gone)
		hvv_worker_kick(&con->dev.vqs[queue].worker);
	spin_unlock_irqrestore(&con->lock, flags);
}

/* Called with con->flip_lock held. */
static void hvv_console_history_add(struct hvv_console *con, const u8 *buf,
				    size_t len)
{
	size_t n;

	lockdep_assert_held(&con->flip_lock);
	if (len > HVV_CONSOLE_HISTORY) {
		buf += len - HVV_CONSOLE_HISTORY;
		len = HVV_CONSOLE_HISTORY;
	}
	con->hist_len = min_t(size_t, con->hist_len + len,
			      HVV_CONSOLE_HISTORY);
	while (len) {
		n = min(len, HVV_CONSOLE_HISTORY - con->hist_head);
		memcpy(con->history + con->hist_head, buf, n);
		con->hist_head = (con->hist_head + n) % HVV_CONSOLE_HISTORY;
		buf += n;
		len -= n;
	}
}

/*
 * Insert the whole history into the tty's flip buffer and push it. Called
 * with con->flip_lock held. Returns the bytes the flip buffer took.
 */
static size_t hvv_console_replay(struct hvv_console *con)
{
	size_t len = con->hist_len, start, n, done;

	lockdep_assert_held(&con->flip_lock);
	start = (con->hist_head + HVV_CONSOLE_HISTORY - len) %
		HVV_CONSOLE_HISTORY;
	n = min(len, HVV_CONSOLE_HISTORY - start);
	done = tty_insert_flip_string(&con->port, con->history + start, n);
	if (done == n && len > n)
		done += tty_insert_flip_string(&con->port, con->history,
					       len - n);
	tty_flip_buffer_push(&con->port);
	return done;
}

/* Where a piece of guest output goes; the history gets it in any case. */
enum hvv_console_sink {
	HVV_SINK_HISTORY,	/* no opener: the history only */
	HVV_SINK_TTY,		/* the opener's tty buffer */
	HVV_SINK_HOLD,		/* nowhere yet: the guest waits for the reader */
	HVV_SINK_DROP,		/* the reader stopped: history only, counted */
};

/*
 * Where the next *@len bytes of guest output go while the device has an
 * opener. For HVV_SINK_TTY, *@len is cut to the room in its tty buffer.
 * A full buffer holds the guest back for HVV_CONSOLE_STALL at most: after
 * that the reader is taken to have stopped taking bytes.
 */
static enum hvv_console_sink hvv_console_tty_sink(struct hvv_console *con,
						  size_t *len)
{
	unsigned int room = tty_buffer_space_avail(&con->port);

	if (room) {
		WRITE_ONCE(con->tx_room_seen, jiffies);
		*len = min_t(size_t, *len, room);
		return HVV_SINK_TTY;
	}
	if (time_before(jiffies, READ_ONCE(con->tx_room_seen) +
			HVV_CONSOLE_STALL))
		return HVV_SINK_HOLD;
	return HVV_SINK_DROP;
}

/*
 * Deliver one guest write, resuming at con->tx_done. Returns false if an
 * opener's tty buffer could not take all of it: the chain is given back
 * and retried later from where delivery stopped.
 */
static bool hvv_console_output(struct hvv_console *con,
			       const struct hvv_chain *chain)
{
	struct tty_struct *tty = tty_port_tty_get(&con->port);
	enum hvv_console_sink sink;
	struct iov_iter iter;
	unsigned long flags;
	size_t n, copied;
	bool complete;

	hvv_chain_iter_out(chain, &iter);
	iov_iter_advance(&iter, con->tx_done);
	while (iov_iter_count(&iter)) {
		n = min_t(size_t, iov_iter_count(&iter), PAGE_SIZE);
		sink = tty ? hvv_console_tty_sink(con, &n) : HVV_SINK_HISTORY;
		if (sink == HVV_SINK_HOLD)
			break;
		copied = copy_from_iter(con->tx_bounce, n, &iter);
		n = copied;
		spin_lock_irqsave(&con->flip_lock, flags);
		if (sink == HVV_SINK_TTY && !con->replay_flushing)
			n = tty_insert_flip_string(&con->port, con->tx_bounce,
						   n);
		else if (sink == HVV_SINK_DROP)
			atomic64_add(n, &con->dev.stats.dropped);
		/* Dropped bytes too: the next opener sees them. */
		hvv_console_history_add(con, con->tx_bounce, n);
		spin_unlock_irqrestore(&con->flip_lock, flags);
		/* What the tty did not take is delivered again. */
		iov_iter_revert(&iter, copied - n);
		if (!n)
			break;
	}
	if (tty) {
		spin_lock_irqsave(&con->flip_lock, flags);
		tty_flip_buffer_push(&con->port);
		spin_unlock_irqrestore(&con->flip_lock, flags);
		tty_kref_put(tty);
	}
	complete = !iov_iter_count(&iter);
	con->tx_done = complete ? 0 : chain->out_len - iov_iter_count(&iter);
	return complete;
}

/* One transmit chain; -EAGAIN while the tty cannot take all of it. */
static int hvv_console_transmit_one(struct hvv_vq *vq,
				    const struct hvv_chain *chain)
{
	struct hvv_console *con = to_console(vq->dev);

	if (hvv_console_output(con, chain))
		return 0;
	mod_timer(&con->retry, jiffies + HVV_CONSOLE_RETRY);
	return -EAGAIN;
}

static bool hvv_console_transmit(struct hvv_vq *vq)
{
	struct hvv_console *con = to_console(vq->dev);

	if (con->tx_gen != vq->wr.gen) {
		/* The driver reset the queue: forget a partial delivery. */
		con->tx_gen = vq->wr.gen;
		con->tx_done = 0;
	}
	return hvv_vq_serve(vq, hvv_console_transmit_one);
}

/*
 * Fill one receive chain from the FIFO; returns bytes delivered. A kfifo
 * copies to plain buffers or user memory only, not to an iov_iter: the
 * bytes go through a bounce buffer (input is typed or pasted, at most
 * HVV_CONSOLE_FIFO bytes at a time).
 */
static size_t hvv_console_fill(struct hvv_console *con,
			       const struct hvv_chain *chain)
{
	struct iov_iter iter;
	size_t done = 0;
	unsigned int n;

	hvv_chain_iter_in(chain, &iter);
	while (iov_iter_count(&iter)) {
		n = kfifo_out_spinlocked(&con->fifo, con->rx_bounce,
					 min_t(size_t, iov_iter_count(&iter),
					       PAGE_SIZE), &con->lock);
		if (!n)
			break;
		done += copy_to_iter(con->rx_bounce, n, &iter);
	}
	return done;
}

static bool hvv_console_receive(struct hvv_vq *vq)
{
	struct hvv_console *con = to_console(vq->dev);
	struct hvv_vq_pass pass = {};
	struct hvv_chain chain;
	bool more = false;
	size_t n;
	int ret;

	for (;;) {
		if (kfifo_is_empty(&con->fifo))
			break;
		ret = hvv_vq_pop(vq, &chain);
		if (ret < 0)
			break;
		if (!ret) {
			/* No buffer: keep the data, wait for a notify. */
			if (hvv_vq_enable_notify(vq))
				continue;
			break;
		}
		n = hvv_console_fill(con, &chain);
		hvv_vq_push(vq, chain.head, n);
		if (hvv_vq_pass_spent(&pass, n)) {
			more = true;
			break;
		}
	}
	hvv_vq_flush(vq);
	if (pass.chains)
		tty_port_tty_wakeup(&con->port);
	return more;
}

static bool hvv_console_handle_queue(struct hvv_vq *vq)
{
	if (vq->index == HVV_CONSOLE_RX)
		return hvv_console_receive(vq);
	return hvv_console_transmit(vq);
}

static void hvv_console_retry(struct timer_list *t)
{
	struct hvv_console *con = from_timer(con, t, retry);

	hvv_console_kick(con, HVV_CONSOLE_TX);
}

/* Only emerg_wr is writable: the character goes to the control work. */
static void hvv_console_config_write(struct hvv_dev *dev, u32 off, u32 size,
				     u64 val)
{
	struct hvv_console *con = to_console(dev);
	unsigned long flags;
	bool queued;
	u8 c = val;

	if (off != offsetof(struct virtio_console_config, emerg_wr)) {
		atomic64_inc(&dev->stats.errors);
		return;
	}
	spin_lock_irqsave(&con->lock, flags);
	queued = kfifo_put(&con->emerg, c);
	spin_unlock_irqrestore(&con->lock, flags);
	if (!queued) {
		atomic64_inc(&dev->stats.dropped);
		return;
	}
	hvv_dev_control(dev, 0);
}

/* Deliver the emerg_wr characters: history, then the tty if open. */
static void hvv_console_control(struct hvv_dev *dev, unsigned long events)
{
	struct hvv_console *con = to_console(dev);
	u8 buf[HVV_CONSOLE_EMERG];
	struct tty_struct *tty;
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&con->lock, flags);
	n = kfifo_out(&con->emerg, buf, sizeof(buf));
	spin_unlock_irqrestore(&con->lock, flags);
	if (!n)
		return;
	/* In the order guest output takes (hvv_console_output()). */
	tty = tty_port_tty_get(&con->port);
	spin_lock_irqsave(&con->flip_lock, flags);
	if (tty && !con->replay_flushing) {
		tty_insert_flip_string(&con->port, buf, n);
		tty_flip_buffer_push(&con->port);
	}
	hvv_console_history_add(con, buf, n);
	spin_unlock_irqrestore(&con->flip_lock, flags);
	tty_kref_put(tty);
}

static ssize_t hvv_console_backend_show(struct hvv_dev *dev, char *buf)
{
	return sysfs_emit(buf, "ttyHV%u\n", dev->index);
}

static void hvv_console_table_set(unsigned int index, struct hvv_console *con)
{
	spin_lock(&hvv_console_table_lock);
	hvv_console_table[index] = con;
	spin_unlock(&hvv_console_table_lock);
}

/*
 * The device is served (its workers run): make its tty reachable. Before
 * this, nothing outside the module can reach the device.
 */
static int hvv_console_publish(struct hvv_dev *dev)
{
	struct hvv_console *con = to_console(dev);
	struct device *tty_dev;

	hvv_console_table_set(dev->index, con);
	/*
	 * The class entry is the tty's parent (/sys/class/tty/ttyHVn/device,
	 * and udev's ATTRS{zone}): shutdown, which unregisters the tty, runs
	 * before the entry is hidden or removed, in every path.
	 */
	tty_dev = tty_port_register_device(&con->port, hvv_console_driver,
					   dev->index, dev->sysdev);
	if (IS_ERR(tty_dev)) {
		hvv_console_table_set(dev->index, NULL);
		return PTR_ERR(tty_dev);
	}
	con->published = true;
	/* Where hvisor-tool's daemon said "char device redirected to". */
	pr_info("zone %u: %s at 0x%llx: tty /dev/ttyHV%u\n",
		dev->zone->id, dev->name, dev->addr, dev->index);
	return 0;
}

static void hvv_console_shutdown(struct hvv_dev *dev)
{
	struct hvv_console *con = to_console(dev);
	bool published = con->published;
	struct tty_struct *tty;
	unsigned long flags;

	if (published) {
		hvv_console_table_set(dev->index, NULL);
		tty_unregister_device(hvv_console_driver, dev->index);
		con->published = false;
	}

	/*
	 * An open that got past the table before it was cleared either
	 * activates the port before this (and its tty is hung up below) or
	 * finds the device gone (hvv_console_port_activate()).
	 */
	mutex_lock(&con->port.mutex);
	spin_lock_irqsave(&con->lock, flags);
	con->gone = true;
	spin_unlock_irqrestore(&con->lock, flags);
	mutex_unlock(&con->port.mutex);
	del_timer_sync(&con->retry);
	/* Not tty_hangup(), a work item: the tty is dead once del returns. */
	tty = tty_port_tty_get(&con->port);
	if (tty) {
		tty_vhangup(tty);
		tty_kref_put(tty);
	}
	/*
	 * Output held back for the reader waited for the retry timer,
	 * cancelled above. Without a tty it goes to the history now: run
	 * the transmit queue once more, or a driver that still uses the
	 * device spins for ever on a chain nobody looks at.
	 */
	if (published)
		hvv_worker_kick(&dev->vqs[HVV_CONSOLE_TX].worker);
}

static void hvv_console_release(struct hvv_dev *dev)
{
	struct hvv_console *con = to_console(dev);

	/* A worker of a detached device may have armed it since shutdown. */
	del_timer_sync(&con->retry);
	/* Freed by hvv_console_port_destruct() once no tty uses the port. */
	tty_port_put(&con->port);
}

static const struct hvv_dev_ops hvv_console_ops = {
	.type = "console",
	.device_id = VIRTIO_ID_CONSOLE,
	.handle_queue = hvv_console_handle_queue,
	.config_write = hvv_console_config_write,
	.control = hvv_console_control,
	.backend_show = hvv_console_backend_show,
	.publish = hvv_console_publish,
	/* Detached, without a tty: guest output still goes into the history. */
	.can_detach = true,
	.shutdown = hvv_console_shutdown,
	.release = hvv_console_release,
};

static void hvv_console_port_destruct(struct tty_port *port)
{
	struct hvv_console *con = container_of(port, struct hvv_console, port);

	/* Workers are stopped before the device drops its port reference. */
	ida_free(&hvv_console_ida, con->dev.index);
	kfree(con->tx_bounce);
	kfree(con->rx_bounce);
	kvfree(con->history);
	kfree(con);
}

/*
 * First open: replay the latest guest output, and arm the replay after an
 * input flush (hvv_console_tty_ioctl()). Called with port->mutex held;
 * fails once the device was removed.
 */
static int hvv_console_port_activate(struct tty_port *port,
				     struct tty_struct *tty)
{
	struct hvv_console *con = container_of(port, struct hvv_console, port);
	unsigned long flags;
	bool gone;

	spin_lock_irqsave(&con->lock, flags);
	gone = con->gone;
	spin_unlock_irqrestore(&con->lock, flags);
	if (gone)
		return -ENODEV;
	/* A new reader gets the full grace before output is dropped. */
	WRITE_ONCE(con->tx_room_seen, jiffies);
	spin_lock_irqsave(&con->flip_lock, flags);
	hvv_console_replay(con);
	con->replay_armed = true;
	con->replay_until = jiffies + HVV_CONSOLE_REPLAY_GRACE;
	spin_unlock_irqrestore(&con->flip_lock, flags);
	return 0;
}

static const struct tty_port_operations hvv_console_port_ops = {
	.activate = hvv_console_port_activate,
	.destruct = hvv_console_port_destruct,
};

/**
 * hvv_console_create - create a console device and its tty
 * @ud: from userspace (no backend fd)
 *
 * Return: the device or an ERR_PTR.
 */
static struct hvv_dev *hvv_console_create(const struct hvv_dev_config *ud)
{
	/* Modern (VERSION_1) devices: config space is little-endian. */
	struct virtio_console_config cfg = {
		.cols = (__force __virtio16)cpu_to_le16(80),
		.rows = (__force __virtio16)cpu_to_le16(25),
		.max_nr_ports = (__force __virtio32)cpu_to_le32(1),
	};
	struct hvv_console *con;
	int index, ret;

	if (ud->backend_fd != -1 || ud->queues) {
		pr_err("console: takes no backend or queues\n");
		return ERR_PTR(-EINVAL);
	}
	index = ida_alloc_max(&hvv_console_ida, HVV_CONSOLE_MAX - 1,
			      GFP_KERNEL);
	if (index < 0)
		return ERR_PTR(index == -ENOSPC ? -ENOSPC : index);

	con = kzalloc(sizeof(*con), GFP_KERNEL);
	if (!con) {
		ida_free(&hvv_console_ida, index);
		return ERR_PTR(-ENOMEM);
	}
	tty_port_init(&con->port);
	con->port.ops = &hvv_console_port_ops;
	/*
	 * Input waits in the FIFO for the guest, which may never post
	 * buffers: close() must not wait for it to drain (30 s by default,
	 * with the tty lock held, which removal takes too). Nothing is lost:
	 * the FIFO keeps what was written.
	 */
	con->port.closing_wait = ASYNC_CLOSING_WAIT_NONE;
	tty_buffer_set_limit(&con->port, HVV_CONSOLE_TTY_BUFFER);
	spin_lock_init(&con->lock);
	spin_lock_init(&con->flip_lock);
	INIT_KFIFO(con->fifo);
	INIT_KFIFO(con->emerg);
	timer_setup(&con->retry, hvv_console_retry, 0);
	con->dev.index = index;
	snprintf(con->dev.name, sizeof(con->dev.name), "console%d", index);
	/* From here on, the port's destructor frees everything. */
	con->history = kvzalloc(HVV_CONSOLE_HISTORY, GFP_KERNEL);
	con->tx_bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	con->rx_bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!con->history || !con->tx_bounce || !con->rx_bounce) {
		ret = -ENOMEM;
		goto err_put;
	}
	ret = hvv_dev_init(&con->dev, &hvv_console_ops, ud, 2,
			   HVV_CONSOLE_QUEUE_SIZE,
			  BIT_ULL(VIRTIO_CONSOLE_F_SIZE) |
			  BIT_ULL(VIRTIO_CONSOLE_F_EMERG_WRITE));
	if (ret)
		goto err_put;
	hvv_dev_set_config(&con->dev, 0, &cfg, sizeof(cfg), false);
	/* The tty appears in hvv_console_publish(), once workers run. */
	return &con->dev;

err_put:
	tty_port_put(&con->port);
	return ERR_PTR(ret);
}

static int hvv_console_tty_install(struct tty_driver *driver,
				   struct tty_struct *tty)
{
	struct hvv_console *con;
	int ret;

	spin_lock(&hvv_console_table_lock);
	con = hvv_console_table[tty->index];
	if (con && !tty_port_get(&con->port))
		con = NULL;
	spin_unlock(&hvv_console_table_lock);
	if (!con)
		return -ENODEV;
	ret = tty_port_install(&con->port, driver, tty);
	if (ret) {
		tty_port_put(&con->port);
		return ret;
	}
	tty->driver_data = con;
	return 0;
}

static void hvv_console_tty_cleanup(struct tty_struct *tty)
{
	struct hvv_console *con = tty->driver_data;

	tty->driver_data = NULL;
	if (con)
		tty_port_put(&con->port);
}

static int hvv_console_tty_open(struct tty_struct *tty, struct file *filp)
{
	struct hvv_console *con = tty->driver_data;

	return tty_port_open(&con->port, tty, filp);
}

static void hvv_console_tty_close(struct tty_struct *tty, struct file *filp)
{
	struct hvv_console *con = tty->driver_data;

	tty_port_close(&con->port, tty, filp);
}

static void hvv_console_tty_hangup(struct tty_struct *tty)
{
	struct hvv_console *con = tty->driver_data;

	tty_port_hangup(&con->port);
}

static size_t hvv_console_write_bytes(struct tty_struct *tty, const u8 *buf,
				      size_t count)
{
	struct hvv_console *con = tty->driver_data;
	size_t n;

	n = kfifo_in_spinlocked(&con->fifo, buf, count, &con->lock);
	if (n)
		hvv_console_kick(con, HVV_CONSOLE_RX);
	return n;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
static ssize_t hvv_console_tty_write(struct tty_struct *tty, const u8 *buf,
				     size_t count)
{
	return hvv_console_write_bytes(tty, buf, count);
}
#else
static int hvv_console_tty_write(struct tty_struct *tty,
				 const unsigned char *buf, int count)
{
	return hvv_console_write_bytes(tty, buf, count);
}
#endif

static unsigned int hvv_console_tty_write_room(struct tty_struct *tty)
{
	struct hvv_console *con = tty->driver_data;

	return kfifo_avail(&con->fifo);
}

static unsigned int hvv_console_tty_chars_in_buffer(struct tty_struct *tty)
{
	struct hvv_console *con = tty->driver_data;

	return kfifo_len(&con->fifo);
}

/*
 * An input flush (TCFLSH with TCIFLUSH or TCIOFLUSH) discards the replay
 * too if the reader has not read it yet, as screen(1) does right after
 * opening the tty. The first such flush within HVV_CONSOLE_REPLAY_GRACE of
 * the first open is carried out here, and the history delivered again
 * after it: output that came between the open and the flush is in the
 * history too, and output that comes during the flush goes to the
 * history only, so each byte arrives once. (The tty layer empties the
 * flip buffer before calling this: output inserted in between is
 * delivered twice.) Any other ioctl goes to the line discipline.
 */
static int hvv_console_tty_ioctl(struct tty_struct *tty, unsigned int cmd,
				 unsigned long arg)
{
	struct hvv_console *con = tty->driver_data;
	unsigned long flags;
	bool replay;
	int ret;

	if (cmd != TCFLSH || (arg != TCIFLUSH && arg != TCIOFLUSH))
		return -ENOIOCTLCMD;
	spin_lock_irqsave(&con->flip_lock, flags);
	replay = con->replay_armed && !con->replay_flushing &&
		 time_before(jiffies, con->replay_until);
	if (replay) {
		con->replay_armed = false;
		con->replay_flushing = true;
	}
	spin_unlock_irqrestore(&con->flip_lock, flags);
	if (!replay)
		return -ENOIOCTLCMD;

	ret = tty_perform_flush(tty, arg);
	spin_lock_irqsave(&con->flip_lock, flags);
	/*
	 * Even if the flush failed (a signal): output held for the replay
	 * must reach the tty. A restarted flush may replay again.
	 */
	hvv_console_replay(con);
	con->replay_flushing = false;
	if (ret)
		con->replay_armed = true;
	spin_unlock_irqrestore(&con->flip_lock, flags);
	return ret;
}

/* Called with tty->winsize_mutex held. */
static int hvv_console_tty_resize(struct tty_struct *tty, struct winsize *ws)
{
	struct hvv_console *con = tty->driver_data;
	struct {
		__le16 cols;
		__le16 rows;
	} size = {
		.cols = cpu_to_le16(ws->ws_col),
		.rows = cpu_to_le16(ws->ws_row),
	};
	unsigned long flags;

	tty->winsize = *ws;
	/* Not once removed: the zone and the bridge may be gone next. */
	spin_lock_irqsave(&con->lock, flags);
	if (!con->gone)
		hvv_dev_set_config(&con->dev, 0, &size, sizeof(size), true);
	spin_unlock_irqrestore(&con->lock, flags);
	return 0;
}

static const struct tty_operations hvv_console_tty_ops = {
	.install = hvv_console_tty_install,
	.cleanup = hvv_console_tty_cleanup,
	.open = hvv_console_tty_open,
	.close = hvv_console_tty_close,
	.hangup = hvv_console_tty_hangup,
	.write = hvv_console_tty_write,
	.write_room = hvv_console_tty_write_room,
	.chars_in_buffer = hvv_console_tty_chars_in_buffer,
	.resize = hvv_console_tty_resize,
	.ioctl = hvv_console_tty_ioctl,
};

static struct hvv_backend hvv_console_backend = {
	.type = HVV_DEV_CONSOLE,
	.name = "console",
	.owner = THIS_MODULE,
	.create = hvv_console_create,
};

int hvv_console_init(void)
{
	struct tty_driver *driver;
	int ret;

	driver = tty_alloc_driver(HVV_CONSOLE_MAX, TTY_DRIVER_REAL_RAW |
				  TTY_DRIVER_DYNAMIC_DEV);
	if (IS_ERR(driver))
		return PTR_ERR(driver);
	driver->driver_name = "hvisor_console";
	driver->name = "ttyHV";
	driver->type = TTY_DRIVER_TYPE_SYSTEM;
	driver->subtype = SYSTEM_TYPE_CONSOLE;
	/* Byte-transparent by default, like a pty after cfmakeraw(). */
	driver->init_termios = tty_std_termios;
	driver->init_termios.c_iflag = 0;
	driver->init_termios.c_oflag = 0;
	driver->init_termios.c_lflag = 0;
	tty_set_operations(driver, &hvv_console_tty_ops);
	ret = tty_register_driver(driver);
	if (ret) {
		tty_driver_kref_put(driver);
		return ret;
	}
	hvv_console_driver = driver;
	ret = hvv_backend_register(&hvv_console_backend);
	if (ret) {
		tty_unregister_driver(driver);
		tty_driver_kref_put(driver);
	}
	return ret;
}

void hvv_console_exit(void)
{
	hvv_backend_unregister(&hvv_console_backend);
	tty_unregister_driver(hvv_console_driver);
	tty_driver_kref_put(hvv_console_driver);
}
