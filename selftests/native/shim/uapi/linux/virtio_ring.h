/* SPDX-License-Identifier: GPL-2.0 */
/* <uapi/linux/...> is the system's installed uapi header. */
#ifndef _HV_SHIM_UAPI_LINUX_VIRTIO_RING_H
#define _HV_SHIM_UAPI_LINUX_VIRTIO_RING_H

#include <linux/virtio_ring.h>

#endif /* _HV_SHIM_UAPI_LINUX_VIRTIO_RING_H */
