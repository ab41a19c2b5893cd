/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw_cfg.h: QEMU's firmware configuration device (fw_cfg) as the board
 * and the devices using it see it.  The board creates it (microvm: at
 * I/O port 0x510 with the DMA interface, /machine/fw_cfg, as QEMU's
 * microvm does); devices add items and files before the guest runs.
 * The guest-visible protocol is in include/standard-headers/linux/
 * qemu_fw_cfg.h and docs/system/vmcoreinfo.md.
 */
#ifndef HW_NVRAM_FW_CFG_H
#define HW_NVRAM_FW_CFG_H

#include "exec/memory.h"
#include "hw/qdev.h"

#define TYPE_FW_CFG_IO "fw_cfg_io"

typedef struct FWCfgState FWCfgState;

/**
 * FWCfgWriteCallback: the guest wrote @len bytes at offset @start of a
 * writable file (DMA write), already copied into the file's buffer.
 * Context: main thread (the guest's I/O).
 */
typedef void (*FWCfgWriteCallback)(void *opaque, off_t start, size_t len);

/**
 * fw_cfg_io_new: create and realize the fw_cfg device of @ms at I/O port
 * @iobase (selector, data) and @iobase + 4 (DMA), DMA to and from
 * @dma_as, as the child "fw_cfg" of the machine.  Adds the signature,
 * FW_CFG_ID, the empty file directory, FW_CFG_NB_CPUS, FW_CFG_MAX_CPUS
 * and FW_CFG_RAM_SIZE.
 * Returns: the device (borrowed: the machine owns it).
 */
FWCfgState *fw_cfg_io_new(Object *machine, MemoryRegion *io, hwaddr iobase,
                          AddressSpace *dma_as, Error **errp);

/** fw_cfg_register_types: TYPE_FW_CFG_IO (the board calls it). */
void fw_cfg_register_types(void);

/** fw_cfg_find: the machine's fw_cfg device, or NULL (borrowed). */
FWCfgState *fw_cfg_find(void);

/** fw_cfg_dma_enabled: @s has the DMA interface. */
bool fw_cfg_dma_enabled(FWCfgState *s);

/**
 * fw_cfg_add_bytes: item @key (< FW_CFG_FILE_FIRST) holds @len bytes at
 * @data (borrowed: must outlive the device; not copied).
 */
void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, void *data, size_t len);
/** fw_cfg_add_i16/i32/i64: a little-endian integer item (copied). */
void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value);
void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value);

/**
 * fw_cfg_add_file_callback: a file @filename in the directory holding
 * @len bytes at @data (borrowed; the guest may change them if
 * !@read_only, then @write_cb runs).  Files are kept sorted by name, as
 * QEMU does, so their selectors do not depend on creation order.
 * Errors: a duplicate name, a name longer than 55 bytes, or no free
 * selector.
 */
bool fw_cfg_add_file_callback(FWCfgState *s, const char *filename,
                              FWCfgWriteCallback write_cb, void *opaque,
                              void *data, size_t len, bool read_only,
                              Error **errp);

/** fw_cfg_remove_file: drop @filename (unrealize of its device). */
void fw_cfg_remove_file(FWCfgState *s, const char *filename);

#endif /* HW_NVRAM_FW_CFG_H */
