/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-guest-phys-blocks.c: guest_phys_blocks_append() rule by rule --
 * which regions are in (RAM, ROM) and out (MMIO, ram_device,
 * nonvolatile), when adjacent parts merge (same region, contiguous in
 * guest-physical and host addresses) and when not, discard-managed
 * regions (only populated runs, clipped to the section; or everything
 * with the ignore flag), region references, lookup/read through the list,
 * the top of the address space, and the scale check: a 1 TiB region with
 * 262,144 populated runs.
 */
#include "qemu/osdep.h"
#include <malloc.h>
#include "exec/memory.h"
#include "exec/memory_mapping.h"
#include "qemu/error.h"
#include "qom/object.h"
#include "fake-rdm.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#ifdef HAVE_ASAN
/* from the ASan runtime (sanitizer/allocator_interface.h is optional) */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)

typedef struct TestAs {
    MemoryRegion root;
    AddressSpace as;
    GPtrArray *owned;       /* MemoryRegion * to destroy, children first */
} TestAs;

static void tas_init(TestAs *t)
{
    memory_region_init(&t->root, NULL, "root", UINT64_MAX);
    address_space_init(&t->as, &t->root, "test");
    t->owned = g_ptr_array_new();
}

static MemoryRegion *tas_ram(TestAs *t, const char *name, uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    g_assert(memory_region_init_ram(mr, NULL, name, size, &error_abort));
    g_ptr_array_add(t->owned, mr);
    return mr;
}

static MemoryRegion *tas_alias(TestAs *t, const char *name, MemoryRegion *orig,
                               hwaddr offset, uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init_alias(mr, NULL, name, orig, offset, size);
    g_ptr_array_insert(t->owned, 0, mr);    /* aliases go first */
    return mr;
}

static void tas_map(TestAs *t, hwaddr addr, MemoryRegion *mr)
{
    memory_region_add_subregion(&t->root, addr, mr);
}

static void tas_fini(TestAs *t)
{
    MemoryRegion *sub;

    while ((sub = QTAILQ_FIRST(&t->root.subregions))) {
        memory_region_del_subregion(&t->root, sub);
    }
    for (unsigned i = 0; i < t->owned->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(t->owned, i);

        memory_region_destroy(mr);
        g_free(mr);
    }
    g_ptr_array_free(t->owned, true);
    address_space_destroy(&t->as);
    memory_region_destroy(&t->root);
}

typedef struct Expect {
    hwaddr start;
    hwaddr end;
    const MemoryRegion *mr;
    uint64_t offset;        /* host_addr - ram_ptr(mr) */
} Expect;

static void check_blocks(const GuestPhysBlockList *list, const Expect *e,
                         unsigned n)
{
    const GuestPhysBlock *b;
    unsigned i = 0;

    g_assert_cmpuint(list->num, ==, n);
    QTAILQ_FOREACH(b, &list->head, next) {
        g_assert_cmpuint(i, <, n);
        g_assert_cmphex(b->target_start, ==, e[i].start);
        g_assert_cmphex(b->target_end, ==, e[i].end);
        g_assert_true(b->mr == e[i].mr);
        g_assert_true(b->host_addr ==
                      (uint8_t *)memory_region_get_ram_ptr(b->mr) +
                      e[i].offset);
        i++;
    }
    g_assert_cmpuint(i, ==, n);
}

static void build(GuestPhysBlockList *list, TestAs *t, unsigned flags)
{
    guest_phys_blocks_init(list);
    guest_phys_blocks_append(list, &t->as, flags);
}

/* ------------------------------------------------------ inclusion rules */

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
};

