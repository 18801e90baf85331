// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl - "hvisorctl list": one line per device from
 * /sys/class/hvisor/<name>/. Missing attributes are shown as "-".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hvisorctl.h"
#include "json.h"
#include "parse.h"

#define ATTR_MAX	128

static const char *const attrs[] = {
	"type", "zone", "addr", "len", "irq", "status", "backend",
};

#define NR_ATTRS	ARRAY_SIZE(attrs)

/* The counters of /sys/class/hvisor/<name>/stats/ (hvisor_vhost/sysfs.c). */
static const char *const stat_names[] = {
	"reg_reads", "reg_writes", "notifies", "interrupts", "requests",
	"bytes_out", "bytes_in", "errors", "dropped",
};

/* First line of an attribute, printable characters only, or "-". */
static void read_attr(const char *root, const char *name, const char *attr,
		      char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	size_t i;
	int fd;

	strcpy(buf, "-");
	snprintf(path, sizeof(path), "%s/%s/%s", root, name, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0) {
		strcpy(buf, "-");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	if (!buf[0])
		strcpy(buf, "-");
}

int sysfs_attr(const char *name, const char *attr, char *buf, size_t len)
{
	read_attr(sysfs_root(), name, attr, buf, len);
	return strcmp(buf, "-") ? 0 : -1;
}

static int skip_entry(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

const char *sysfs_root(void)
{
	const char *root = getenv("HVISORCTL_SYSFS");

	return root && *root ? root : HVV_SYSFS_PATH;
}

int sysfs_count(unsigned int type, __u32 zone_id, unsigned int *of_type,
		unsigned int *in_zone)
{
	const char *root = sysfs_root();
	char val[ATTR_MAX], zone[16];
	struct dirent *de;
	DIR *dir;

	dir = opendir(root);
	if (!dir)
		return -1;
	*of_type = 0;
	*in_zone = 0;
	snprintf(zone, sizeof(zone), "%u", zone_id);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		read_attr(root, de->d_name, "type", val, sizeof(val));
		if (!strcmp(val, dev_type_name(type)))
			(*of_type)++;
		read_attr(root, de->d_name, "zone", val, sizeof(val));
		if (!strcmp(val, zone))
			(*in_zone)++;
	}
	closedir(dir);
	return 0;
}

int sysfs_devices(struct sysfs_dev **devs, unsigned int *nr)
{
	const char *root = sysfs_root();
	struct sysfs_dev *v = NULL, *nv, *d;
	char val[ATTR_MAX], path[512];
	unsigned int n = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	__u64 zone;
	DIR *dir;

	dir = opendir(root);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		/* devices are directories; bridge_* counters are files */
		snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
		if (de->d_name[0] == '.' || strlen(de->d_name) >= HVV_NAME_LEN ||
		    stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(dir);
				errno = ENOMEM;
				return -1;
			}
			v = nv;
		}
		d = &v[n];
		memset(d, 0, sizeof(*d));
		strcpy(d->name, de->d_name);
		read_attr(root, de->d_name, "type", val, sizeof(val));
		d->type = (unsigned int)dev_type_lookup(val);
		read_attr(root, de->d_name, "zone", val, sizeof(val));
		if (parse_u64(val, &zone) || zone > HVV_MAX_ZONE_ID)
			continue;	/* not a device after all */
		d->zone = (__u32)zone;
		read_attr(root, de->d_name, "addr", val, sizeof(val));
		if (parse_u64(val, &d->addr))
			continue;
		n++;
	}
	closedir(dir);
	*devs = v;
	*nr = n;
	return 0;
}

/* A JSON member: "key": VALUE, where "-" (missing) is null. */
static void json_member(const char *key, const char *val, int number,
			int first)
{
	printf("%s\"%s\": ", first ? "" : ", ", key);
	if (!strcmp(val, "-"))
		fputs("null", stdout);
	else if (number && val[0] && strspn(val, "0123456789") == strlen(val) &&
		 (val[0] != '0' || !val[1]))
		fputs(val, stdout);
	else
		json_print_string(stdout, val);
}

void sysfs_stats_json(const char *name)
{
	const char *root = sysfs_root();
	char dir[512], val[ATTR_MAX];
	struct stat st;
	size_t i;

	snprintf(dir, sizeof(dir), "%s/%s/stats", root, name);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fputs("null", stdout);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/stats", name);
	putchar('{');
	for (i = 0; i < ARRAY_SIZE(stat_names); i++) {
		read_attr(root, dir, stat_names[i], val, sizeof(val));
		json_member(stat_names[i], val, 1, !i);
	}
	putchar('}');
}

static void list_json_entry(const char *name, char val[][ATTR_MAX], int first)
{
	size_t a;

	printf("%s\n  {", first ? "" : ",");
	json_member("name", name, 0, 1);
	for (a = 0; a < NR_ATTRS; a++)
		json_member(attrs[a], val[a], !strcmp(attrs[a], "zone") ||
			    !strcmp(attrs[a], "irq"), 0);
	printf(", \"stats\": ");
	sysfs_stats_json(name);
	putchar('}');
}

