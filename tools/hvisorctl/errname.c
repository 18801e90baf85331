// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl: an errno as its symbolic name and its text, for every
 * message about a failed system call or ioctl.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hvisorctl.h"

#define E(x)	{ x, #x }

/* What the module's ioctls and the tool's own calls can fail with. */
static const struct {
	int e;
	const char *name;
} errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY),
	E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL),
	E(ENFILE), E(EMFILE), E(ENOTTY), E(EFBIG), E(ENOSPC), E(ESPIPE),
	E(EROFS), E(EPIPE), E(ERANGE), E(ENAMETOOLONG), E(ELOOP),
	E(EOVERFLOW), E(EOPNOTSUPP), E(EADDRINUSE), E(EADDRNOTAVAIL),
	E(ENETDOWN), E(ETIMEDOUT), E(ENOMEDIUM),
};

const char *errno_name(int e)
{
	static char unknown[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].e == e)
			return errno_names[i].name;
	snprintf(unknown, sizeof(unknown), "E#%d", e);
	return unknown;
}

/*
 * "ENAME: text". Each call has its own buffer among a few, so that a
 * message may format two errnos.
 */
const char *errno_str(int e)
{
	static char bufs[4][96];
	static unsigned int next;
	char *buf = bufs[next++ % ARRAY_SIZE(bufs)];

	snprintf(buf, sizeof(bufs[0]), "%s: %s", errno_name(e), strerror(e));
	return buf;
}
