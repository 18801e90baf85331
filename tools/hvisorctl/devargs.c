// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl - the arguments of a device: KEY=VALUE words ("add blk
 * irq=78 ...") and hvisor-tool's "TYPE,KEY=VALUE,..." form of
 * "hvisor virtio start --device", whose numbers keep hvisor-tool's
 * meaning: addr and len hexadecimal with or without 0x (strtoul() base
 * 16), irq and zone_id decimal (base 10).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "devargs.h"
#include "module_limits.h"

int dev_args_start(struct dev_args *a, const char *cmd, const char *arg)
{
	char *comma;

	memset(a, 0, sizeof(*a));
	a->copy = strdup(arg);
	if (!a->copy) {
		err_msg("%s: out of memory", cmd);
		return EXIT_FAIL;
	}
	comma = strchr(a->copy, ',');
	if (comma)
		*comma++ = '\0';
	a->rest = comma;
	a->tname = a->copy;
	a->type = dev_type_lookup(a->tname);
	if (a->type < 0) {
		if (dev_type_foreign(a->tname))
			err_msg("%s: \"%s\" devices are not served by hvisor_vhost (it serves %s)",
				cmd, a->tname, LIMIT_SERVED_TEXT);
		else
			err_msg("%s: '%s': unknown device type (expected console, blk or net)",
				cmd, a->tname);
		return EXIT_USAGE;
	}
	snprintf(a->ctx, sizeof(a->ctx), "%s %s", cmd, a->tname);
	return 0;
}

void dev_args_end(struct dev_args *a)
{
	free(a->copy);
	a->copy = NULL;
}

/* hvisor-tool's reading of @v for key @k, as parse_u64() reads it. */
static const char *compat_value(struct dev_args *a, int k, const char *v)
{
	if ((k == DK_ADDR || k == DK_LEN) && *v && strncasecmp(v, "0x", 2) &&
	    strlen(v) < sizeof(a->num[k]) - 2) {
		snprintf(a->num[k], sizeof(a->num[k]), "0x%s", v);
		return a->num[k];
	}
	if (k == DK_IRQ || k == DK_ZONE) {
		/* no octal: leading zeros are decimal zeros */
		while (v[0] == '0' && isdigit((unsigned char)v[1]))
			v++;
	}
	return v;
}

int dev_args_word(struct dev_args *a, char *word, int compat)
{
	char *eq = strchr(word, '=');
	unsigned int type = (unsigned int)a->type;
	int k, j, first = 1;

	if (!eq || eq == word) {
		err_msg("%s: '%s': expected KEY=VALUE", a->ctx, word);
		return -1;
	}
	k = dev_key_lookup(word, (size_t)(eq - word));
	if (k < 0) {
		err_msg("%s: %s: unknown key", a->ctx, word);
		return -1;
	}
	if (!dev_key_valid(type, k)) {
		fprintf(stderr, "hvisorctl: %s: %s: not a key of %s devices (keys:",
			a->ctx, word, dev_type_name(type));
		for (j = 0; j < DK_NR; j++) {
			if (dev_key_valid(type, j)) {
				fprintf(stderr, "%s%s", first ? " " : ", ",
					dev_key_name[j]);
				first = 0;
			}
		}
		fputs(")\n", stderr);
		return -1;
	}
	if (a->val[k]) {
		err_msg("%s: %s: duplicate key (already given as %s)", a->ctx,
			word, a->given[k]);
		return -1;
	}
	a->val[k] = compat ? compat_value(a, k, eq + 1) : eq + 1;
	a->given[k] = word;
	return 0;
}

int dev_args_rest(struct dev_args *a)
{
	char *item, *rest = a->rest;

	while (rest) {
		item = rest;
		rest = strchr(rest, ',');
		if (rest)
			*rest++ = '\0';
		if (dev_args_word(a, item, 1))
			return -1;
	}
	a->rest = NULL;
	return 0;
}

/*
 * A refused value of @k that hvisor-tool's --device would have read as
 * hexadecimal: with a digit a-f, or a len (too small in decimal).
 */
static int hex_meant(int k, const char *v)
{
	if (k != DK_ADDR && k != DK_LEN)
		return 0;
	if (!*v || strspn(v, "0123456789abcdefABCDEF") != strlen(v))
		return 0;
	return k == DK_LEN || strpbrk(v, "abcdefABCDEF");
}

int dev_args_build(struct dev_args *a, struct dev_spec *spec)
{
	const char *msg;
	int k;

	msg = dev_spec_build(spec, (unsigned int)a->type, a->val, &k);
	if (!msg)
		return 0;
	if (!a->val[k])
		err_msg("%s: missing %s=", a->ctx, dev_key_name[k]);
	else if (hex_meant(k, a->val[k]))
		err_msg("%s: %s: %s (hexadecimal needs 0x here: %s=0x%s)",
			a->ctx, a->given[k], msg, dev_key_name[k], a->val[k]);
	else
		err_msg("%s: %s: %s", a->ctx, a->given[k], msg);
	return -1;
}
