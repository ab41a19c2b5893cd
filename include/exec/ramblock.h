/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ramblock.h: RAMBlock, the host memory behind a RAM MemoryRegion
 * (softmmu/physmem.c).
 *
 * A RAMBlock is one host mapping: anonymous (private or shared), mapped
 * from an fd (memfd or file), or memory the caller allocated.  It knows how
 * to give memory back (ram_block_discard_range), how to find which parts
 * were ever populated without touching the rest (ram_block_next_populated),
 * and keeps per-client dirty bitmaps allocated lazily, so that a 1 TiB
 * block costs nothing until it is used.
 */
#ifndef EXEC_RAMBLOCK_H
#define EXEC_RAMBLOCK_H

#include "exec/hwaddr.h"
#include "exec/memory.h"

/* RAMBlock flags */
#define RAM_PREALLOC     (1u << 0)  /* host memory provided by the caller */
#define RAM_SHARED       (1u << 1)  /* MAP_SHARED */
#define RAM_PMEM         (1u << 2)  /* persistent memory (pmem=on) */
#define RAM_NORESERVE    (1u << 3)  /* MAP_NORESERVE: no swap reservation */
#define RAM_READONLY_FD  (1u << 4)  /* fd opened read-only: MAP_PRIVATE */
#define RAM_ANON_FD      (1u << 5)  /* fd is a memfd (not a named file) */

/**
 * struct RAMBlock
 * @mr: the region this block backs (borrowed; the region owns the block).
 * @host: host address of byte 0; page aligned.
 * @used_length: bytes usable by the guest (== mapping size here).
 * @page_size: host page size of the mapping (hugetlbfs: the huge page).
 * @fd: the fd the mapping comes from, or -1; owned, closed at free.
 * @fd_offset: offset of byte 0 within @fd.
 * @flags: RAM_*.
 * @idstr: the region name, for messages.
 * @dirty: per client (DIRTY_MEMORY_*), one bit per TARGET_PAGE_SIZE page;
 *         NULL until the first page is marked dirty.
 * @no_hole_info: 1 when @fd's SEEK_DATA / SEEK_HOLE say nothing (a device,
 *         ramfs, hugetlbfs, answers that go backwards): populated extents
 *         come from the mapping (pagemap, mincore).  Set at creation, or
 *         by the first nonsensical answer (atomically: dumps walk from
 *         worker threads); never cleared.
 */
struct RAMBlock {
    MemoryRegion *mr;
    uint8_t *host;
    ram_addr_t used_length;
    size_t page_size;
    int fd;
    off_t fd_offset;
    uint32_t flags;
    char *idstr;
    unsigned long *dirty[DIRTY_MEMORY_NUM];
    int no_hole_info;
};

/**
 * qemu_ram_alloc_anon: an anonymous mapping of @size bytes.
 * @ram_flags: RAM_SHARED, RAM_NORESERVE.
 * Returns: the block, or NULL with @errp set (mmap's error and the size).
 */
RAMBlock *qemu_ram_alloc_anon(MemoryRegion *mr, uint64_t size,
                              uint32_t ram_flags, Error **errp);
/**
 * qemu_ram_alloc_from_fd: map @size bytes of @fd from @offset.  The fd must
 * be at least @offset + @size long (callers ftruncate).  On success the
 * block owns @fd.
 */
RAMBlock *qemu_ram_alloc_from_fd(MemoryRegion *mr, uint64_t size,
                                 uint32_t ram_flags, int fd, off_t offset,
                                 Error **errp);
/** qemu_ram_alloc_from_ptr: wrap caller memory (never unmapped by us). */
RAMBlock *qemu_ram_alloc_from_ptr(MemoryRegion *mr, uint64_t size,
                                  void *host);
/** qemu_ram_free: unmap (unless RAM_PREALLOC), close the fd, free. */
void qemu_ram_free(RAMBlock *rb);

static inline bool qemu_ram_is_shared(const RAMBlock *rb)
{
    return rb->flags & RAM_SHARED;
}

/**
 * ram_block_discard_range: give [@start, @start + @length) of @rb back to
 * the host; the range reads as zero afterwards and uses no memory.
 *
 * fd-backed: fallocate(PUNCH_HOLE | KEEP_SIZE) on the fd (and, for private
 * mappings of a file, MADV_DONTNEED too so the private copies go).
 * Anonymous private: MADV_DONTNEED.  Anonymous shared: MADV_REMOVE.
 * @start and @length must be aligned to the block's page size and lie in
 * the block.
 *
 * Returns: 0, or a negative errno (the block is unchanged on -EINVAL;
 * on a failing syscall the range may be partly discarded).
 */
int ram_block_discard_range(RAMBlock *rb, uint64_t start, size_t length);

