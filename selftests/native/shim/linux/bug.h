/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_BUG_H
#define _HV_SHIM_LINUX_BUG_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* A warning is a module bug: the run fails at once, with the message. */
#define WARN_ONCE(cond, fmt, ...) ({					\
	bool __warn = !!(cond);						\
	if (__warn) {							\
		fprintf(stderr, "hv_shim: WARN_ONCE: " fmt, ##__VA_ARGS__); \
		abort();						\
	}								\
	__warn;								\
})

#endif /* _HV_SHIM_LINUX_BUG_H */
