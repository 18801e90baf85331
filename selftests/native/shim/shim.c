// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel services the native build of zone.c, vq.c and mmio.c calls:
 * allocation, zone RAM mapping with guard areas, the System RAM lookup,
 * sort, checked spinlocks, kvec iterators and the log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/uio.h>

#include "hv_shim_test.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HV_SHIM_ASAN	1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(HV_SHIM_ASAN)
#define HV_SHIM_ASAN	1
#endif
#ifdef HV_SHIM_ASAN
#include <sanitizer/asan_interface.h>
#define hv_poison(p, n)		__asan_poison_memory_region(p, n)
#define hv_unpoison(p, n)	__asan_unpoison_memory_region(p, n)
#else
#define hv_poison(p, n)		((void)(p), (void)(n))
#define hv_unpoison(p, n)	((void)(p), (void)(n))
#endif

#define HV_SHIM_MAX_MAPS	512
#define HV_SHIM_MAX_RAM		16

unsigned int hv_shim_fail_alloc;
unsigned int hv_shim_phys_bits = 46;
u64 hv_shim_fake_from = U64_MAX;
unsigned int hv_shim_fail_map;
unsigned long hv_shim_nr_logs;
char hv_shim_last_log[256];

struct hv_shim_map {
	u64 hpa;
	u64 size;
	char *va;	/* NULL: free slot */
	char *base;	/* the allocation, NULL for a fake mapping */
};

static struct hv_shim_map maps[HV_SHIM_MAX_MAPS];
static unsigned int nr_live_maps;
/* No slot from here on has been used: the lookups stop here. */
static unsigned int maps_end;

struct hv_shim_ram {
	u64 start;
	u64 size;
};

static struct hv_shim_ram system_ram[HV_SHIM_MAX_RAM];
static unsigned int nr_system_ram;

