/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory-access.c: reads and writes of guest memory through an address
 * space (qtest, device DMA, firmware loading).
 *
 * An access is cut at FlatRange boundaries; each piece goes to RAM (a
 * copy), MMIO (the region's callbacks, in sizes the device accepts) or
 * nowhere (unmapped: reads give 0).  RAM regions with a RamDiscardManager
 * are cut further at its granularity, and discarded parts are neither read
 * nor written: touching them would populate host memory the guest gave
 * back.  This is stricter than QEMU, which maps the whole region and lets
 * accesses through (see docs/system/virtio-mem.md).
 */
#include "qemu/osdep.h"
#include "exec/ram-zero.h"
#include "exec/ramblock.h"
#include "qemu/log.h"
#include "softmmu/memory-internal.h"

static uint64_t ldn_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static void stn_le(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = v >> (8 * i);
    }
}

/* One access the device's implementation handles directly. */
static void mmio_dispatch(MemoryRegion *mr, hwaddr offset, uint8_t *buf,
                          unsigned size, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned impl_max = ops->impl.max_access_size ?
                        ops->impl.max_access_size :
                        (ops->valid.max_access_size ?
                         ops->valid.max_access_size : 4);
    unsigned impl_min = ops->impl.min_access_size ?
                        ops->impl.min_access_size : 1;

    if (size > impl_max) {
        for (unsigned done = 0; done < size; done += impl_max) {
            mmio_dispatch(mr, offset + done, buf + done, impl_max, is_write);
        }
        return;
    }
    if (size < impl_min) {
        /* Widen reads; a partial write to a wider register is dropped. */
        uint8_t tmp[8];
        hwaddr base = QEMU_ALIGN_DOWN(offset, impl_min);

        if (is_write) {
            qemu_log_guest_error("%s: %u-byte write at 0x%" HWADDR_PRIx
                                 " narrower than the device accepts\n",
                                 memory_region_name(mr), size, offset);
            return;
        }
        stn_le(tmp, impl_min, ops->read ? ops->read(mr->opaque, base,
                                                    impl_min) : 0);
        memcpy(buf, tmp + (offset - base), size);
        return;
    }
    if (is_write) {
        if (ops->write) {
            ops->write(mr->opaque, offset, ldn_le(buf, size), size);
        }
    } else {
        stn_le(buf, size, ops->read ? ops->read(mr->opaque, offset, size) : 0);
    }
}

static MemTxResult mmio_access(MemoryRegion *mr, hwaddr offset, uint8_t *buf,
                               hwaddr len, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned valid_max = ops->valid.max_access_size ?
                         ops->valid.max_access_size : 4;
    unsigned valid_min = ops->valid.min_access_size ?
                         ops->valid.min_access_size : 1;
    MemTxResult res = MEMTX_OK;

    while (len) {
        uint64_t l = MIN(len, valid_max);

        if (!ops->valid.unaligned && offset) {
            l = MIN(l, offset & -offset);
        }
        l = pow2floor(l);
        if (l < valid_min || (!ops->valid.unaligned && offset % l)) {
            qemu_log_guest_error("%s: invalid %" PRIu64 "-byte %s at offset "
                                 "0x%" HWADDR_PRIx "\n",
                                 memory_region_name(mr), l,
                                 is_write ? "write" : "read", offset);
            if (!is_write) {
                memset(buf, 0, l);
            }
            res |= MEMTX_DECODE_ERROR;
        } else {
            mmio_dispatch(mr, offset, buf, l, is_write);
        }
        offset += l;
        buf += l;
        len -= l;
    }
    return res;
}

/*
 * Copy to or from RAM.  If the host cannot back the memory (SIGBUS: no
 * huge page, a full filesystem, a truncated backing file), the access
 * fails like a bus error would on hardware: reads give zeros, and the
 * fault handler stops the VM with the reason.
 */
