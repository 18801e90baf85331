/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_DEVICE_H
#define _HV_SHIM_LINUX_DEVICE_H

#include <linux/kernel.h>
#include <linux/printk.h>

struct device;

/* The device is not named: tests run with sysdev NULL. */
#define dev_warn_ratelimited(dev, fmt, ...) \
	((void)(dev), hv_shim_log("warn", fmt, ##__VA_ARGS__))
#define dev_dbg_ratelimited(dev, fmt, ...) \
	((void)(dev), hv_shim_log("debug", fmt, ##__VA_ARGS__))
#define dev_warn(dev, fmt, ...)	dev_warn_ratelimited(dev, fmt, ##__VA_ARGS__)
#define dev_err(dev, fmt, ...) \
	((void)(dev), hv_shim_log("err", fmt, ##__VA_ARGS__))

#endif /* _HV_SHIM_LINUX_DEVICE_H */
