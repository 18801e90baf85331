/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_CTL_H
#define _HV_CTL_H

int hv_ctl_init(void);
void hv_ctl_exit(void);

#endif /* _HV_CTL_H */