/* Report a misuse of a shimmed kernel service and abort. */
static __printf(1, 2) void hv_shim_die(const char *fmt, ...)
{
	va_list ap;

	fputs("hv_shim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void hv_shim_log(const char *level, const char *fmt, ...)
{
	va_list ap;

	hv_shim_nr_logs++;
	va_start(ap, fmt);
	vsnprintf(hv_shim_last_log, sizeof(hv_shim_last_log), fmt, ap);
	va_end(ap);
	if (getenv("HV_SHIM_VERBOSE"))
		fprintf(stderr, "[%s] %s", level, hv_shim_last_log);
}

bool hv_shim_logged(const char *s)
{
	return hv_shim_nr_logs && strstr(hv_shim_last_log, s);
}

void hv_shim_lock(spinlock_t *lock, const char *what)
{
	if (lock->held)
		hv_shim_die("%s taken while held (a deadlock)", what);
	lock->held = 1;
}

void hv_shim_unlock(spinlock_t *lock, const char *what)
{
	if (!lock->held)
		hv_shim_die("%s released while not held", what);
	lock->held = 0;
}

void hv_shim_assert_held(const spinlock_t *lock, const char *what)
{
	if (!lock->held)
		hv_shim_die("lockdep_assert_held(%s): not held", what);
}

static bool hv_shim_alloc_fails(void)
{
	if (!hv_shim_fail_alloc)
		return false;
	return --hv_shim_fail_alloc == 0;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	return hv_shim_alloc_fails() ? NULL : malloc(size ? size : 1);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return hv_shim_alloc_fails() ? NULL : calloc(1, size ? size : 1);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (hv_shim_alloc_fails())
		return NULL;
	if (!n || !size)
		return malloc(1);
	return calloc(n, size);
}

void kfree(const void *p)
{
	free((void *)p);
}

void *memremap(resource_size_t offset, size_t size, unsigned long flags)
{
	struct hv_shim_map *m = NULL;
	unsigned int i;
	void *base;

	if (flags != MEMREMAP_WB)
		hv_shim_die("%s(%#llx) with flags %#lx", __func__, offset,
			    flags);
	if (hv_shim_fail_map && --hv_shim_fail_map == 0)
		return NULL;
	for (i = 0; i < HV_SHIM_MAX_MAPS && !m; i++)
		if (!maps[i].va)
			m = &maps[i];
	if (!m)
		hv_shim_die("more than %d live mappings", HV_SHIM_MAX_MAPS);
	if (i > maps_end)
		maps_end = i;
	m->hpa = offset;
	m->size = size;
	if (offset >= hv_shim_fake_from) {
		/* Never 0, never wraps: hvv_region_check() bounded hpa + size. */
		m->base = NULL;
		m->va = (char *)(uintptr_t)(offset + PAGE_SIZE);
	} else {
		if (!size || size > HV_SHIM_MAP_MAX)
			return NULL;
		if (posix_memalign(&base, PAGE_SIZE, size + 2 * HV_SHIM_GUARD))
			return NULL;
		m->base = base;
		m->va = m->base + HV_SHIM_GUARD;
		/* Zero RAM; the guards are poisoned, never read. */
		memset(m->va, 0, size);
		hv_poison(m->base, HV_SHIM_GUARD);
		hv_poison(m->va + size, HV_SHIM_GUARD);
	}
	nr_live_maps++;
	return m->va;
}

void memunmap(void *addr)
{
	unsigned int i;

	for (i = 0; i < maps_end; i++) {
		struct hv_shim_map *m = &maps[i];

		if (!m->va || m->va != addr)
			continue;
		if (m->base) {
			hv_unpoison(m->base, m->size + 2 * HV_SHIM_GUARD);
			free(m->base);
		}
		memset(m, 0, sizeof(*m));
		nr_live_maps--;
		return;
	}
	hv_shim_die("%s(%p): not mapped", __func__, addr);
}

unsigned int hv_shim_live_maps(void)
{
	return nr_live_maps;
}

bool hv_shim_mapped(const void *p, size_t len)
{
	const char *c = p;
	unsigned int i;

	for (i = 0; i < maps_end; i++) {
		const struct hv_shim_map *m = &maps[i];

		if (!m->base || c < m->va || c > m->va + m->size)
			continue;
		if (len <= (size_t)(m->va + m->size - c))
			return true;
	}
	return false;
}

void *hv_shim_hpa_va(u64 hpa)
{
	unsigned int i;

	for (i = 0; i < maps_end; i++) {
		const struct hv_shim_map *m = &maps[i];

		if (m->base && hpa >= m->hpa && hpa - m->hpa < m->size)
			return m->va + (hpa - m->hpa);
	}
	return NULL;
}

void hv_shim_reset(void)
{
	hv_shim_fail_alloc = 0;
	hv_shim_fail_map = 0;
	hv_shim_phys_bits = 46;
	hv_shim_fake_from = U64_MAX;
	nr_system_ram = 0;
}

void hv_shim_add_system_ram(u64 start, u64 size)
{
	unsigned int i;

	if (nr_system_ram == HV_SHIM_MAX_RAM)
		hv_shim_die("more than %d System RAM ranges", HV_SHIM_MAX_RAM);
	for (i = 0; i < nr_system_ram; i++)
		if (start < system_ram[i].start + system_ram[i].size &&
		    system_ram[i].start < start + size)
			hv_shim_die("System RAM ranges overlap");
	system_ram[nr_system_ram].start = start;
	system_ram[nr_system_ram].size = size;
	nr_system_ram++;
}

int region_intersects(resource_size_t start, size_t size, unsigned long flags,
		      unsigned long desc)
{
	u64 last, covered = 0;
	unsigned int i;

	if (flags != IORESOURCE_SYSTEM_RAM || desc != IORES_DESC_NONE)
		hv_shim_die("%s() for flags %#lx desc %lu", __func__, flags,
			    desc);
	if (!size)
		return REGION_DISJOINT;
	/* Inclusive ends: [start, last] may end at 2^64 - 1. */
	if (check_add_overflow(start, (u64)size - 1, &last))
		last = U64_MAX;
	for (i = 0; i < nr_system_ram; i++) {
		u64 lo = system_ram[i].start;
		u64 hi = system_ram[i].start + system_ram[i].size - 1;

		if (hi < start || lo > last)
			continue;
		covered += min(hi, last) - max(lo, start) + 1;
	}
	if (!covered)
		return REGION_DISJOINT;
	return covered == last - start + 1 ? REGION_INTERSECTS : REGION_MIXED;
}

void sort(void *base, size_t num, size_t size, cmp_func_t cmp_func,
	  swap_func_t swap_func)
{
	if (swap_func)
		hv_shim_die("%s() with a swap function is not shimmed",
			    __func__);
	qsort(base, num, size, cmp_func);
}

void iov_iter_kvec(struct iov_iter *i, unsigned int direction,
		   const struct kvec *kvec, unsigned long nr_segs,
		   size_t count)
{
	size_t total = 0;
	unsigned long n;

	if (direction != READ && direction != WRITE)
		hv_shim_die("%s(): direction %u", __func__, direction);
	for (n = 0; n < nr_segs; n++)
		total += kvec[n].iov_len;
	/* The kernel would walk past the array. */
	if (count > total)
		hv_shim_die("%s(): %zu bytes in segments of %zu", __func__,
			    count, total);
	*i = (struct iov_iter){
		.iter_type = ITER_KVEC,
		.data_source = direction == WRITE,
		.kvec = kvec,
		.nr_segs = nr_segs,
		.count = count,
	};
}

/*
 * Move over @bytes of @i (at most what it has), copying them into @to or
 * out of @from if not NULL. Returns the bytes moved.
 */
static size_t hv_shim_iter_move(struct iov_iter *i, size_t bytes, void *to,
				const void *from)
{
	size_t done = 0, n;

	if (i->iter_type != ITER_KVEC)
		hv_shim_die("iov_iter type %u is not shimmed", i->iter_type);
	bytes = min(bytes, i->count);
	while (done < bytes) {
		const struct kvec *seg = i->kvec;
		char *base;

		if (!i->nr_segs)
			hv_shim_die("iov_iter: count %zu past the segments",
				    i->count);
		base = (char *)seg->iov_base + i->iov_offset;
		n = min(seg->iov_len - i->iov_offset, bytes - done);
		if (to)
			memcpy((char *)to + done, base, n);
		else if (from)
			memcpy(base, (const char *)from + done, n);
		done += n;
		i->count -= n;
		i->iov_offset += n;
		if (i->iov_offset == seg->iov_len) {
			i->kvec++;
			i->nr_segs--;
			i->iov_offset = 0;
		}
	}
	return done;
}

void iov_iter_advance(struct iov_iter *i, size_t bytes)
{
	hv_shim_iter_move(i, bytes, NULL, NULL);
}

/* Newer kernels warn and copy nothing against the direction. */
size_t copy_from_iter(void *addr, size_t bytes, struct iov_iter *i)
{
	if (!i->data_source)
		hv_shim_die("%s() from a destination iterator", __func__);
	return hv_shim_iter_move(i, bytes, addr, NULL);
}

size_t copy_to_iter(const void *addr, size_t bytes, struct iov_iter *i)
{
	if (i->data_source)
		hv_shim_die("%s() into a source iterator", __func__);
	return hv_shim_iter_move(i, bytes, NULL, addr);
}