static void test_kinds(void)
{
    TestAs t;
    GuestPhysBlockList list;
    MemoryRegion *ram, *rom, *mmio, *dev, *pmem, *nvram, *nvalias;
    void *devbuf = g_malloc0(64 * KiB);

    tas_init(&t);
    ram = tas_ram(&t, "ram", 1 * MiB);
    rom = g_new0(MemoryRegion, 1);
    g_assert(memory_region_init_rom(rom, NULL, "rom", 64 * KiB,
                                    &error_abort));
    g_ptr_array_add(t.owned, rom);
    mmio = g_new0(MemoryRegion, 1);
    memory_region_init_io(mmio, NULL, &mmio_ops, NULL, "mmio", 4 * KiB);
    g_ptr_array_add(t.owned, mmio);
    dev = g_new0(MemoryRegion, 1);
    memory_region_init_ram_device_ptr(dev, NULL, "ppi", 64 * KiB, devbuf);
    g_ptr_array_add(t.owned, dev);
    pmem = tas_ram(&t, "pmem", 1 * MiB);
    memory_region_set_nonvolatile(pmem, true);
    /* nonvolatile set on an alias only: the section carries it */
    nvram = tas_ram(&t, "nvram", 1 * MiB);
    nvalias = tas_alias(&t, "nvalias", nvram, 0, 1 * MiB);
    memory_region_set_nonvolatile(nvalias, true);

    tas_map(&t, 0, ram);
    tas_map(&t, 1 * MiB, mmio);               /* right after RAM */
    tas_map(&t, 2 * MiB, dev);
    tas_map(&t, 3 * MiB, pmem);
    tas_map(&t, 4 * MiB, nvalias);
    tas_map(&t, 0xfff00000, rom);

    build(&list, &t, 0);
    {
        Expect e[] = {
            { 0, 1 * MiB, ram, 0 },
            { 0xfff00000, 0xfff10000, rom, 0 },
        };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    guest_phys_blocks_free(&list);
    g_assert_cmpuint(list.num, ==, 0);
    g_assert_true(QTAILQ_EMPTY(&list.head));
    tas_fini(&t);
    g_free(devbuf);
}

static void test_empty(void)
{
    TestAs t;
    GuestPhysBlockList list;

    tas_init(&t);
    build(&list, &t, 0);
    g_assert_cmpuint(list.num, ==, 0);
    g_assert_null(guest_phys_blocks_lookup(&list, 0));
    g_assert_cmpuint(guest_phys_blocks_total_size(&list, 0, 0), ==, 0);
    guest_phys_blocks_free(&list);
    tas_fini(&t);
}

/* --------------------------------------------------------- merge rules */

/*
 * Two FlatView ranges of one region, contiguous in both address spaces,
 * differing only in an attribute (read-only), so the FlatView keeps them
 * apart but the block list joins them.
 */
static void test_merge_contiguous(void)
{
    TestAs t;
    GuestPhysBlockList list;
    MemoryRegion *ram, *a, *b;

    tas_init(&t);
    ram = tas_ram(&t, "ram", 2 * MiB);
    a = tas_alias(&t, "a", ram, 0, 1 * MiB);
    b = tas_alias(&t, "b", ram, 1 * MiB, 1 * MiB);
    memory_region_set_readonly(b, true);
    tas_map(&t, 16 * MiB, a);
    tas_map(&t, 17 * MiB, b);

    build(&list, &t, 0);
    {
        Expect e[] = { { 16 * MiB, 18 * MiB, ram, 0 } };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    guest_phys_blocks_free(&list);
    tas_fini(&t);
}

/* GPA-contiguous, same region, but the host addresses are swapped. */
static void test_no_merge_host_gap(void)
{
    TestAs t;
    GuestPhysBlockList list;
    MemoryRegion *ram, *a, *b;

    tas_init(&t);
    ram = tas_ram(&t, "ram", 2 * MiB);
    a = tas_alias(&t, "a", ram, 1 * MiB, 1 * MiB);
    b = tas_alias(&t, "b", ram, 0, 1 * MiB);
    tas_map(&t, 0, a);
    tas_map(&t, 1 * MiB, b);

    build(&list, &t, 0);
    {
        Expect e[] = {
            { 0, 1 * MiB, ram, 1 * MiB },
            { 1 * MiB, 2 * MiB, ram, 0 },
        };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    guest_phys_blocks_free(&list);
    tas_fini(&t);
}

/* Same region, host-contiguous, but a guest-physical gap. */
static void test_no_merge_gpa_gap(void)
{
    TestAs t;
    GuestPhysBlockList list;
    MemoryRegion *ram, *a, *b;

    tas_init(&t);
    ram = tas_ram(&t, "ram", 2 * MiB);
    a = tas_alias(&t, "a", ram, 0, 1 * MiB);
    b = tas_alias(&t, "b", ram, 1 * MiB, 1 * MiB);
    tas_map(&t, 0, a);
    tas_map(&t, 1 * MiB + 4 * KiB, b);

    build(&list, &t, 0);
    {
        Expect e[] = {
            { 0, 1 * MiB, ram, 0 },
            { 1 * MiB + 4 * KiB, 2 * MiB + 4 * KiB, ram, 1 * MiB },
        };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    guest_phys_blocks_free(&list);
    tas_fini(&t);
}

/*
 * Two regions over one host buffer, back to back in both address spaces:
 * contiguous everywhere, but different regions never merge (series 3/5).
 */
static void test_no_merge_other_region(void)
{
    TestAs t;
    GuestPhysBlockList list;
    uint8_t *buf = g_malloc0(2 * MiB);
    MemoryRegion *lo = g_new0(MemoryRegion, 1);
    MemoryRegion *hi = g_new0(MemoryRegion, 1);

    tas_init(&t);
    memory_region_init_ram_ptr(lo, NULL, "lo", 1 * MiB, buf);
    memory_region_init_ram_ptr(hi, NULL, "hi", 1 * MiB, buf + 1 * MiB);
    g_ptr_array_add(t.owned, lo);
    g_ptr_array_add(t.owned, hi);
    tas_map(&t, 0, lo);
    tas_map(&t, 1 * MiB, hi);

    build(&list, &t, 0);
    {
        Expect e[] = {
            { 0, 1 * MiB, lo, 0 },
            { 1 * MiB, 2 * MiB, hi, 0 },
        };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    guest_phys_blocks_free(&list);
    tas_fini(&t);
    g_free(buf);
}

/* ------------------------------------------------ discard-managed RAM */

static void test_rdm_populated_only(void)
{
    TestAs t;
    GuestPhysBlockList list;
    FakeRdm f;
    MemoryRegion *ram, *vmem;
    const hwaddr base = 4 * GiB;

    tas_init(&t);
    ram = tas_ram(&t, "ram", 2 * MiB);
    vmem = tas_ram(&t, "vmem", 32 * MiB);
    fake_rdm_attach(&f, vmem, 2 * MiB);
    /* blocks 0-2, 5, 7 (last) plugged */
    fake_rdm_plug(&f, 0, 3);
    fake_rdm_plug(&f, 5, 1);
    fake_rdm_plug(&f, 15, 1);
    tas_map(&t, 0, ram);
    tas_map(&t, base, vmem);

    build(&list, &t, 0);
    {
        Expect e[] = {
            { 0, 2 * MiB, ram, 0 },
            { base, base + 6 * MiB, vmem, 0 },
            { base + 10 * MiB, base + 12 * MiB, vmem, 10 * MiB },
            { base + 30 * MiB, base + 32 * MiB, vmem, 30 * MiB },
        };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    g_assert_cmpuint(f.replay_cb_calls, ==, 3);
    g_assert_cmpuint(guest_phys_blocks_total_size(&list, 0, 0), ==,
                     12 * MiB);
    guest_phys_blocks_free(&list);

    /* Unplugging a middle block splits a run in two. */
    fake_rdm_unplug(&f, 1, 1);
    build(&list, &t, 0);
    {
        Expect e[] = {
            { 0, 2 * MiB, ram, 0 },
            { base, base + 2 * MiB, vmem, 0 },
            { base + 4 * MiB, base + 6 * MiB, vmem, 4 * MiB },
            { base + 10 * MiB, base + 12 * MiB, vmem, 10 * MiB },
            { base + 30 * MiB, base + 32 * MiB, vmem, 30 * MiB },
        };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    guest_phys_blocks_free(&list);

    /* The debug property: the whole region, as before the series. */
    build(&list, &t, GUEST_PHYS_BLOCKS_IGNORE_DISCARD_MANAGER);
    {
        Expect e[] = {
            { 0, 2 * MiB, ram, 0 },
            { base, base + 32 * MiB, vmem, 0 },
        };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    guest_phys_blocks_free(&list);

    /* Nothing plugged: nothing of the region. */
    fake_rdm_unplug(&f, 0, f.nbits);
    build(&list, &t, 0);
    {
        Expect e[] = { { 0, 2 * MiB, ram, 0 } };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    guest_phys_blocks_free(&list);

    memory_region_del_subregion(&t.root, vmem);
    fake_rdm_detach(&f);
    tas_fini(&t);
}

/*
 * A managed region seen through two windows: runs are clipped to each
 * section, and a run crossing the windows' boundary, which the two
 * replays deliver in two parts, becomes one block again (same region,
 * contiguous).  A window starting and ending inside blocks clips them.
 */
static void test_rdm_clipped_sections(void)
{
    TestAs t;
    GuestPhysBlockList list;
    FakeRdm f;
    MemoryRegion *vmem, *w1, *w2;
    const hwaddr base = 1 * GiB;

    tas_init(&t);
    vmem = tas_ram(&t, "vmem", 16 * MiB);
    /* window 1: [3 MiB, 9 MiB) read-only, window 2: [9 MiB, 13 MiB) */
    w1 = tas_alias(&t, "w1", vmem, 3 * MiB, 6 * MiB);
    w2 = tas_alias(&t, "w2", vmem, 9 * MiB, 4 * MiB);
    memory_region_set_readonly(w1, true);
    fake_rdm_attach(&f, vmem, 2 * MiB);
    fake_rdm_plug(&f, 0, 2);    /* [0, 4): clipped to [3, 4) */
    fake_rdm_plug(&f, 3, 3);    /* [6, 12): crosses w1/w2 at 9 */
    fake_rdm_plug(&f, 7, 1);    /* [14, 16): outside both */
    tas_map(&t, base + 3 * MiB, w1);
    tas_map(&t, base + 9 * MiB, w2);

    build(&list, &t, 0);
    {
        Expect e[] = {
            { base + 3 * MiB, base + 4 * MiB, vmem, 3 * MiB },
            { base + 6 * MiB, base + 12 * MiB, vmem, 6 * MiB },
        };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    guest_phys_blocks_free(&list);

    memory_region_del_subregion(&t.root, w1);
    memory_region_del_subregion(&t.root, w2);
    fake_rdm_detach(&f);
    tas_fini(&t);
}

/* ------------------------------------------------------ references */

static void register_owner_type(void)
{
    static const TypeInfo info = {
        .name = "test-owner",
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    };

    type_register_static(&info);
}

static void test_region_refs(void)
{
    TestAs t;
    GuestPhysBlockList list;
    Object *owner = object_new("test-owner");
    MemoryRegion *ram = g_new0(MemoryRegion, 1);
    MemoryRegion *a, *b;
    unsigned before;

    tas_init(&t);
    g_assert(memory_region_init_ram(ram, owner, "owned", 4 * MiB,
                                    &error_abort));
    g_ptr_array_add(t.owned, ram);
    /* two blocks of the same region: a GPA gap between the windows */
    a = tas_alias(&t, "a", ram, 0, 1 * MiB);
    b = tas_alias(&t, "b", ram, 2 * MiB, 1 * MiB);
    tas_map(&t, 0, a);
    tas_map(&t, 8 * MiB, b);

    before = owner->ref;
    build(&list, &t, 0);
    g_assert_cmpuint(list.num, ==, 2);
    g_assert_cmpuint(owner->ref, ==, before + 2);
    guest_phys_blocks_free(&list);
    g_assert_cmpuint(owner->ref, ==, before);

    tas_fini(&t);
    object_unref(owner);
}

/* ------------------------------------------------- lookup and read */

static void test_lookup_read(void)
{
    TestAs t;
    GuestPhysBlockList list;
    uint8_t *buf = g_malloc(3 * MiB);
    uint8_t out[64];
    MemoryRegion *lo = g_new0(MemoryRegion, 1);
    MemoryRegion *hi = g_new0(MemoryRegion, 1);
    MemoryRegion *far;

    for (size_t i = 0; i < 3 * MiB; i++) {
        buf[i] = i * 7;
    }
    tas_init(&t);
    memory_region_init_ram_ptr(lo, NULL, "lo", 1 * MiB, buf);
    memory_region_init_ram_ptr(hi, NULL, "hi", 1 * MiB, buf + 1 * MiB);
    g_ptr_array_add(t.owned, lo);
    g_ptr_array_add(t.owned, hi);
    far = tas_ram(&t, "far", 1 * MiB);
    tas_map(&t, 0, lo);
    tas_map(&t, 1 * MiB, hi);
    tas_map(&t, 8 * MiB, far);
    build(&list, &t, 0);

    g_assert_true(guest_phys_blocks_lookup(&list, 0)->mr == lo);
    g_assert_true(guest_phys_blocks_lookup(&list, 1 * MiB - 1)->mr == lo);
    g_assert_true(guest_phys_blocks_lookup(&list, 1 * MiB)->mr == hi);
    g_assert_null(guest_phys_blocks_lookup(&list, 2 * MiB));
    g_assert_null(guest_phys_blocks_lookup(&list, 8 * MiB - 1));
    g_assert_true(guest_phys_blocks_lookup(&list, 9 * MiB - 1)->mr == far);
    g_assert_null(guest_phys_blocks_lookup(&list, 9 * MiB));
    g_assert_null(guest_phys_blocks_lookup(&list, UINT64_MAX));

    /* across the lo/hi boundary */
    g_assert_true(guest_phys_blocks_read(&list, 1 * MiB - 32, out, 64));
    g_assert_cmpmem(out, 64, buf + 1 * MiB - 32, 64);
    /* running into the gap */
    g_assert_false(guest_phys_blocks_read(&list, 2 * MiB - 32, out, 64));
    /* wrapping */
    g_assert_false(guest_phys_blocks_read(&list, UINT64_MAX - 8, out, 64));

    g_assert_cmpuint(guest_phys_blocks_total_size(&list, 0, 0), ==,
                     3 * MiB);
    g_assert_cmpuint(guest_phys_blocks_total_size(&list, 512 * KiB,
                                                  8 * MiB), ==,
                     (2 * MiB - 512 * KiB) + 512 * KiB);
    g_assert_cmpuint(guest_phys_blocks_total_size(&list, 8 * MiB,
                                                  UINT64_MAX - 8 * MiB + 1),
                     ==, 1 * MiB);
    g_assert_cmpuint(guest_phys_blocks_total_size(&list, 3 * MiB, 1 * MiB),
                     ==, 0);

    guest_phys_blocks_free(&list);
    tas_fini(&t);
    g_free(buf);
}

/* Many blocks over several slabs: every block found, every gap not. */
static void test_lookup_many(void)
{
    TestAs t;
    GuestPhysBlockList list;
    FakeRdm f;
    MemoryRegion *vmem;
    const unsigned n = 20000;

    tas_init(&t);
    vmem = g_new0(MemoryRegion, 1);
    g_assert(memory_region_init_ram(vmem, NULL, "vmem", 2ULL * n * MiB,
                                    &error_abort));
    g_ptr_array_add(t.owned, vmem);
    fake_rdm_attach(&f, vmem, 1 * MiB);
    for (unsigned i = 0; i < n; i++) {
        fake_rdm_plug(&f, 2 * i, 1);
    }
    tas_map(&t, 0, vmem);
    build(&list, &t, 0);
    g_assert_cmpuint(list.num, ==, n);
    for (unsigned i = 0; i < n; i++) {
        const GuestPhysBlock *b = guest_phys_blocks_lookup(&list,
                                                           2ULL * i * MiB);

        g_assert_nonnull(b);
        g_assert_cmphex(b->target_start, ==, 2ULL * i * MiB);
        g_assert_null(guest_phys_blocks_lookup(&list, (2ULL * i + 1) * MiB));
    }
    guest_phys_blocks_free(&list);
    memory_region_del_subregion(&t.root, vmem);
    fake_rdm_detach(&f);
    tas_fini(&t);
}

/* A region reaching 2^64 loses its last page; block ends stay nonzero. */
static void test_top_of_space(void)
{
    TestAs t;
    GuestPhysBlockList list;
    MemoryRegion *ram;
    const hwaddr top = (hwaddr)0 - 4 * TARGET_PAGE_SIZE;

    tas_init(&t);
    ram = tas_ram(&t, "top", 4 * TARGET_PAGE_SIZE);
    tas_map(&t, top, ram);
    build(&list, &t, 0);
    {
        Expect e[] = { { top, (hwaddr)0 - TARGET_PAGE_SIZE, ram, 0 } };
        check_blocks(&list, e, ARRAY_SIZE(e));
    }
    guest_phys_blocks_free(&list);
    tas_fini(&t);
}

/*
 * A one-page region exactly at GUEST_PHYS_END_MAX (the last page of the
 * space, which blocks never reach): no block at all, not an empty one
 * (a zero-size PT_LOAD).  Catches ">=" turned ">" in the end clamp.
 */
static void test_last_page_only(void)
{
    TestAs t;
    GuestPhysBlockList list;
    MemoryRegion *ram;

    tas_init(&t);
    ram = tas_ram(&t, "last", TARGET_PAGE_SIZE);
    tas_map(&t, (hwaddr)0 - TARGET_PAGE_SIZE, ram);
    build(&list, &t, 0);
    g_assert_cmpuint(list.num, ==, 0);
    g_assert_true(QTAILQ_EMPTY(&list.head));
    guest_phys_blocks_free(&list);
    tas_fini(&t);
}

/* ------------------------------------------------------------- scale */

/*
 * Bytes the allocator has handed out: from the heap arenas, plus chunks
 * big enough to get an mmap of their own (a 4096-block slab can be one,
 * depending on glibc's moving mmap threshold).
 */
static size_t heap_in_use(void)
{
#ifdef HAVE_ASAN
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
#endif
}

/*
 * The series' worst case from the mailing list: a 1 TiB device, 2 MiB
 * blocks, every second one plugged: 262,144 runs.  The list must build
 * in well under a second and cost under 16 MiB.
 */
static void test_scale_1tib(void)
{
    TestAs t;
    GuestPhysBlockList list;
    FakeRdm f;
    MemoryRegion *vmem = g_new0(MemoryRegion, 1);
    Error *err = NULL;
    const uint64_t runs = 262144;
    size_t heap0, bytes;
    gint64 t0, usecs;

    tas_init(&t);
    if (!memory_region_init_ram(vmem, NULL, "vmem", 1 * TiB, &err)) {
        g_test_skip(error_get_pretty(err));
        error_free(err);
        g_free(vmem);
        tas_fini(&t);
        return;
    }
    g_ptr_array_add(t.owned, vmem);
    fake_rdm_attach(&f, vmem, 2 * MiB);
    for (uint64_t i = 0; i < runs; i++) {
        fake_rdm_plug(&f, 2 * i, 1);
    }
    tas_map(&t, 4 * GiB, vmem);

    heap0 = heap_in_use();
    t0 = g_get_monotonic_time();
    build(&list, &t, 0);
    usecs = g_get_monotonic_time() - t0;
    bytes = heap_in_use() - heap0;

    g_assert_cmpuint(list.num, ==, runs);
    g_assert_cmpuint(guest_phys_blocks_total_size(&list, 0, 0), ==,
                     512 * GiB);
    g_test_message("guest_phys_blocks 1 TiB / %" PRIu64 " runs: "
                   "%.1f ms, %zu bytes (%.2f MiB, %.1f B/run)",
                   runs, usecs / 1000.0, bytes, bytes / (double)MiB,
                   bytes / (double)runs);
    g_assert_cmpuint(bytes, <, 16 * MiB);
    g_assert_cmpuint(bytes, >=, runs * sizeof(GuestPhysBlock));
    /* target 1 s; generous for sanitizers and a loaded machine */
    g_assert_cmpint(usecs, <, 10 * G_USEC_PER_SEC);

    guest_phys_blocks_free(&list);
    /* everything given back (slack for the test framework's messages) */
    g_assert_cmpuint(heap_in_use(), <, heap0 + 4 * KiB);
    memory_region_del_subregion(&t.root, vmem);
    fake_rdm_detach(&f);
    tas_fini(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_object_types();
    register_owner_type();
    g_test_add_func("/guest-phys-blocks/kinds", test_kinds);
    g_test_add_func("/guest-phys-blocks/empty", test_empty);
    g_test_add_func("/guest-phys-blocks/merge/contiguous",
                    test_merge_contiguous);
    g_test_add_func("/guest-phys-blocks/merge/host-gap",
                    test_no_merge_host_gap);
    g_test_add_func("/guest-phys-blocks/merge/gpa-gap",
                    test_no_merge_gpa_gap);
    g_test_add_func("/guest-phys-blocks/merge/other-region",
                    test_no_merge_other_region);
    g_test_add_func("/guest-phys-blocks/rdm/populated-only",
                    test_rdm_populated_only);
    g_test_add_func("/guest-phys-blocks/rdm/clipped-sections",
                    test_rdm_clipped_sections);
    g_test_add_func("/guest-phys-blocks/region-refs", test_region_refs);
    g_test_add_func("/guest-phys-blocks/lookup-read", test_lookup_read);
    g_test_add_func("/guest-phys-blocks/lookup-many", test_lookup_many);
    g_test_add_func("/guest-phys-blocks/top-of-space", test_top_of_space);
    g_test_add_func("/guest-phys-blocks/last-page-only", test_last_page_only);
    g_test_add_func("/guest-phys-blocks/scale-1tib", test_scale_1tib);
    return g_test_run();
}