static MemTxResult ram_copy(MemoryRegion *mr, hwaddr offset, uint8_t *buf,
                            hwaddr len, bool is_write)
{
    if (is_write) {
        int ret = ram_block_write(mr->ram_block, offset, buf, len);

        /* a faulting copy may have written part of it */
        ram_block_dirty_set(mr->ram_block, offset, len);
        return ret ? MEMTX_ERROR : MEMTX_OK;
    }
    if (ram_block_read(mr->ram_block, offset, buf, len)) {
        memset(buf, 0, len);
        return MEMTX_ERROR;
    }
    return MEMTX_OK;
}

/*
 * RAM with a discard manager: walk the access in granularity-aligned
 * chunks, copying populated ones and refusing discarded ones.
 */
static MemTxResult ram_access_managed(MemoryRegion *mr, RamDiscardManager *rdm,
                                      hwaddr offset, uint8_t *buf, hwaddr len,
                                      bool is_write, hwaddr gpa)
{
    uint64_t gran = ram_discard_manager_get_min_granularity(rdm, mr);
    MemTxResult res = MEMTX_OK;

    while (len) {
        hwaddr l = MIN(len, QEMU_ALIGN_DOWN(offset, gran) + gran - offset);
        MemoryRegionSection s = {
            .mr = mr,
            .size = l,
            .offset_within_region = offset,
            .offset_within_address_space = gpa,
        };

        if (ram_discard_manager_is_populated(rdm, &s)) {
            res |= ram_copy(mr, offset, buf, l, is_write);
        } else {
            if (is_write) {
                qemu_log_guest_error("%s: write of %" PRIu64 " bytes to "
                                     "discarded memory at 0x%" HWADDR_PRIx
                                     " dropped\n", memory_region_name(mr),
                                     (uint64_t)l, gpa);
            } else {
                memset(buf, 0, l);
            }
            res |= MEMTX_ACCESS_DENIED;
        }
        offset += l;
        gpa += l;
        buf += l;
        len -= l;
    }
    return res;
}

