/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fuzz input as a stream of numbers: little-endian, zero once the input
 * is used up (so every input is a complete program for a target).
 */
#ifndef _HV_NATIVE_FDP_H
#define _HV_NATIVE_FDP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * libFuzzer's entry points, under names of the kernel's style: each
 * target defines fuzz_one_input(), and fuzz_initialize() if it needs it.
 */
int fuzz_one_input(const unsigned char *data, size_t size)
	__asm__("LLVMFuzzerTestOneInput");
int fuzz_initialize(int *argc, char ***argv) __asm__("LLVMFuzzerInitialize");

struct fdp {
	const unsigned char *p;
	size_t left;
};

static inline void fdp_init(struct fdp *f, const unsigned char *data,
			    size_t size)
{
	f->p = data;
	f->left = size;
}

static inline bool fdp_more(const struct fdp *f)
{
	return f->left > 0;
}

static inline unsigned int fdp_u8(struct fdp *f)
{
	if (!f->left)
		return 0;
	f->left--;
	return *f->p++;
}

static inline unsigned int fdp_u16(struct fdp *f)
{
	unsigned int lo = fdp_u8(f);

	return lo | fdp_u8(f) << 8;
}

static inline unsigned int fdp_u32(struct fdp *f)
{
	unsigned int lo = fdp_u16(f);

	return lo | fdp_u16(f) << 16;
}

static inline unsigned long long fdp_u64(struct fdp *f)
{
	unsigned long long lo = fdp_u32(f);

	return lo | (unsigned long long)fdp_u32(f) << 32;
}

/* A number below @n (n > 0). */
static inline unsigned int fdp_below(struct fdp *f, unsigned int n)
{
	return fdp_u16(f) % n;
}

/* A broken invariant: say which, then crash so that libFuzzer keeps the input. */
#define fuzz_assert(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

#endif /* _HV_NATIVE_FDP_H */
