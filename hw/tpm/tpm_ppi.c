/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_ppi.c: the TPM Physical Presence Interface buffer (layout in
 * include/hw/tpm/tpm_ppi.h) and the memory-overwrite clear a guest asks
 * for by setting bit 0 of its MOR byte: at the next system reset every
 * byte of guest RAM must read zero before the firmware runs again.
 */
#include "qemu/osdep.h"
#include "exec/memory_mapping.h"
#include "exec/ramblock.h"
#include "hw/tpm/tpm_ppi.h"
#include "qemu/trace.h"
#include "sysemu/hostmem.h"
#include "sysemu/runstate.h"

/**
 * DOC: reset order
 * qemu_system_reset() runs the ordinary reset handlers, then the late
 * ones (include/sysemu/runstate.h); the MOR clear (tpm_ppi_reset) is a
 * late handler, so it runs after virtio-mem's system-reset handler,
 * whatever the order of -device options:
 *
 *   1. ordinary handlers, in registration order: device resets
 *      (tpm-crb: registers, swtpm CMD_STOP / CMD_INIT), virtio-mem's
 *      unplug-all, which discards every plugged block (madvise /
 *      fallocate) and clears its plug bitmap;
 *   2. late handlers: the MOR clear takes a guest_phys_blocks snapshot:
 *      the unplugged blocks are no longer in it, so they are neither
 *      zeroed nor populated again; a block whose discard failed is still
 *      plugged, still in the snapshot, and is zeroed;
 *   3. the RESET event.
 *
 * Nothing is cleared twice and nothing is populated by the clear.  Not
 * cleared: ram_device regions (the PPI buffer: the firmware reads the
 * request from it) and nonvolatile memory, which guest_phys_blocks
 * leaves out, and read-only regions (ROM: the firmware image), which the
 * clear skips.  QEMU 7.2 zeroes the BIOS there and the guest never boots
 * again.
 */

/* Zeroing flags for @mr: preallocated backends keep their memory. */
static unsigned tpm_ppi_zero_flags(MemoryRegion *mr)
{
    Object *backend = mr->owner ?
                      object_dynamic_cast(mr->owner, TYPE_MEMORY_BACKEND) :
                      NULL;

    return backend && MEMORY_BACKEND(backend)->prealloc ?
           RAM_ZERO_KEEP_POPULATED : 0;
}

void tpm_ppi_clear_memory(AddressSpace *as, unsigned blocks_flags,
                          TPMPPIClearStats *stats)
{
    TPMPPIClearStats local = { 0 };
    TPMPPIClearStats *st = stats ? stats : &local;
    gint64 start = g_get_monotonic_time();
    GuestPhysBlockList list;
    GuestPhysBlock *block;

    memset(st, 0, sizeof(*st));
    guest_phys_blocks_init(&list);
    guest_phys_blocks_append(&list, as, blocks_flags);
    QTAILQ_FOREACH(block, &list.head, next) {
        MemoryRegion *mr = block->mr;
        uint64_t size = block->target_end - block->target_start;
        ram_addr_t offset = block->host_addr -
                            (uint8_t *)memory_region_get_ram_ptr(mr);
        unsigned flags;

        if (memory_region_is_rom(mr)) {
            trace_event("tpm_ppi_skip_rom", "%s gpa=0x%" HWADDR_PRIx
                        " size=0x%" PRIx64, memory_region_name(mr),
                        block->target_start, size);
            st->skipped++;
            continue;
        }
        flags = tpm_ppi_zero_flags(mr);
        trace_event("tpm_ppi_memset", "%s gpa=0x%" HWADDR_PRIx " size=0x%"
                    PRIx64 " offset=0x%" PRIx64 " method=%s",
                    memory_region_name(mr), block->target_start, size,
                    (uint64_t)offset,
                    ram_zero_method_name(ram_block_zero_method(
                        memory_region_get_ram_block(mr), flags)));
        ram_block_zero_range(memory_region_get_ram_block(mr), offset, size,
                             flags, &st->zero);
        /* The block's own range of its own region (QEMU 45e576c74533). */
        memory_region_set_dirty(mr, offset, size);
        st->blocks++;
        st->bytes += size;
    }
    guest_phys_blocks_free(&list);
    st->ns = (g_get_monotonic_time() - start) * 1000;
}

bool tpm_ppi_reset(TPMPPI *ppi)
{
    uint8_t movv = ppi->buf[TPM_PPI_MOVV_OFFSET];
    TPMPPIClearStats *st = &ppi->last_clear;

    if (!(movv & TPM_PPI_MOVV_CLEAR_MEMORY)) {
        return false;
    }
    tpm_ppi_clear_memory(ppi->as, ppi->blocks_flags, st);
    ppi->clears++;
    trace_event("tpm_ppi_memory_clear", "blocks=%u skipped=%u bytes=%"
                PRIu64 " discarded=%" PRIu64 " written=%" PRIu64
                " extents=%" PRIu64 " time_us=%" PRId64, st->blocks,
                st->skipped, st->bytes, st->zero.discarded,
                st->zero.written, st->zero.extents, st->ns / 1000);
    return true;
}

static void tpm_ppi_reset_handler(void *opaque)
{
    tpm_ppi_reset(opaque);
}

void tpm_ppi_init(TPMPPI *ppi, MemoryRegion *container, AddressSpace *as,
                  unsigned blocks_flags, hwaddr addr, Object *owner)
{
    size_t page = qemu_real_host_page_size();
    size_t size = ROUND_UP(TPM_PPI_ADDR_SIZE, page);
    void *buf;

    /* Page aligned, as QEMU allocates it: the region may be mapped. */
    if (posix_memalign(&buf, page, size)) {
        g_error("tpm-ppi: cannot allocate %zu bytes", size);
    }
    memset(buf, 0, size);
    ppi->buf = buf;
    ppi->as = as;
    ppi->blocks_flags = blocks_flags;
    ppi->clears = 0;
    memory_region_init_ram_device_ptr(&ppi->ram, owner, "tpm-ppi",
                                      TPM_PPI_ADDR_SIZE, ppi->buf);
    memory_region_add_subregion(container, addr, &ppi->ram);
    ppi->mapped_in = container;
    qemu_register_reset_late(tpm_ppi_reset_handler, ppi);
}

void tpm_ppi_uninit(TPMPPI *ppi)
{
    qemu_unregister_reset_late(tpm_ppi_reset_handler, ppi);
    if (ppi->mapped_in) {
        memory_region_del_subregion(ppi->mapped_in, &ppi->ram);
        ppi->mapped_in = NULL;
    }
    memory_region_destroy(&ppi->ram);
    free(ppi->buf);
    ppi->buf = NULL;
}
