// SPDX-License-Identifier: GPL-2.0
/*
 * hvisor-sim: drive the simulated hvisor (hvisor_sim.ko) from the shell.
 *
 *   hvisor-sim zone add ID [identity] [cpus=FIRST:COUNT] [mem=GPA:SIZE,...]
 *                          [mmio=BASE:SIZE,...]
 *   hvisor-sim zone del ID
 *   hvisor-sim zone info ID
 *   hvisor-sim guest add zone=ID addr=A irq=N [len=L]
 *   hvisor-sim guest del zone=ID addr=A
 *   hvisor-sim read ZONE CPU ADDR SIZE
 *   hvisor-sim write ZONE CPU ADDR SIZE VALUE
 *   hvisor-sim stats
 *
 * Numbers are decimal or 0x-prefixed hex. Plain C99 and libc.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/hvisor_sim.h>

#define DEV_PATH "/dev/hvisor_sim"

static const char *prog = "hvisor-sim";

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: %s zone add ID [identity] [cpus=FIRST:COUNT] [mem=GPA:SIZE,...] [mmio=BASE:SIZE,...]\n"
		"       %s zone del ID\n"
		"       %s zone info ID\n"
		"       %s guest add zone=ID addr=A irq=N [len=L]\n"
		"       %s guest del zone=ID addr=A\n"
		"       %s read ZONE CPU ADDR SIZE\n"
		"       %s write ZONE CPU ADDR SIZE VALUE\n"
		"       %s stats\n"
		"Numbers are decimal or hex (0x...).\n",
		prog, prog, prog, prog, prog, prog, prog, prog);
}

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* A whole string as a number (base 0), no sign, no trailing junk. */
static int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "A:B" into two numbers. */
static int parse_pair(const char *s, uint64_t *a, uint64_t *b)
{
	const char *colon = strchr(s, ':');
	char buf[64];
	size_t n;

	if (!colon)
		return -1;
	n = (size_t)(colon - s);
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	return parse_u64(buf, a) || parse_u64(colon + 1, b) ? -1 : 0;
}

/* "A:B,C:D,..." into ranges; returns the count or -1. */
static int parse_ranges(const char *what, const char *s, uint64_t (*r)[2],
			int max)
{
	char *copy, *tok, *save = NULL;
	int n = 0;

	copy = strdup(s);
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == max) {
			fail("%s=: more than %d ranges", what, max);
			n = -1;
			break;
		}
		if (parse_pair(tok, &r[n][0], &r[n][1])) {
			fail("%s=: bad range '%s' (want START:SIZE)", what, tok);
			n = -1;
			break;
		}
		n++;
	}
	if (n == 0)
		fail("%s=: no range given", what);
	free(copy);
	return n > 0 ? n : -1;
}

static int open_dev(void)
{
	int fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "%s: %s: %s (is hvisor_sim loaded?)\n", prog,
			DEV_PATH, strerror(errno));
	return fd;
}

static int zone_add(int argc, char **argv)
{
	static struct hvsim_zone z;
	uint64_t mmio[HVSIM_MAX_MMIO][2], mem[HVSIM_MAX_REGIONS][2];
	int nmmio = 0, nmem = 0, fd, i;
	uint64_t a, b;

	if (argc < 1)
		return fail("zone add: missing zone ID");
	if (parse_u32(argv[0], &z.zone_id))
		return fail("zone add: bad zone ID '%s'", argv[0]);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "identity")) {
			z.flags |= HVSIM_ZONE_F_IDENTITY;
		} else if (!strncmp(arg, "cpus=", 5)) {
			if (parse_pair(arg + 5, &a, &b) || a > UINT32_MAX ||
			    !b || b > UINT32_MAX)
				return fail("zone add: bad cpus= '%s' (want FIRST:COUNT)",
					    arg + 5);
			z.first_cpu = (uint32_t)a;
			z.nr_cpus = (uint32_t)b;
		} else if (!strncmp(arg, "mem=", 4)) {
			nmem = parse_ranges("mem", arg + 4, mem, HVSIM_MAX_REGIONS);
			if (nmem < 0)
				return 1;
		} else if (!strncmp(arg, "mmio=", 5)) {
			nmmio = parse_ranges("mmio", arg + 5, mmio, HVSIM_MAX_MMIO);
			if (nmmio < 0)
				return 1;
		} else {
			return fail("zone add: unknown argument '%s'", arg);
		}
	}
	if ((z.flags & HVSIM_ZONE_F_IDENTITY) && nmem)
		return fail("zone add: identity zones take no mem= (they map System RAM 1:1)");
	if (!(z.flags & HVSIM_ZONE_F_IDENTITY) && !nmem)
		return fail("zone add: mem= is required without identity");
	z.nr_regions = (uint32_t)nmem;
	for (i = 0; i < nmem; i++) {
		z.regions[i].gpa = mem[i][0];
		z.regions[i].size = mem[i][1];
	}

	fd = open_dev();
	if (fd < 0)
		return 1;
	if (ioctl(fd, HVSIM_ZONE_CREATE, &z)) {
		fail("zone add %u: %s", z.zone_id, strerror(errno));
		close(fd);
		return 1;
	}
	for (i = 0; i < nmmio; i++) {
		struct hvsim_mmio_region r = {
			.zone_id = z.zone_id,
			.base = mmio[i][0],
			.size = mmio[i][1],
		};

		if (ioctl(fd, HVSIM_ZONE_ADD_MMIO, &r)) {
			fail("zone add %u: mmio=%#llx:%#llx: %s", z.zone_id,
			     (unsigned long long)mmio[i][0],
			     (unsigned long long)mmio[i][1], strerror(errno));
			/* nothing half-created */
			ioctl(fd, HVSIM_ZONE_DESTROY, (unsigned long)z.zone_id);
			close(fd);
			return 1;
		}
	}
	printf("zone %u cpus=%u:%u\n", z.zone_id, z.first_cpu, z.nr_cpus);
	close(fd);
	return 0;
}

