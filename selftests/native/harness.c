// SPDX-License-Identifier: GPL-2.0
/* The runner of harness.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

jmp_buf hv_test_abort;
static struct hv_test *tests, **tests_tail = &tests;
static int failures;

void hv_test_register(struct hv_test *t)
{
	*tests_tail = t;
	tests_tail = &t->next;
}

void hv_test_fail(const char *file, int line, int fatal, const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (fatal)
		longjmp(hv_test_abort, 1);
}

static int selected(const struct hv_test *t, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], t->name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int n = 0, passed = 0, failed = 0;
	struct hv_test *t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (t = tests; t; t = t->next) {
		if (!selected(t, argc, argv))
			continue;
		n++;
		failures = 0;
		hv_test_before();
		if (!setjmp(hv_test_abort))
			t->fn();
		if (hv_test_after()) {
			printf("#   %s: left state behind\n", t->name);
			failures++;
		}
		if (failures) {
			failed++;
			printf("not ok %u %s\n", n, t->name);
		} else {
			passed++;
			printf("ok %u %s\n", n, t->name);
		}
	}
	printf("# %u passed, %u failed\n", passed, failed);
	return failed || !n;
}
