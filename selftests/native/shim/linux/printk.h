/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages go to hv_shim_log(), which counts them, keeps the last one for
 * the tests, and prints them only when HV_SHIM_VERBOSE is set.
 */
#ifndef _HV_SHIM_LINUX_PRINTK_H
#define _HV_SHIM_LINUX_PRINTK_H

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

__printf(2, 3) void hv_shim_log(const char *level, const char *fmt, ...);

#define pr_err(fmt, ...)	hv_shim_log("err", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	hv_shim_log("warn", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	hv_shim_log("info", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	hv_shim_log("debug", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...)	pr_warn(fmt, ##__VA_ARGS__)

#endif /* _HV_SHIM_LINUX_PRINTK_H */
