/* SPDX-License-Identifier: GPL-2.0 */
/* Nothing: CONFIG_X86 is not defined in the native build (linux/mmzone.h). */
#ifndef _HV_SHIM_ASM_PROCESSOR_H
#define _HV_SHIM_ASM_PROCESSOR_H
#endif /* _HV_SHIM_ASM_PROCESSOR_H */