static MemTxResult region_access(MemoryRegion *mr, hwaddr offset,
                                 uint8_t *buf, hwaddr len, bool is_write,
                                 bool readonly, hwaddr gpa)
{
    RamDiscardManager *rdm;

    if (!mr->ram) {
        return mmio_access(mr, offset, buf, len, is_write);
    }
    if (is_write && readonly) {
        return MEMTX_OK;    /* ROM: guest writes vanish, as on hardware */
    }
    rdm = memory_region_get_ram_discard_manager(mr);
    if (rdm) {
        return ram_access_managed(mr, rdm, offset, buf, len, is_write, gpa);
    }
    return ram_copy(mr, offset, buf, len, is_write);
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, void *buf,
                             hwaddr len, bool is_write)
{
    FlatView *fv = as->current_map;
    uint8_t *p = buf;
    MemTxResult res = MEMTX_OK;

    flatview_ref(fv);
    while (len) {
        Int128 next;
        FlatRange *fr = flatview_lookup(fv, addr, &next);
        hwaddr l;

        if (!fr) {
            l = (hwaddr)int128_min((Int128)len, next - addr);
            if (!is_write) {
                memset(p, 0, l);
            }
            res |= MEMTX_DECODE_ERROR;
        } else {
            l = (hwaddr)int128_min((Int128)len,
                                   fr->start + fr->size - addr);
            res |= region_access(fr->mr, fr->offset_in_region +
                                 (addr - (hwaddr)fr->start), p, l, is_write,
                                 fr->readonly, addr);
        }
        p += l;
        len -= l;
        if (len && addr + l < addr) {
            /* The access wraps past 2^64: there is nothing there. */
            if (!is_write) {
                memset(p, 0, len);
            }
            res |= MEMTX_DECODE_ERROR;
            break;
        }
        addr += l;
    }
    flatview_unref(fv);
    return res;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               hwaddr len)
{
    return address_space_rw(as, addr, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                const void *buf, hwaddr len)
{
    return address_space_rw(as, addr, (void *)buf, len, true);
}

/*
 * Fill [@offset, +@len) of plain RAM @mr (no discard manager, writable):
 * one fill and one dirty update for the whole range.  Zeros go only where
 * memory is populated (ram_block_zero_range() without discarding):
 * memory never touched reads as zero already, and a guest that asks for
 * gigabytes of zeros (an fw_cfg DMA read past an item's end) must not
 * make the host allocate them.  Nothing is discarded, so a live dump's
 * write tracking sees every byte that changes as a write.  A private
 * mapping of a file is filled whole: its untouched pages show the file.
 */
static MemTxResult ram_set(MemoryRegion *mr, hwaddr offset, uint8_t c,
                           hwaddr len)
{
    RAMBlock *rb = mr->ram_block;
    int ret = 0;

    if (c == 0 && !(rb->fd >= 0 && !qemu_ram_is_shared(rb))) {
        ram_block_zero_range(rb, offset, len, RAM_ZERO_KEEP_POPULATED,
                             NULL);
    } else {
        ret = ram_block_fill(rb, offset, c, len);
    }
    /* a faulting fill may have written part of it */
    ram_block_dirty_set(rb, offset, len);
    return ret ? MEMTX_ERROR : MEMTX_OK;
}

/*
 * Fill [@addr, @addr + @len) one flat range at a time: a hole is skipped
 * in one step (its writes would all be dropped), so the cost grows with
 * what is mapped, not with @len.  Plain RAM is filled in one go
 * (ram_set()); ROM drops the writes; MMIO and discard-managed RAM are
 * written in chunks through address_space_write() and follow its rules.
 */
MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              hwaddr len)
{
    FlatView *fv = as->current_map;
    uint8_t chunk[4096];
    MemTxResult res = MEMTX_OK;

    memset(chunk, c, sizeof(chunk));
    flatview_ref(fv);
    while (len) {
        Int128 next;
        FlatRange *fr = flatview_lookup(fv, addr, &next);
        hwaddr l;

        if (!fr) {
            l = (hwaddr)int128_min((Int128)len, next - addr);
            res |= MEMTX_DECODE_ERROR;
        } else {
            MemoryRegion *mr = fr->mr;

            l = (hwaddr)int128_min((Int128)len,
                                   fr->start + fr->size - addr);
            if (mr->ram && fr->readonly) {
                /* ROM: guest writes vanish */
            } else if (mr->ram && !memory_region_is_ram_device(mr) &&
                       !memory_region_get_ram_discard_manager(mr)) {
                res |= ram_set(mr, fr->offset_in_region +
                               (addr - (hwaddr)fr->start), c, l);
            } else {
                for (hwaddr done = 0; done < l; done += sizeof(chunk)) {
                    res |= address_space_write(as, addr + done, chunk,
                                               MIN(l - done,
                                                   sizeof(chunk)));
                }
            }
        }
        len -= l;
        if (len && addr + l < addr) {
            res |= MEMTX_DECODE_ERROR;      /* wraps past 2^64 */
            break;
        }
        addr += l;
    }
    flatview_unref(fv);
    return res;
}

void *address_space_translate_ram(AddressSpace *as, hwaddr addr, hwaddr len,
                                  bool is_write)
{
    FlatRange *fr = flatview_lookup(as->current_map, addr, NULL);
    MemoryRegion *mr;
    RamDiscardManager *rdm;
    hwaddr offset;

    if (!fr || !len) {
        return NULL;
    }
    mr = fr->mr;
    if (!mr->ram || mr->ram_device || (is_write && fr->readonly)) {
        return NULL;
    }
    if ((Int128)addr + len > fr->start + fr->size) {
        return NULL;
    }
    offset = fr->offset_in_region + (addr - (hwaddr)fr->start);
    rdm = memory_region_get_ram_discard_manager(mr);
    if (rdm) {
        MemoryRegionSection s = {
            .mr = mr,
            .size = len,
            .offset_within_region = offset,
            .offset_within_address_space = addr,
        };

        if (!ram_discard_manager_is_populated(rdm, &s)) {
            return NULL;
        }
    }
    return (uint8_t *)mr->ram_block->host + offset;
}
