/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/tracepoint.h>: each event of
 * hvisor_vhost/trace.h becomes an empty trace_<event>() with the event's
 * arguments, so that the layers built here keep their trace calls.
 */
#ifndef _HV_SHIM_LINUX_TRACEPOINT_H
#define _HV_SHIM_LINUX_TRACEPOINT_H

#define TP_PROTO(...)	__VA_ARGS__
#define TP_ARGS(...)	__VA_ARGS__
#define TRACE_EVENT(name, proto, args, tstruct, assign, print)	\
	static inline void trace_##name(proto) { }
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(class, name, proto, args)				\
	static inline void trace_##name(proto) { }

#endif
