// SPDX-License-Identifier: GPL-2.0
/*
 * What hvisorctl's main.c provides to the files the native tests link
 * (everything but main.c): err_msg(), here recording the last message.
 */
#include <stdarg.h>
#include <stdio.h>

#include "hvctl_stubs.h"
#include "hvisorctl.h"

unsigned long hvctl_nr_errors;
char hvctl_last_error[512];

void err_msg(const char *fmt, ...)
{
	va_list ap;

	hvctl_nr_errors++;
	va_start(ap, fmt);
	vsnprintf(hvctl_last_error, sizeof(hvctl_last_error), fmt, ap);
	va_end(ap);
}
