// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl - the live values of the module's limits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvisorctl.h"
#include "module_limits.h"
#include "parse.h"

unsigned int limit_zone_irqs(void)
{
	static unsigned int value;
	static int known;
	const char *dir = getenv("HVISORCTL_PARAMS");
	const char *why = NULL;
	char path[512], buf[32];
	size_t n;
	__u32 v;
	FILE *f;

	if (known)
		return value;
	known = 1;
	value = LIMIT_ZONE_IRQS_DEFAULT;
	snprintf(path, sizeof(path), "%s/max_zone_irqs",
		 dir && *dir ? dir : LIMIT_PARAMS_PATH);
	f = fopen(path, "r");
	if (!f) {
		/* not loaded: the value it will have when loaded */
		if (errno != ENOENT)
			why = errno_str(errno);
	} else {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		if (n && buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		why = parse_u32(buf, 0, 0xffffffffU, &v);
		if (!why)
			value = v;
	}
	if (why)
		err_msg("%s: %s, assuming max_zone_irqs %u", path, why, value);
	return value;
}