static int zone_del(int argc, char **argv)
{
	uint32_t id;
	int fd, ret = 0;

	if (argc != 1)
		return fail("zone del: want exactly one zone ID");
	if (parse_u32(argv[0], &id))
		return fail("zone del: bad zone ID '%s'", argv[0]);
	fd = open_dev();
	if (fd < 0)
		return 1;
	if (ioctl(fd, HVSIM_ZONE_DESTROY, (unsigned long)id))
		ret = fail("zone del %u: %s", id, strerror(errno));
	close(fd);
	return ret;
}

static int zone_info(int argc, char **argv)
{
	static struct hvsim_zone z;
	uint32_t i;
	int fd;

	if (argc != 1)
		return fail("zone info: want exactly one zone ID");
	if (parse_u32(argv[0], &z.zone_id))
		return fail("zone info: bad zone ID '%s'", argv[0]);
	fd = open_dev();
	if (fd < 0)
		return 1;
	if (ioctl(fd, HVSIM_ZONE_INFO, &z)) {
		fail("zone info %u: %s", z.zone_id, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("zone=%u\n", z.zone_id);
	printf("flags=%s%s\n", z.flags & HVSIM_ZONE_F_IDENTITY ? "identity" : "raw",
	       z.flags & HVSIM_ZONE_F_FD_OWNED ? ",fd-owned" : "");
	printf("cpus=%u:%u\n", z.first_cpu, z.nr_cpus);
	printf("mem=");
	for (i = 0; i < z.nr_regions; i++)
		printf("%s%#llx:%#llx:%#llx", i ? "," : "",
		       (unsigned long long)z.regions[i].gpa,
		       (unsigned long long)z.regions[i].hpa,
		       (unsigned long long)z.regions[i].size);
	printf("\nmmio=");
	for (i = 0; i < z.nr_mmio; i++)
		printf("%s%#llx:%#llx", i ? "," : "",
		       (unsigned long long)z.mmio[i].base,
		       (unsigned long long)z.mmio[i].size);
	printf("\n");
	return 0;
}

static int guest_cmd(int add, int argc, char **argv)
{
	const char *what = add ? "guest add" : "guest del";
	struct hvsim_guest g = { 0 };
	int have_zone = 0, have_addr = 0, have_irq = 0, fd, i;
	uint64_t v;

	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!strncmp(arg, "zone=", 5)) {
			if (parse_u32(arg + 5, &g.zone_id))
				return fail("%s: bad zone= '%s'", what, arg + 5);
			have_zone = 1;
		} else if (!strncmp(arg, "addr=", 5)) {
			if (parse_u64(arg + 5, &v))
				return fail("%s: bad addr= '%s'", what, arg + 5);
			g.addr = v;
			have_addr = 1;
		} else if (add && !strncmp(arg, "irq=", 4)) {
			if (parse_u32(arg + 4, &g.irq) || !g.irq)
				return fail("%s: bad irq= '%s'", what, arg + 4);
			have_irq = 1;
		} else if (add && !strncmp(arg, "len=", 4)) {
			if (parse_u64(arg + 4, &v) || !v)
				return fail("%s: bad len= '%s'", what, arg + 4);
			g.len = v;
		} else {
			return fail("%s: unknown argument '%s'", what, arg);
		}
	}
	if (!have_zone)
		return fail("%s: zone= is required", what);
	if (!have_addr)
		return fail("%s: addr= is required", what);
	if (add && !have_irq)
		return fail("%s: irq= is required", what);
	fd = open_dev();
	if (fd < 0)
		return 1;
	if (ioctl(fd, add ? HVSIM_GUEST_ADD : HVSIM_GUEST_DEL, &g)) {
		int err = errno;

		fail("%s zone=%u addr=%#llx: %s%s", what, g.zone_id,
		     (unsigned long long)g.addr, strerror(err),
		     add && err == ENODEV ? " (no virtio device served there; see dmesg)" : "");
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

static int mmio_cmd(int is_write, int argc, char **argv)
{
	const char *what = is_write ? "write" : "read";
	struct hvsim_mmio m = { 0 };
	uint64_t v;
	int fd;

	if (argc != (is_write ? 5 : 4))
		return fail("%s: want ZONE CPU ADDR SIZE%s", what,
			    is_write ? " VALUE" : "");
	if (parse_u32(argv[0], &m.zone_id))
		return fail("%s: bad ZONE '%s'", what, argv[0]);
	if (parse_u32(argv[1], &m.cpu))
		return fail("%s: bad CPU '%s'", what, argv[1]);
	if (parse_u64(argv[2], &v))
		return fail("%s: bad ADDR '%s'", what, argv[2]);
	m.addr = v;
	if (parse_u32(argv[3], &m.size) || !m.size || m.size > 8)
		return fail("%s: bad SIZE '%s' (1..8)", what, argv[3]);
	if (is_write) {
		if (parse_u64(argv[4], &v))
			return fail("%s: bad VALUE '%s'", what, argv[4]);
		m.value = v;
	}
	m.is_write = (uint32_t)is_write;
	fd = open_dev();
	if (fd < 0)
		return 1;
	if (ioctl(fd, HVSIM_MMIO, &m)) {
		fail("%s zone %u cpu %u addr %#llx: %s", what, m.zone_id, m.cpu,
		     (unsigned long long)m.addr, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	if (!is_write)
		printf("%#llx\n", (unsigned long long)m.value);
	return 0;
}

static int stats_cmd(int argc)
{
	struct hvsim_stats st;
	int fd;

	if (argc)
		return fail("stats: takes no arguments");
	fd = open_dev();
	if (fd < 0)
		return 1;
	if (ioctl(fd, HVSIM_STATS, &st)) {
		fail("stats: %s", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
#define P(f) printf("%s %llu\n", #f, (unsigned long long)st.f)
	P(requests);
	P(wakeups);
	P(lost_wakeups);
	P(finish_req);
	P(injections);
	P(dropped_results);
	P(pending_irq_overflow);
	P(stalls);
	P(timeouts);
	P(deferred_notifies);
	P(ring_full_waits);
	P(unknown_hypercalls);
	P(events_dropped);
	P(hypervisor_panics);
	P(bridge_registered);
	P(bridge_owner);
#undef P
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		print_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "zone") || !strcmp(argv[1], "guest")) {
		int zone = argv[1][0] == 'z';

		if (argc < 3)
			return fail("%s: missing subcommand", argv[1]);
		if (!strcmp(argv[2], "add"))
			return zone ? zone_add(argc - 3, argv + 3) :
				      guest_cmd(1, argc - 3, argv + 3);
		if (!strcmp(argv[2], "del"))
			return zone ? zone_del(argc - 3, argv + 3) :
				      guest_cmd(0, argc - 3, argv + 3);
		if (zone && !strcmp(argv[2], "info"))
			return zone_info(argc - 3, argv + 3);
		return fail("%s: unknown subcommand '%s'", argv[1], argv[2]);
	}
	if (!strcmp(argv[1], "read"))
		return mmio_cmd(0, argc - 2, argv + 2);
	if (!strcmp(argv[1], "write"))
		return mmio_cmd(1, argc - 2, argv + 2);
	if (!strcmp(argv[1], "stats"))
		return stats_cmd(argc - 2);
	fail("unknown command '%s'", argv[1]);
	print_usage(stderr);
	return 2;
}
