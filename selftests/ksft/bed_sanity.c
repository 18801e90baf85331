// SPDX-License-Identifier: GPL-2.0
/*
 * bed_sanity: the test bed booted a guest and loaded the project's modules.
 * A placeholder until the real control-plane tests exist; it must be able
 * to fail, so it asserts what vm-run promises.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"

TEST(modules_loaded)
{
	struct stat st;

	ASSERT_EQ(0, stat("/sys/module/hvisor_vhost", &st));
	ASSERT_EQ(0, stat("/sys/module/hvisor_sim", &st));
}

TEST(environment)
{
	const char *bin = getenv("HV_BIN");
	const char *arch = getenv("HV_ARCH");
	struct utsname u;

	ASSERT_NE(NULL, bin);
	ASSERT_NE(NULL, arch);
	ASSERT_EQ(0, uname(&u));
	TH_LOG("%s kernel %s on %s", arch, u.release, u.machine);
}

TEST(control_device)
{
	struct stat st;

	if (stat("/dev/hvisor_vhost", &st))
		SKIP(return, "no /dev/hvisor_vhost yet");
	ASSERT_TRUE(S_ISCHR(st.st_mode));
}

TEST_HARNESS_MAIN
