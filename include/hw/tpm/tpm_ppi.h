/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_ppi.h: the TPM Physical Presence Interface buffer (hw/tpm/tpm_ppi.c)
 * and the memory-overwrite (MOR) clear it triggers on system reset.
 *
 * The PPI buffer is 0x400 bytes of guest-visible memory at 0xfed45000,
 * shared between the guest's ACPI code and the firmware; the VMM only
 * ever looks at the MOR byte.  It is mapped as a ram_device region named
 * "tpm-ppi", so that guest_phys_blocks (dumps, the MOR clear itself)
 * leaves it alone.
 *
 * Layout, from QEMU's docs/specs/tpm.rst ("ACPI PPI Interface"):
 *
 *   offset  size   field      meaning
 *   0x000   0x100  func       per-operation support flags (ACPI func 8)
 *   0x100   1      ppin       SMI interrupt to use (not supported)
 *   0x101   4      ppip       ACPI function index to pass to SMM
 *   0x105   4      pprp       result of the last operation request
 *   0x109   4      pprq       operation request number (set by ACPI)
 *   0x10d   4      pprm       operation request optional parameter
 *   0x111   4      lppr       last executed operation request number
 *   0x115   4      fret       SMM function result (not supported)
 *   0x119   0x40   res1       reserved
 *   0x159   1      next_step  operation to execute after reboot
 *   0x15a   1      movv       memory overwrite variable (MOR)
 *
 * movv mirrors the UEFI MemoryOverwriteRequestControl variable of the TCG
 * Platform Reset Attack Mitigation Specification (1.00, section 3.1): bit
 * 0 is ClearMemory, "the platform firmware must clear system memory on
 * the next boot".  Only bit 0 is acted on; the other bits are ignored and
 * the byte is left as the guest wrote it (firmware owns it), as in QEMU.
 */
#ifndef HW_TPM_TPM_PPI_H
#define HW_TPM_TPM_PPI_H

#include "exec/memory.h"
#include "exec/ram-zero.h"

#define TPM_PPI_ADDR_BASE           0xfed45000
#define TPM_PPI_ADDR_SIZE           0x400

#define TPM_PPI_FUNC_OFFSET         0x000
#define TPM_PPI_FUNC_SIZE           0x100
#define TPM_PPI_PPIN_OFFSET         0x100
#define TPM_PPI_PPIP_OFFSET         0x101
#define TPM_PPI_PPRP_OFFSET         0x105
#define TPM_PPI_PPRQ_OFFSET         0x109
#define TPM_PPI_PPRM_OFFSET         0x10d
#define TPM_PPI_LPPR_OFFSET         0x111
#define TPM_PPI_FRET_OFFSET         0x115
#define TPM_PPI_RES1_OFFSET         0x119
#define TPM_PPI_RES1_SIZE           0x40
#define TPM_PPI_NEXT_STEP_OFFSET    0x159
#define TPM_PPI_MOVV_OFFSET         0x15a

/* movv bit 0: ClearMemory (TCG Platform Reset Attack Mitigation 3.1). */
#define TPM_PPI_MOVV_CLEAR_MEMORY   (1u << 0)

/**
 * struct TPMPPIClearStats: what one memory-overwrite clear did.
 * @blocks: guest RAM blocks cleared.
 * @skipped: read-only blocks left alone (ROM: firmware holds no secrets
 *           and clearing it would leave a guest that cannot boot).
 * @bytes: bytes of guest RAM in the cleared blocks.
 * @zero: how they were cleared (discarded / written).
 * @ns: time taken, monotonic clock.
 */
typedef struct TPMPPIClearStats {
    unsigned blocks;
    unsigned skipped;
    uint64_t bytes;
    RamZeroStats zero;
    int64_t ns;
} TPMPPIClearStats;

/**
 * struct TPMPPI: embedded in the TPM front end.
 * @ram: the "tpm-ppi" ram_device region.
 * @buf: its host memory (page aligned, zeroed at init); owned.
 * @as: the address space whose RAM a MOR reset clears (borrowed).
 * @blocks_flags: GUEST_PHYS_BLOCKS_* for building the list to clear.
 * @mapped_in: the container @ram is mapped in, or NULL.
 * @last_clear: what the last clear did (valid once @clears > 0).
 * @clears: number of clears since init.
 */
typedef struct TPMPPI {
    MemoryRegion ram;
    uint8_t *buf;
    AddressSpace *as;
    unsigned blocks_flags;
    MemoryRegion *mapped_in;
    TPMPPIClearStats last_clear;
    uint64_t clears;
} TPMPPI;

/**
 * tpm_ppi_init: allocate the buffer, map it at @addr in @container and
 * register tpm_ppi_reset() for the late reset phase, so that it runs
 * after every ordinary reset handler, virtio-mem's unplug-all included
 * (include/sysemu/runstate.h).
 * @as: the address space to clear (the machine's system memory).
 * @blocks_flags: GUEST_PHYS_BLOCKS_* (the machine's
 *                x-ignore-discard-manager).
 * @owner: the front end (the region's owner).
 */
void tpm_ppi_init(TPMPPI *ppi, MemoryRegion *container, AddressSpace *as,
                  unsigned blocks_flags, hwaddr addr, Object *owner);
/** tpm_ppi_uninit: undo tpm_ppi_init (unmap, unregister, free). */
void tpm_ppi_uninit(TPMPPI *ppi);

/**
 * tpm_ppi_reset: the reset-time check: if bit 0 of the MOR byte is set,
 * clear guest memory with tpm_ppi_clear_memory().  Other bits are
 * ignored; the byte itself is left alone (the firmware owns it).
 * Returns: true if memory was cleared.
 */
bool tpm_ppi_reset(TPMPPI *ppi);

/**
 * tpm_ppi_clear_memory: make every byte of guest RAM in @as read as zero:
 * take a guest_phys_blocks snapshot (RAM and ROM, without ram_device
 * regions such as the PPI buffer, without nonvolatile memory, and of
 * virtio-mem regions only the plugged blocks); skip read-only blocks;
 * clear each other block with ram_block_zero_range() (holes stay holes)
 * and mark exactly the block's range dirty in its own region: from
 * host_addr - ram_ptr(mr), not from the region's start.
 * @stats: filled in; may be NULL.
 * Context: main loop thread, VM being reset.
 */
void tpm_ppi_clear_memory(AddressSpace *as, unsigned blocks_flags,
                          TPMPPIClearStats *stats);

#endif /* HW_TPM_TPM_PPI_H */
