/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw-cfg.h: a test-side fw_cfg driver (I/O ports 0x510/0x511/0x514), as
 * a guest's firmware or Linux's qemu_fw_cfg driver uses the device:
 * select an item and read it byte by byte, or run DMA descriptors placed
 * in guest memory; find files in the directory; write a writable file.
 *
 *     QGuestAllocator *alloc = guest_alloc_new(1 * MiB, 64 * MiB);
 *     uint16_t sel;
 *     uint32_t size;
 *
 *     g_assert(qfw_cfg_find_file(qts, "etc/vmcoreinfo", &sel, &size));
 *     g_assert_cmpuint(qfw_cfg_dma(qts, alloc, FW_CFG_DMA_CTL_SELECT |
 *                      FW_CFG_DMA_CTL_WRITE | (sel << 16), buf, 16), ==, 0);
 *
 * qvmcoreinfo_publish() is what Linux's driver does at probe time: it
 * builds a VMCOREINFO ELF note in guest memory and writes a
 * FWCfgVMCoreInfo naming it to etc/vmcoreinfo.
 */
#ifndef LIBQOS_FW_CFG_H
#define LIBQOS_FW_CFG_H

#include "libqtest.h"
#include "libqos/guest-alloc.h"
#include "standard-headers/linux/qemu_fw_cfg.h"

/** qfw_cfg_select: write the selector port. */
void qfw_cfg_select(QTestState *qts, uint16_t key);
/** qfw_cfg_read_data: @len bytes of the selected item (data port). */
void qfw_cfg_read_data(QTestState *qts, void *buf, size_t len);
/** qfw_cfg_get_u32: select @key and read a little-endian u32. */
uint32_t qfw_cfg_get_u32(QTestState *qts, uint16_t key);

/**
 * qfw_cfg_dma_raw: place the descriptor {@control, @length, @address}
 * (host order; stored big-endian) at guest address @desc, start it with
 * the two 32-bit DMA register writes, and return the control word the
 * device wrote back (host order: 0, or FW_CFG_DMA_CTL_ERROR).
 */
uint32_t qfw_cfg_dma_raw(QTestState *qts, uint64_t desc, uint32_t control,
                         uint32_t length, uint64_t address);

/**
 * qfw_cfg_dma: one transfer through a descriptor and a bounce buffer
 * from @alloc: a READ fills @buf, a WRITE sends it.
 * Returns: the control word written back.
 */
uint32_t qfw_cfg_dma(QTestState *qts, QGuestAllocator *alloc,
                     uint32_t control, void *buf, uint32_t len);

/**
 * qfw_cfg_find_file: look @name up in the directory (read through the
 * data port).  Returns: true with its selector and size.
 */
bool qfw_cfg_find_file(QTestState *qts, const char *name, uint16_t *select,
                       uint32_t *size);

/**
 * qvmcoreinfo_publish: build a VMCOREINFO ELF note holding @text (type
 * 0, name "VMCOREINFO", as Linux's crash_save_vmcoreinfo does) at a
 * guest address from @alloc, check etc/vmcoreinfo's host_format says
 * ELF, and write {guest_format ELF, size, paddr} to it with one DMA
 * write, as Linux's qemu_fw_cfg driver does.  Fails the test if the file
 * is missing or the write is refused.
 * Returns: the note's guest-physical address.
 */
uint64_t qvmcoreinfo_publish(QTestState *qts, QGuestAllocator *alloc,
                             const char *text);

#endif /* LIBQOS_FW_CFG_H */
