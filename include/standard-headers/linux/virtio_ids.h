/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio_ids.h: virtio device IDs (virtio 1.2 section 5) that sparsevm
 * models or tests look for.  Wire ABI only.
 */
#ifndef STANDARD_HEADERS_LINUX_VIRTIO_IDS_H
#define STANDARD_HEADERS_LINUX_VIRTIO_IDS_H

#define VIRTIO_ID_NONE  0   /* an empty virtio-mmio transport */
#define VIRTIO_ID_MEM   24

#endif /* STANDARD_HEADERS_LINUX_VIRTIO_IDS_H */