/**
 * ram_block_next_populated: find the first extent at or after @start,
 * below @end, that may hold data: memory that was ever written (or, for
 * anonymous memory, read) and not discarded since.  Never touches the
 * memory: fd-backed blocks ask lseek(SEEK_DATA/SEEK_HOLE) (private
 * mappings: together with pagemap), anonymous blocks read
 * /proc/self/pagemap, and fd-backed blocks without hole information
 * (ram_block_has_hole_info()) ask the mapping: pagemap's present and
 * swapped bits, and mincore() for page-cache pages, per backend page
 * (a huge page as a whole).  Blocks where nothing works (caller memory)
 * report everything as populated; readers use host_mem_read(), which
 * survives the SIGBUS such a read may raise.  Always advances: an
 * extent is never empty and never starts before @start.
 * @found_start, @found_end: receive the extent [start, end), page aligned
 *                           and clipped to [@start, @end).
 * Returns: true if an extent was found; false if the rest is all holes.
 */
bool ram_block_next_populated(RAMBlock *rb, ram_addr_t start, ram_addr_t end,
                              ram_addr_t *found_start, ram_addr_t *found_end);

/**
 * ram_block_next_private_copy: as ram_block_next_populated(), but for a
 * private mapping of an fd (share=off) only the pages that are private
 * (anonymous) copies: what was written through the mapping, told from
 * file pages mapped for reading by pagemap's "file page" bit 61.  Other
 * blocks: same as ram_block_next_populated().
 */
bool ram_block_next_private_copy(RAMBlock *rb, ram_addr_t start,
                                 ram_addr_t end, ram_addr_t *found_start,
                                 ram_addr_t *found_end);

/**
 * ram_block_has_hole_info: true for an fd-backed block whose SEEK_DATA /
 * SEEK_HOLE answers are usable (see @no_hole_info).
 */
bool ram_block_has_hole_info(RAMBlock *rb);

/**
 * ram_block_populated_bytes: how many bytes of @rb are populated, by the
 * same rules (for tests and the demo's "pages populated" column).
 */
uint64_t ram_block_populated_bytes(RAMBlock *rb);

/**
 * ram_block_dirty_set / _get / _reset: dirty bitmap access for @client
 * (or all clients for _set) over [@start, @start + @length) of @rb.
 * _get returns true if any page in the range is dirty.
 */
void ram_block_dirty_set(RAMBlock *rb, ram_addr_t start, ram_addr_t length);
bool ram_block_dirty_get(RAMBlock *rb, ram_addr_t start, ram_addr_t length,
                         unsigned client);
void ram_block_dirty_reset(RAMBlock *rb, ram_addr_t start, ram_addr_t length,
                           unsigned client);

/**
 * ram_block_read / ram_block_write / ram_block_fill: copy between @buf and
 * [@offset, @offset + @len) of @rb's host memory (fill it with @c),
 * surviving SIGBUS (include/qemu/host-mem.h): when the host cannot back a
 * page (no free huge page, a full filesystem, a backing file truncated by
 * another process, poisoned memory) the access stops there, the fault is
 * reported once through the fault handler (ram_block_set_fault_handler),
 * and -EFAULT is returned.  A failed read leaves @buf partly written; a
 * failed write may have written part of the range.  The caller checks
 * bounds and never points into a discarded virtio-mem block.
 * Returns: 0 or -EFAULT.
 * Context: any thread (dumps read from worker threads).
 */
int ram_block_read(RAMBlock *rb, ram_addr_t offset, void *buf, size_t len);
int ram_block_write(RAMBlock *rb, ram_addr_t offset, const void *buf,
                    size_t len);
int ram_block_fill(RAMBlock *rb, ram_addr_t offset, int c, size_t len);

/**
 * RamBlockFaultHandler: told that an access to [@offset, +@len) of @rb
 * (a read unless @is_write) could not be backed by the host.  Called on
 * the thread that made the access, which carries on with -EFAULT: the
 * handler must be thread-safe and must not block (the machine stops the
 * VM from its main loop: softmmu/runstate.c).
 */
typedef void RamBlockFaultHandler(RAMBlock *rb, ram_addr_t offset,
                                  size_t len, bool is_write);
/** ram_block_set_fault_handler: install @fn (NULL: faults are silent). */
void ram_block_set_fault_handler(RamBlockFaultHandler *fn);

/**
 * qemu_ram_prealloc: populate every page of [@start, +@length) (write
 * fault, or fallocate for fd-backed blocks).
 * Returns: 0 or a negative errno (-ENOMEM when memory ran out).
 */
int qemu_ram_prealloc(RAMBlock *rb, ram_addr_t start, size_t length);

#endif /* EXEC_RAMBLOCK_H */
