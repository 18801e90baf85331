// SPDX-License-Identifier: GPL-2.0
/* Around every unit test of the module: clean doubles and shim. */
#include <linux/types.h>

#include "doubles.h"
#include "harness.h"
#include "shim/hv_shim_test.h"

static unsigned int maps_before;

void hv_test_before(void)
{
	hv_calls_clear();
	hv_shim_reset();
	hv_shim_nr_logs = 0;
	maps_before = hv_shim_live_maps();
}

/* A test that leaves a mapping behind leaked a zone. */
int hv_test_after(void)
{
	int leaked = hv_shim_live_maps() != maps_before;

	hv_shim_reset();
	return leaked;
}
