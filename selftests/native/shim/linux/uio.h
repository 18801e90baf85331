/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The piece of <linux/uio.h> the module's native files use: struct kvec
 * and iov_iter over kvecs (ITER_KVEC) only, with the kernel's semantics:
 * a copy or an advance moves at most iov_iter_count() bytes and returns
 * what it moved. Misuse the kernel would not survive (a copy against the
 * iterator's direction, more bytes than its segments hold) aborts the run.
 */
#ifndef _HV_SHIM_LINUX_UIO_H
#define _HV_SHIM_LINUX_UIO_H

#include <linux/types.h>

struct kvec {
	void *iov_base;
	size_t iov_len;
};

#define READ			0
#define WRITE			1
#define ITER_DEST		READ	/* the iterator's memory is written */
#define ITER_SOURCE		WRITE	/* the iterator's memory is read */

enum iter_type {
	ITER_KVEC = 2,
};

struct iov_iter {
	u8 iter_type;
	bool data_source;
	size_t iov_offset;
	size_t count;
	const struct kvec *kvec;
	unsigned long nr_segs;
};

static inline size_t iov_iter_count(const struct iov_iter *i)
{
	return i->count;
}

static inline unsigned char iov_iter_rw(const struct iov_iter *i)
{
	return i->data_source ? WRITE : READ;
}

static inline bool iov_iter_is_kvec(const struct iov_iter *i)
{
	return i->iter_type == ITER_KVEC;
}

static inline void iov_iter_truncate(struct iov_iter *i, u64 count)
{
	if (i->count > count)
		i->count = count;
}

void iov_iter_kvec(struct iov_iter *i, unsigned int direction,
		   const struct kvec *kvec, unsigned long nr_segs,
		   size_t count);
void iov_iter_advance(struct iov_iter *i, size_t bytes);
size_t copy_from_iter(void *addr, size_t bytes, struct iov_iter *i);
size_t copy_to_iter(const void *addr, size_t bytes, struct iov_iter *i);

#endif /* _HV_SHIM_LINUX_UIO_H */
