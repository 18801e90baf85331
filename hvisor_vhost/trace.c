// SPDX-License-Identifier: GPL-2.0
/* The data path's tracepoints (trace.h) are instantiated here. */

#define CREATE_TRACE_POINTS
#include "trace.h"
