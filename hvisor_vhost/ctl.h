/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_CTL_H
#define _HVV_CTL_H

int hvv_ctl_init(void);
void hvv_ctl_exit(void);

#endif /* _HVV_CTL_H */
