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
 * memory: fd-backed blocks ask lseek(SEEK_DATA/SEEK_HOLE), anonymous
 * blocks read /proc/self/pagemap.  hugetlbfs blocks read pagemap too
 * (hugetlbfs answers SEEK_DATA with "all data"), so a huge page that is
 * in the file but was never mapped by this process (written by another
 * process sharing the file) counts as a hole.  Blocks where neither works
 * (caller memory, pagemap unreadable) report everything as populated;
 * readers use host_mem_read(), which survives the SIGBUS such a read may
 * raise.
 * @found_start, @found_end: receive the extent [start, end), page aligned
 *                           and clipped to [@start, @end).
 * Returns: true if an extent was found; false if the rest is all holes.
 */
bool ram_block_next_populated(RAMBlock *rb, ram_addr_t start, ram_addr_t end,
                              ram_addr_t *found_start, ram_addr_t *found_end);

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
 * qemu_ram_prealloc: populate every page of [@start, +@length) (write
 * fault, or fallocate for fd-backed blocks).
 * Returns: 0 or a negative errno (-ENOMEM when memory ran out).
 */
int qemu_ram_prealloc(RAMBlock *rb, ram_addr_t start, size_t length);

#endif /* EXEC_RAMBLOCK_H */