/*
 * The devices of /sys/class/hvisor/detached: removed while their driver
 * used them, they have no entry of their own but keep their window. One
 * line each: name, type, zone, addr, len, irq. Shown with the status
 * "detached" and no backend or counters. Returns the number shown.
 */
static int list_detached(const char *root, int json, int shown)
{
	char path[512], line[256], f[6][64];
	size_t i, a;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/detached", root);
	fp = fopen(path, "re");
	if (!fp)
		return shown;	/* a module without it */
	while (fgets(line, sizeof(line), fp)) {
		char val[NR_ATTRS][ATTR_MAX];

		for (i = 0; line[i]; i++)
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
				line[i] = line[i] == '\n' ? '\0' : '?';
		if (sscanf(line, "%63s %63s %63s %63s %63s %63s", f[0], f[1],
			   f[2], f[3], f[4], f[5]) != 6)
			continue;
		for (a = 0; a < NR_ATTRS; a++)
			strcpy(val[a], "-");
		for (a = 0; a < 5; a++)
			strcpy(val[a], f[a + 1]);
		strcpy(val[5], "detached");
		if (json) {
			printf("%s\n  {", shown ? "," : "");
			json_member("name", f[0], 0, 1);
			for (a = 0; a < NR_ATTRS; a++)
				json_member(attrs[a], val[a],
					    !strcmp(attrs[a], "zone") ||
					    !strcmp(attrs[a], "irq"), 0);
			printf(", \"stats\": null}");
		} else {
			printf("%-16s %-8s %-4s %-12s %-6s %-4s %-6s %s\n",
			       f[0], val[0], val[1], val[2], val[3], val[4],
			       val[5], val[6]);
		}
		shown++;
	}
	fclose(fp);
	return shown;
}

int cmd_list(int argc, char **argv)
{
	const char *root = sysfs_root();
	char val[NR_ATTRS][ATTR_MAX];
	int n, i, e, json = 0, shown = 0;
	struct dirent **ents;
	char path[512];
	struct stat st;
	size_t a;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else {
			err_msg("list: unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	n = scandir(root, &ents, skip_entry, alphasort);
	if (n < 0) {
		e = errno;
		err_msg("list: %s: %s%s", root, errno_str(e),
			e == ENOENT ? " (is hvisor_vhost loaded?)" : "");
		return EXIT_FAIL;
	}
	if (json)
		putchar('[');
	else
		printf("%-16s %-8s %-4s %-12s %-6s %-4s %-6s %s\n", "NAME",
		       "TYPE", "ZONE", "ADDR", "LEN", "IRQ", "STATUS", "BACKEND");
	for (i = 0; i < n; i++) {
		/* devices are directories; bridge_* counters are files */
		snprintf(path, sizeof(path), "%s/%s", root, ents[i]->d_name);
		if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
			free(ents[i]);
			continue;
		}
		for (a = 0; a < NR_ATTRS; a++)
			read_attr(root, ents[i]->d_name, attrs[a], val[a],
				  ATTR_MAX);
		if (json)
			list_json_entry(ents[i]->d_name, val, !shown++);
		else
			printf("%-16s %-8s %-4s %-12s %-6s %-4s %-6s %s\n",
			       ents[i]->d_name, val[0], val[1], val[2], val[3],
			       val[4], val[5], val[6]);
		free(ents[i]);
	}
	free(ents);
	shown = list_detached(root, json, shown);
	if (json)
		puts(shown ? "\n]" : "]");
	return 0;
}

/* zone list [--json]: /sys/class/hvisor/zones */
int cmd_zone_list(int argc, char **argv)
{
	unsigned int id, regions, devices, detached;
	const char *root = sysfs_root();
	char path[512], line[128];
	int i, e, json = 0, shown = 0;
	FILE *fp;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else {
			err_msg("zone list: unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	snprintf(path, sizeof(path), "%s/zones", root);
	fp = fopen(path, "re");
	if (!fp) {
		e = errno;
		err_msg("zone list: %s: %s%s", path, errno_str(e),
			e == ENOENT ? " (is hvisor_vhost loaded?)" : "");
		return EXIT_FAIL;
	}
	if (json)
		putchar('[');
	else
		printf("%-4s %-7s %-7s %s\n", "ZONE", "REGIONS", "DEVICES",
		       "DETACHED");
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%u %u %u %u", &id, &regions, &devices,
			   &detached) != 4)
			continue;
		if (json) {
			printf("%s\n  {\"zone\": %u, \"regions\": %u, ",
			       shown ? "," : "", id, regions);
			printf("\"devices\": %u, \"detached\": %u}", devices,
			       detached);
		} else {
			printf("%-4u %-7u %-7u %u\n", id, regions, devices,
			       detached);
		}
		shown++;
	}
	fclose(fp);
	if (json)
		puts(shown ? "\n]" : "]");
	return 0;
}
