/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu_fw_cfg.h: the wire ABI of QEMU's firmware configuration device
 * (fw_cfg), as QEMU's docs/specs/fw_cfg.rst and Linux's
 * include/uapi/linux/qemu_fw_cfg.h define it: the well-known selector
 * keys, the file directory, the DMA descriptor and the VMCOREINFO file.
 * Wire ABI only (the device model and the test driver share it).
 *
 * On x86 (QEMU's pc, q35 and microvm boards) the device is I/O-port
 * based:
 *
 *   0x510  selector, 16-bit write, little-endian
 *   0x511  data, 8-bit read (one byte of the selected item per read)
 *   0x514  DMA address, big-endian: a 32-bit write of the high half at
 *          0x514, then of the low half at 0x518, which starts the
 *          transfer; reads give the signature "QEMU CFG"
 *
 * Multi-byte integer items (FW_CFG_ID, FW_CFG_NB_CPUS ...) are
 * little-endian; the file directory and the DMA descriptor are
 * big-endian; FWCfgVMCoreInfo is little-endian.
 */
#ifndef STANDARD_HEADERS_LINUX_QEMU_FW_CFG_H
#define STANDARD_HEADERS_LINUX_QEMU_FW_CFG_H

#include <stdint.h>

#define FW_CFG_IO_BASE          0x510
#define FW_CFG_IO_CTL           0x00    /* offsets from FW_CFG_IO_BASE */
#define FW_CFG_IO_DATA          0x01
#define FW_CFG_IO_DMA           0x04
#define FW_CFG_IO_SIZE          0x0c

/* selector keys */
#define FW_CFG_SIGNATURE        0x00    /* "QEMU" */
#define FW_CFG_ID               0x01    /* u32: FW_CFG_VERSION* bits */
#define FW_CFG_RAM_SIZE         0x03    /* u64 */
#define FW_CFG_NB_CPUS          0x05    /* u16 */
#define FW_CFG_MAX_CPUS         0x0f    /* u16 */
#define FW_CFG_FILE_DIR         0x19
#define FW_CFG_FILE_FIRST       0x20
#define FW_CFG_WRITE_CHANNEL    0x4000  /* ignored since QEMU 2.4 */
#define FW_CFG_ARCH_LOCAL       0x8000
#define FW_CFG_ENTRY_MASK       0x3fff  /* selector bits naming the item */

/* FW_CFG_ID bits */
#define FW_CFG_VERSION          0x01    /* the traditional interface */
#define FW_CFG_VERSION_DMA      0x02    /* the DMA interface */

#define FW_CFG_SIG_SIZE         4
#define FW_CFG_MAX_FILE_PATH    56
#define FW_CFG_DMA_SIGNATURE    "QEMU CFG"      /* 8 bytes, no NUL */

/* one entry of the file directory (after a big-endian u32 count) */
struct fw_cfg_file {
    uint32_t size;                      /* big-endian */
    uint16_t select;                    /* big-endian */
    uint16_t reserved;
    char name[FW_CFG_MAX_FILE_PATH];    /* NUL-terminated */
};

/* FWCfgDmaAccess control bits */
#define FW_CFG_DMA_CTL_ERROR    0x01
#define FW_CFG_DMA_CTL_READ     0x02
#define FW_CFG_DMA_CTL_SKIP     0x04
#define FW_CFG_DMA_CTL_SELECT   0x08    /* selector in bits 16..31 */
#define FW_CFG_DMA_CTL_WRITE    0x10

/* the DMA descriptor the guest puts in its memory (all big-endian) */
struct fw_cfg_dma_access {
    uint32_t control;
    uint32_t length;
    uint64_t address;
};

/* fw_cfg file "etc/vmcoreinfo" (QEMU's -device vmcoreinfo) */
#define FW_CFG_VMCOREINFO_FILENAME      "etc/vmcoreinfo"
#define FW_CFG_VMCOREINFO_FORMAT_NONE   0x0
#define FW_CFG_VMCOREINFO_FORMAT_ELF    0x1

/* its contents (all little-endian) */
struct fw_cfg_vmcoreinfo {
    uint16_t host_format;               /* set by the host */
    uint16_t guest_format;              /* written by the guest */
    uint32_t size;                      /* of the ELF note */
    uint64_t paddr;                     /* guest-physical, of the note */
} __attribute__((packed));

#endif /* STANDARD_HEADERS_LINUX_QEMU_FW_CFG_H */
