/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_BACKENDS_H
#define _HV_BACKENDS_H

struct hv_dev;
struct hvv_dev;

int hv_backends_init(void);
void hv_backends_exit(void);
struct hv_dev *hv_backend_create(const struct hvv_dev *ud);
int hv_backend_resize(struct hv_dev *dev);

/* One per device type. */
int hv_console_init(void);
void hv_console_exit(void);
struct hv_dev *hv_console_create(const struct hvv_dev *ud);
int hv_blk_init(void);
void hv_blk_exit(void);
struct hv_dev *hv_blk_create(const struct hvv_dev *ud);
int hv_blk_resize(struct hv_dev *dev);

#endif /* _HV_BACKENDS_H */
