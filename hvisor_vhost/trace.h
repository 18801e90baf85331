/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the data path, under events/hvisor_vhost/ in tracefs.
 * A leaf: the events take plain values, so that every layer may include
 * this header and fire the events it owns (Documentation/design.rst,
 * "Tracing"). CREATE_TRACE_POINTS is defined in trace.c only.
 */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM hvisor_vhost

#if !defined(_HVV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _HVV_TRACE_H

#include <linux/tracepoint.h>
#include <linux/hvisor_vhost.h>

TRACE_EVENT(hvv_request,
	    TP_PROTO(const char *name, u32 zone, u64 off, u8 size, bool write,
		     u64 value),
	    TP_ARGS(name, zone, off, size, write, value),
	    TP_STRUCT__entry(__array(char, name, HVV_NAME_LEN)
			     __field(u64, off)
			     __field(u64, value)
			     __field(u32, zone)
			     __field(u8, size)
			     __field(bool, write)),
	    TP_fast_assign(strscpy(__entry->name, name, HVV_NAME_LEN);
			   __entry->off = off;
			   __entry->value = value;
			   __entry->zone = zone;
			   __entry->size = size;
			   __entry->write = write;),
	    TP_printk("%s zone=%u %s off=%#llx size=%u value=%#llx",
		      __entry->name, __entry->zone,
		      __entry->write ? "write" : "read", __entry->off,
		      __entry->size, __entry->value)
);

TRACE_EVENT(hvv_notify,
	    TP_PROTO(const char *name, u32 queue),
	    TP_ARGS(name, queue),
	    TP_STRUCT__entry(__array(char, name, HVV_NAME_LEN)
			     __field(u32, queue)),
	    TP_fast_assign(strscpy(__entry->name, name, HVV_NAME_LEN);
			   __entry->queue = queue;),
	    TP_printk("%s queue=%u", __entry->name, __entry->queue)
);

TRACE_EVENT(hvv_irq,
	    TP_PROTO(const char *name, u32 zone, u32 irq, u32 isr),
	    TP_ARGS(name, zone, irq, isr),
	    TP_STRUCT__entry(__array(char, name, HVV_NAME_LEN)
			     __field(u32, zone)
			     __field(u32, irq)
			     __field(u32, isr)),
	    TP_fast_assign(strscpy(__entry->name, name, HVV_NAME_LEN);
			   __entry->zone = zone;
			   __entry->irq = irq;
			   __entry->isr = isr;),
	    TP_printk("%s zone=%u irq=%u isr=%#x", __entry->name, __entry->zone,
		      __entry->irq, __entry->isr)
);

DECLARE_EVENT_CLASS(hvv_blk_class,
		    TP_PROTO(const char *name, u32 queue, u8 op, u64 sector, u64 bytes,
			     int status),
		    TP_ARGS(name, queue, op, sector, bytes, status),
		    TP_STRUCT__entry(__array(char, name, HVV_NAME_LEN)
				     __field(u64, sector)
				     __field(u64, bytes)
				     __field(u32, queue)
				     __field(int, status)
				     __field(u8, op)),
		    TP_fast_assign(strscpy(__entry->name, name, HVV_NAME_LEN);
				   __entry->sector = sector;
				   __entry->bytes = bytes;
				   __entry->queue = queue;
				   __entry->status = status;
				   __entry->op = op;),
		    TP_printk("%s queue=%u op=%s sector=%llu bytes=%llu status=%d",
			      __entry->name, __entry->queue,
			      __print_symbolic(__entry->op, { 0, "read" }, { 1, "write" },
					       { 2, "flush" }, { 3, "discard" },
					       { 4, "write_zeroes" }),
			      __entry->sector, __entry->bytes, __entry->status)
);

/* A request went to the I/O engine (status is 0). */
DEFINE_EVENT(hvv_blk_class, hvv_blk_submit,
	     TP_PROTO(const char *name, u32 queue, u8 op, u64 sector, u64 bytes,
		      int status),
	     TP_ARGS(name, queue, op, sector, bytes, status)
);

/* The engine finished it: status is the VIRTIO_BLK_S_* the driver gets. */
DEFINE_EVENT(hvv_blk_class, hvv_blk_complete,
	     TP_PROTO(const char *name, u32 queue, u8 op, u64 sector, u64 bytes,
		      int status),
	     TP_ARGS(name, queue, op, sector, bytes, status)
);

TRACE_EVENT(hvv_broken,
	    TP_PROTO(const char *name, u32 zone, const char *reason),
	    TP_ARGS(name, zone, reason),
	    TP_STRUCT__entry(__array(char, name, HVV_NAME_LEN)
			     __array(char, reason, 64)
			     __field(u32, zone)),
	    TP_fast_assign(strscpy(__entry->name, name, HVV_NAME_LEN);
			   strscpy(__entry->reason, reason, 64);
			   __entry->zone = zone;),
	    TP_printk("%s zone=%u reason=\"%s\"", __entry->name, __entry->zone,
		      __entry->reason)
);

#endif /* _HVV_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
