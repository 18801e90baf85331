/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small unit test harness: HV_TEST(name) { ... } defines a test,
 * EXPECT*() record failures and go on, ASSERT*() end the test. The
 * runner prints "ok N name" or "not ok N name" per test and ends with
 * "# N passed, N failed"; its arguments select tests by name.
 */
#ifndef _HV_NATIVE_HARNESS_H
#define _HV_NATIVE_HARNESS_H

#include <setjmp.h>

struct hv_test {
	const char *name;
	void (*fn)(void);
	struct hv_test *next;
};

void hv_test_register(struct hv_test *t);
#ifndef __printf
/* printf format checking (the kernel's name for it) */
#define __printf(a, b)		__attribute__((format(printf, \
						      a, b)))
#endif

__printf(4, 5)
void hv_test_fail(const char *file, int line, int fatal, const char *fmt, ...);
extern jmp_buf hv_test_abort;

/* Hooks each test program defines, run around every test. */
void hv_test_before(void);
int hv_test_after(void);

#define HV_TEST(name)							\
	static void hv_test_fn_##name(void);				\
	static struct hv_test hv_test_##name = {			\
		#name, hv_test_fn_##name, NULL				\
	};								\
	__attribute__((__constructor__))				\
	static void hv_test_reg_##name(void)				\
	{								\
		hv_test_register(&hv_test_##name);			\
	}								\
	static void hv_test_fn_##name(void)

#define HV_CHECK_TRUE(cond, fatal)					\
	do {								\
		if (!(cond))						\
			hv_test_fail(__FILE__, __LINE__, fatal, "%s", #cond); \
	} while (0)

#define HV_CHECK_EQ(a, b, fatal)					\
	do {								\
		unsigned long long hv_a = (unsigned long long)(a);	\
		unsigned long long hv_b = (unsigned long long)(b);	\
		if (hv_a != hv_b)					\
			hv_test_fail(__FILE__, __LINE__, fatal,		\
				     "%s == %s: 0x%llx != 0x%llx",	\
				     #a, #b, hv_a, hv_b);		\
	} while (0)

#define EXPECT(cond)		HV_CHECK_TRUE(cond, 0)
#define ASSERT(cond)		HV_CHECK_TRUE(cond, 1)
#define EXPECT_EQ(a, b)		HV_CHECK_EQ(a, b, 0)
#define ASSERT_EQ(a, b)		HV_CHECK_EQ(a, b, 1)

#endif /* _HV_NATIVE_HARNESS_H */
