/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_NATIVE_HVCTL_STUBS_H
#define _HV_NATIVE_HVCTL_STUBS_H

/* err_msg() calls, and the last message (without "hvisorctl: "). */
extern unsigned long hvctl_nr_errors;
extern char hvctl_last_error[512];

#endif /* _HV_NATIVE_HVCTL_STUBS_H */
