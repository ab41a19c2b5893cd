/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-memory.c: the memory core: FlatView rendering (overlap, priority,
 * aliases, containers, disabled regions, 2^64 edges), listener add/del
 * sequences, address_space_rw dispatch (RAM, ROM, MMIO splitting,
 * unmapped), and the RamDiscardManager access rule, with a bitmap-backed
 * fake manager.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "exec/memory.h"
#include "exec/ramblock.h"
#include "qemu/bitmap.h"
#include "qemu/error.h"
#include "qom/object.h"
#include "qemu/units.h"


typedef struct Range {
    uint64_t start;
    uint64_t size;
    const char *name;
    uint64_t offset;
} Range;

static bool collect_range(MemoryRegionSection *s, void *opaque)
{
    GArray *out = opaque;
    Range r = {
        .start = s->offset_within_address_space,
        .size = s->size >= ((Int128)1 << 64) ? UINT64_MAX : (uint64_t)s->size,
        .name = memory_region_name(s->mr),
        .offset = s->offset_within_region,
    };

    g_array_append_val(out, r);
    return false;
}

static GArray *view_of(AddressSpace *as)
{
    GArray *out = g_array_new(false, false, sizeof(Range));

    flatview_for_each_range(as, collect_range, out);
    return out;
}

static void check_view(AddressSpace *as, const Range *expect, size_t n)
{
    g_autoptr(GArray) got = view_of(as);

    g_assert_cmpuint(got->len, ==, n);
    for (size_t i = 0; i < n; i++) {
        Range *r = &g_array_index(got, Range, i);

        g_assert_cmphex(r->start, ==, expect[i].start);
        g_assert_cmphex(r->size, ==, expect[i].size);
        g_assert_cmpstr(r->name, ==, expect[i].name);
        g_assert_cmphex(r->offset, ==, expect[i].offset);
    }
}

typedef struct TestMachine {
    MemoryRegion root;
    AddressSpace as;
} TestMachine;

static void tm_init(TestMachine *tm, uint64_t size)
{
    memory_region_init(&tm->root, NULL, "root", size);
    address_space_init(&tm->as, &tm->root, "test");
}

static void tm_fini(TestMachine *tm)
{
    address_space_destroy(&tm->as);
    memory_region_destroy(&tm->root);
}

/* Remove every subregion of @mr recursively and destroy them. */
static void destroy_tree(MemoryRegion *mr)
{
    MemoryRegion *sub;

    while ((sub = QTAILQ_FIRST(&mr->subregions))) {
        memory_region_del_subregion(mr, sub);
        destroy_tree(sub);
        memory_region_destroy(sub);
        g_free(sub);
    }
}

static MemoryRegion *new_ram(const char *name, uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    g_assert(memory_region_init_ram(mr, NULL, name, size, &error_abort));
    return mr;
}

static MemoryRegion *new_container(const char *name, uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init(mr, NULL, name, size);
    return mr;
}

/* ------------------------------------------------------------ rendering */

static void test_render_overlap_priority(void)
{
    TestMachine tm;
    MemoryRegion *low = new_ram("low", 16 * MiB);
    MemoryRegion *high = new_ram("high", 4 * MiB);
    MemoryRegion *newer = new_ram("newer", 2 * MiB);

    tm_init(&tm, UINT64_MAX);
    memory_region_add_subregion(&tm.root, 0, low);
    memory_region_add_subregion_overlap(&tm.root, 4 * MiB, high, 1);
    {
        const Range e[] = {
            { 0, 4 * MiB, "low", 0 },
            { 4 * MiB, 4 * MiB, "high", 0 },
            { 8 * MiB, 8 * MiB, "low", 8 * MiB },
        };
        check_view(&tm.as, e, G_N_ELEMENTS(e));
    }
    /* Same priority as "high": the most recently added wins. */
    memory_region_add_subregion_overlap(&tm.root, 7 * MiB, newer, 1);
    {
        const Range e[] = {
            { 0, 4 * MiB, "low", 0 },
            { 4 * MiB, 3 * MiB, "high", 0 },
            { 7 * MiB, 2 * MiB, "newer", 0 },
            { 9 * MiB, 7 * MiB, "low", 9 * MiB },
        };
        check_view(&tm.as, e, G_N_ELEMENTS(e));
    }
    /* Lower priority than the background region: hidden entirely. */
    memory_region_del_subregion(&tm.root, newer);
    memory_region_add_subregion_overlap(&tm.root, 1 * MiB, newer, -1);
    {
        const Range e[] = {
            { 0, 4 * MiB, "low", 0 },
            { 4 * MiB, 4 * MiB, "high", 0 },
            { 8 * MiB, 8 * MiB, "low", 8 * MiB },
        };
        check_view(&tm.as, e, G_N_ELEMENTS(e));
    }
    destroy_tree(&tm.root);
    tm_fini(&tm);
}

static void test_render_alias_container(void)
{
    TestMachine tm;
    MemoryRegion *ram = new_ram("ram", 8 * MiB);
    MemoryRegion *lo = g_new0(MemoryRegion, 1);
    MemoryRegion *hi = g_new0(MemoryRegion, 1);
    MemoryRegion *cont = new_container("cont", 4 * MiB);
    MemoryRegion *inner = new_ram("inner", 1 * MiB);

    tm_init(&tm, UINT64_MAX);
    memory_region_init_alias(lo, NULL, "lo", ram, 0, 3 * MiB);
    memory_region_init_alias(hi, NULL, "hi", ram, 3 * MiB, 5 * MiB);
    memory_region_add_subregion(&tm.root, 0, lo);
    memory_region_add_subregion(&tm.root, 0x100000000ULL, hi);
    /* A container with no content of its own shows only its children. */
    memory_region_add_subregion(cont, 2 * MiB, inner);
    memory_region_add_subregion(&tm.root, 16 * MiB, cont);
    {
        const Range e[] = {
            { 0, 3 * MiB, "ram", 0 },
            { 18 * MiB, 1 * MiB, "inner", 0 },
            { 0x100000000ULL, 5 * MiB, "ram", 3 * MiB },
        };
        check_view(&tm.as, e, G_N_ELEMENTS(e));
    }
    g_assert_true(memory_region_is_mapped(ram));
    g_assert_true((uint8_t *)memory_region_get_ram_ptr(hi) ==
                  (uint8_t *)memory_region_get_ram_ptr(ram) + 3 * MiB);
    /* Disabled regions vanish, aliases of them too. */
    memory_region_set_enabled(cont, false);
    memory_region_set_alias_offset(lo, 1 * MiB);
    {
        const Range e[] = {
            { 0, 3 * MiB, "ram", 1 * MiB },
            { 0x100000000ULL, 5 * MiB, "ram", 3 * MiB },
        };
        check_view(&tm.as, e, G_N_ELEMENTS(e));
    }
    memory_region_del_subregion(&tm.root, lo);
    memory_region_del_subregion(&tm.root, hi);
    g_assert_false(memory_region_is_mapped(ram));
    memory_region_destroy(lo);
    memory_region_destroy(hi);
    memory_region_destroy(ram);
    g_free(lo);
    g_free(hi);
    g_free(ram);
    destroy_tree(&tm.root);
    tm_fini(&tm);
}

static void test_render_top_of_space(void)
{
    TestMachine tm;
    MemoryRegion *top = new_ram("top", 1 * MiB);
    g_autoptr(GArray) got = NULL;

    tm_init(&tm, UINT64_MAX);
    memory_region_add_subregion(&tm.root, UINT64_MAX - 1 * MiB + 1, top);
    got = view_of(&tm.as);
    g_assert_cmpuint(got->len, ==, 1);
    g_assert_cmphex(g_array_index(got, Range, 0).start, ==,
                    UINT64_MAX - 1 * MiB + 1);
    g_assert_cmphex(g_array_index(got, Range, 0).size, ==, 1 * MiB);
    /* Last byte readable and writable; an access crossing 2^64 stops. */
    {
        uint8_t b = 0x5a, c[2] = { 1, 1 };

        g_assert_cmpuint(address_space_write(&tm.as, UINT64_MAX, &b, 1), ==,
                         MEMTX_OK);
        b = 0;
        address_space_read(&tm.as, UINT64_MAX, &b, 1);
        g_assert_cmphex(b, ==, 0x5a);
        g_assert_cmpuint(address_space_read(&tm.as, UINT64_MAX, c, 2) &
                         MEMTX_DECODE_ERROR, !=, 0);
        g_assert_cmphex(c[0], ==, 0x5a);
        g_assert_cmphex(c[1], ==, 0);
    }
    destroy_tree(&tm.root);
    tm_fini(&tm);
}

static void test_render_merge_adjacent(void)
{
    TestMachine tm;
    MemoryRegion *ram = new_ram("ram", 8 * MiB);
    MemoryRegion *a = g_new0(MemoryRegion, 1);
    MemoryRegion *b = g_new0(MemoryRegion, 1);

    /* Two aliases continuing each other collapse into one range. */
    tm_init(&tm, UINT64_MAX);
    memory_region_init_alias(a, NULL, "a", ram, 0, 2 * MiB);
    memory_region_init_alias(b, NULL, "b", ram, 2 * MiB, 2 * MiB);
    memory_region_add_subregion(&tm.root, 0, a);
    memory_region_add_subregion(&tm.root, 2 * MiB, b);
    {
        const Range e[] = { { 0, 4 * MiB, "ram", 0 } };
        check_view(&tm.as, e, G_N_ELEMENTS(e));
    }
    /* Not when the region offsets do not continue. */
    memory_region_set_alias_offset(b, 4 * MiB);
    {
        const Range e[] = {
            { 0, 2 * MiB, "ram", 0 },
            { 2 * MiB, 2 * MiB, "ram", 4 * MiB },
        };
        check_view(&tm.as, e, G_N_ELEMENTS(e));
    }
    memory_region_del_subregion(&tm.root, a);
    memory_region_del_subregion(&tm.root, b);
    memory_region_destroy(a);
    memory_region_destroy(b);
    memory_region_destroy(ram);
    g_free(a);
    g_free(b);
    g_free(ram);
    tm_fini(&tm);
}

/* ------------------------------------------------------------ listeners */

typedef struct RecordingListener {
    MemoryListener listener;
    GString *log;
} RecordingListener;

static void rec_log(MemoryListener *l, const char *what,
                    MemoryRegionSection *s)
{
    RecordingListener *r = container_of(l, RecordingListener, listener);

    if (s) {
        g_string_append_printf(r->log, "%s %s@%" PRIx64 "+%" PRIx64 ";",
                               what, memory_region_name(s->mr),
                               s->offset_within_address_space,
                               (uint64_t)s->size);
    } else {
        g_string_append_printf(r->log, "%s;", what);
    }
}

static void rec_begin(MemoryListener *l)
{
    rec_log(l, "begin", NULL);
}

static void rec_commit(MemoryListener *l)
{
    rec_log(l, "commit", NULL);
}

static void rec_add(MemoryListener *l, MemoryRegionSection *s)
{
    rec_log(l, "add", s);
}

static void rec_del(MemoryListener *l, MemoryRegionSection *s)
{
    rec_log(l, "del", s);
}

static void test_listener_sequences(void)
{
    TestMachine tm;
    MemoryRegion *a = new_ram("a", 1 * MiB);
    MemoryRegion *b = new_ram("b", 1 * MiB);
    RecordingListener rec = {
        .listener = {
            .begin = rec_begin, .commit = rec_commit,
            .region_add = rec_add, .region_del = rec_del,
        },
        .log = g_string_new(""),
    };

    tm_init(&tm, UINT64_MAX);
    memory_region_add_subregion(&tm.root, 0x200000, b);
    memory_listener_register(&rec.listener, &tm.as);
    g_assert_cmpstr(rec.log->str, ==, "begin;add b@200000+100000;commit;");

    g_string_truncate(rec.log, 0);
    memory_region_add_subregion(&tm.root, 0, a);
    g_assert_cmpstr(rec.log->str, ==, "begin;add a@0+100000;commit;");

    /* Moving a region: its old range goes before the new one appears. */
    g_string_truncate(rec.log, 0);
    memory_region_set_address(b, 0x400000);
    g_assert_cmpstr(rec.log->str, ==, "begin;del b@200000+100000;"
                    "add b@400000+100000;commit;");

    /* Batched in a transaction: one begin/commit pair. */
    g_string_truncate(rec.log, 0);
    memory_region_transaction_begin();
    memory_region_del_subregion(&tm.root, a);
    memory_region_add_subregion(&tm.root, 0x800000, a);
    memory_region_transaction_commit();
    g_assert_cmpstr(rec.log->str, ==, "begin;del a@0+100000;"
                    "add a@800000+100000;commit;");

    g_string_truncate(rec.log, 0);
    memory_listener_unregister(&rec.listener);
    g_assert_cmpstr(rec.log->str, ==, "begin;del b@400000+100000;"
                    "del a@800000+100000;commit;");

    g_string_free(rec.log, true);
    destroy_tree(&tm.root);
    tm_fini(&tm);
}

/* ------------------------------------------------------------- accesses */

typedef struct MmioLog {
    GString *log;
    uint32_t reg;
} MmioLog;

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    MmioLog *m = opaque;

    g_string_append_printf(m->log, "r%u@%" PRIx64 ";", size, addr);
    return m->reg + addr;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t data,
                       unsigned size)
{
    MmioLog *m = opaque;

    g_string_append_printf(m->log, "w%u@%" PRIx64 "=%" PRIx64 ";", size,
                           addr, data);
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/*
 * @tm with @ram at 0, a 64 KiB ROM of 0xee bytes at 0x10000000 and an
 * MMIO device logging into @m at 0x20000000.
 */
static void tm_init_ram_rom_io(TestMachine *tm, MemoryRegion *ram,
                               MemoryRegion *rom, MemoryRegion *io,
                               MmioLog *m)
{
    tm_init(tm, UINT64_MAX);
    g_assert(memory_region_init_rom(rom, NULL, "rom", 64 * 1024,
                                    &error_abort));
    memset(memory_region_get_ram_ptr(rom), 0xee, 64 * 1024);
    memory_region_init_io(io, NULL, &mmio_ops, m, "dev", 0x100);
    memory_region_add_subregion(&tm->root, 0, ram);
    memory_region_add_subregion(&tm->root, 0x10000000, rom);
    memory_region_add_subregion(&tm->root, 0x20000000, io);
}

static void test_access_dispatch(void)
{
    TestMachine tm;
    MemoryRegion *ram = new_ram("ram", 1 * MiB);
    MemoryRegion *rom = g_new0(MemoryRegion, 1);
    MemoryRegion *io = g_new0(MemoryRegion, 1);
    MmioLog m = { .log = g_string_new(""), .reg = 0x11223344 };
    uint8_t buf[16];
    uint64_t q;

    tm_init_ram_rom_io(&tm, ram, rom, io, &m);

    /* RAM round trip, dirty tracking. */
    memset(buf, 0xab, sizeof(buf));
    g_assert_cmpuint(address_space_write(&tm.as, 0x1000, buf, 16), ==,
                     MEMTX_OK);
    g_assert_true(memory_region_get_dirty(ram, 0x1000, 16,
                                          DIRTY_MEMORY_MIGRATION));
    g_assert_false(memory_region_get_dirty(ram, 0x2000, 0x1000,
                                           DIRTY_MEMORY_MIGRATION));
    memset(buf, 0, sizeof(buf));
    address_space_read(&tm.as, 0x1000, buf, 16);
    g_assert_cmphex(buf[15], ==, 0xab);

    /* ROM ignores writes. */
    memset(buf, 0x11, 4);
    g_assert_cmpuint(address_space_write(&tm.as, 0x10000000, buf, 4), ==,
                     MEMTX_OK);
    address_space_read(&tm.as, 0x10000000, buf, 4);
    g_assert_cmphex(buf[0], ==, 0xee);

    /* An 8-byte MMIO access is split into two 4-byte ones. */
    address_space_read(&tm.as, 0x20000000, &q, 8);
    g_assert_cmpstr(m.log->str, ==, "r4@0;r4@4;");
    g_assert_cmphex(q, ==, ((uint64_t)(0x11223344 + 4) << 32) | 0x11223344);
    /* A 1-byte read is widened; a 1-byte write is dropped. */
    g_string_truncate(m.log, 0);
    address_space_read(&tm.as, 0x20000001, buf, 1);
    g_assert_cmpstr(m.log->str, ==, "r4@0;");
    g_assert_cmphex(buf[0], ==, 0x33);
    g_string_truncate(m.log, 0);
    buf[0] = 1;
    address_space_write(&tm.as, 0x20000001, buf, 1);
    g_assert_cmpstr(m.log->str, ==, "");
    q = 0x0102030405060708ULL;
    address_space_write(&tm.as, 0x20000008, &q, 8);
    g_assert_cmpstr(m.log->str, ==, "w4@8=5060708;w4@c=1020304;");

    /* Unmapped: zeros and a decode error. */
    memset(buf, 0xff, 4);
    g_assert_cmpuint(address_space_read(&tm.as, 0x30000000, buf, 4), ==,
                     MEMTX_DECODE_ERROR);
    g_assert_cmphex(buf[0], ==, 0);

    g_string_free(m.log, true);
    destroy_tree(&tm.root);
    tm_fini(&tm);
}

/*
 * address_space_set(): plain RAM in one fill, zeros only where RAM is
 * populated (64 MiB of zeros over untouched RAM allocate nothing), dirty
 * over the whole range; ROM keeps its bytes; MMIO gets its writes; a hole
 * is a decode error.
 */
static void test_access_set(void)
{
    TestMachine tm;
    MemoryRegion *ram = new_ram("ram", 64 * MiB);
    MemoryRegion *rom = g_new0(MemoryRegion, 1);
    MemoryRegion *io = g_new0(MemoryRegion, 1);
    MmioLog m = { .log = g_string_new(""), .reg = 0x11223344 };
    RAMBlock *rb = memory_region_get_ram_block(ram);
    uint8_t *host = memory_region_get_ram_ptr(ram);
    uint8_t buf[16];
    uint64_t before;

    tm_init_ram_rom_io(&tm, ram, rom, io, &m);

    /* a non-zero fill is written, and dirty */
    g_assert_cmpuint(address_space_set(&tm.as, 0x3000, 0x5a, 0x2001), ==,
                     MEMTX_OK);
    g_assert_cmphex(host[0x3000], ==, 0x5a);
    g_assert_cmphex(host[0x5000], ==, 0x5a);
    g_assert_cmphex(host[0x5001], ==, 0);
    g_assert_cmphex(host[0x2fff], ==, 0);
    g_assert_true(memory_region_get_dirty(ram, 0x3000, 0x2001,
                                          DIRTY_MEMORY_MIGRATION));
    g_assert_false(memory_region_get_dirty(ram, 0x8000, 0x1000,
                                           DIRTY_MEMORY_MIGRATION));

    /* zeros over all of RAM: the data is gone, nothing new populated */
    before = ram_block_populated_bytes(rb);
    g_assert_cmpuint(before, <, 8 * MiB);
    g_assert_cmpuint(address_space_set(&tm.as, 0, 0, 64 * MiB), ==,
                     MEMTX_OK);
    g_assert_cmpuint(ram_block_populated_bytes(rb), <=, before);
    for (unsigned i = 0x3000; i <= 0x5000; i++) {
        g_assert_cmphex(host[i], ==, 0);
    }
    g_assert_true(memory_region_get_dirty(ram, 0, 64 * MiB,
                                          DIRTY_MEMORY_MIGRATION));
    /* an unaligned zero fill inside written data */
    memset(host + 0x7000, 0x77, 0x1000);
    g_assert_cmpuint(address_space_set(&tm.as, 0x7003, 0, 0x10), ==,
                     MEMTX_OK);
    g_assert_cmphex(host[0x7002], ==, 0x77);
    g_assert_cmphex(host[0x7003], ==, 0);
    g_assert_cmphex(host[0x7012], ==, 0);
    g_assert_cmphex(host[0x7013], ==, 0x77);

    /* ROM keeps its bytes; MMIO gets 4-byte writes; holes are errors */
    g_assert_cmpuint(address_space_set(&tm.as, 0x10000000, 0, 0x100), ==,
                     MEMTX_OK);
    address_space_read(&tm.as, 0x10000000, buf, 4);
    g_assert_cmphex(buf[0], ==, 0xee);
    g_assert_cmpuint(address_space_set(&tm.as, 0x20000000, 0x11, 8), ==,
                     MEMTX_OK);
    g_assert_cmpstr(m.log->str, ==, "w4@0=11111111;w4@4=11111111;");
    g_assert_cmpuint(address_space_set(&tm.as, 64 * MiB - 4, 0x22, 8), ==,
                     MEMTX_DECODE_ERROR);
    g_assert_cmphex(host[64 * MiB - 1], ==, 0x22);

    g_string_free(m.log, true);
    destroy_tree(&tm.root);
    tm_fini(&tm);
}

/* ---------------------------------------------- discard-managed RAM rule */

typedef struct FakeRdm {
    RamDiscardManager rdm;
    unsigned long *bitmap;
    uint64_t gran;
    uint64_t nbits;
} FakeRdm;

static uint64_t fake_gran(const RamDiscardManager *rdm, const MemoryRegion *mr)
{
    return container_of(rdm, FakeRdm, rdm)->gran;
}

static bool fake_is_populated(const RamDiscardManager *rdm,
                              const MemoryRegionSection *s)
{
    const FakeRdm *f = container_of(rdm, FakeRdm, rdm);
    uint64_t first = s->offset_within_region / f->gran;
    uint64_t last = (s->offset_within_region + (uint64_t)s->size - 1) /
                    f->gran;

    return bitmap_range_all_set(f->bitmap, first, last - first + 1);
}

static int fake_replay(const RamDiscardManager *rdm, MemoryRegionSection *s,
                       ReplayRamDiscardState fn, void *opaque)
{
    g_assert_not_reached();
    return 0;
}

static void fake_register(RamDiscardManager *rdm, RamDiscardListener *rdl,
                          MemoryRegionSection *s)
{
}

static void fake_unregister(RamDiscardManager *rdm, RamDiscardListener *rdl)
{
}

static const RamDiscardManagerOps fake_ops = {
    .get_min_granularity = fake_gran,
    .is_populated = fake_is_populated,
    .replay_populated = fake_replay,
    .replay_discarded = fake_replay,
    .register_listener = fake_register,
    .unregister_listener = fake_unregister,
};

static void test_access_discarded(void)
{
    TestMachine tm;
    MemoryRegion *mr = g_new0(MemoryRegion, 1);
    FakeRdm f = { .rdm = { &fake_ops }, .gran = 2 * MiB, .nbits = 8 };
    int fd = memfd_create("test", MFD_CLOEXEC);
    uint8_t *buf = g_malloc(4 * MiB);
    struct stat st;

    g_assert(fd >= 0);
    g_assert(ftruncate(fd, 16 * MiB) == 0);
    g_assert(memory_region_init_ram_from_fd(mr, NULL, "vmem", 16 * MiB,
                                            RAM_SHARED, fd, 0,
                                            &error_abort));
    f.bitmap = bitmap_new(f.nbits);
    set_bit(1, f.bitmap);           /* [2 MiB, 4 MiB) populated */
    memory_region_set_ram_discard_manager(mr, &f.rdm);
    tm_init(&tm, UINT64_MAX);
    memory_region_add_subregion(&tm.root, 0x40000000, mr);
    g_assert_true(memory_region_get_ram_discard_manager(mr) == &f.rdm);

    /* A write across the populated block and a discarded one. */
    memset(buf, 0x77, 4 * MiB);
    g_assert_cmpuint(address_space_write(&tm.as, 0x40000000 + 3 * MiB, buf,
                                         2 * MiB), ==, MEMTX_ACCESS_DENIED);
    memset(buf, 0xff, 4 * MiB);
    g_assert_cmpuint(address_space_read(&tm.as, 0x40000000 + 3 * MiB, buf,
                                        2 * MiB), ==, MEMTX_ACCESS_DENIED);
    g_assert_cmphex(buf[0], ==, 0x77);
    g_assert_cmphex(buf[1 * MiB - 1], ==, 0x77);
    g_assert_cmphex(buf[1 * MiB], ==, 0);
    /* Only the populated MiB was ever allocated in the memfd. */
    g_assert(fstat(fd, &st) == 0);
    g_assert_cmpuint(st.st_blocks * 512, ==, 1 * MiB);
    g_assert_null(address_space_translate_ram(&tm.as, 0x40000000, 16,
                                              false));
    g_assert_nonnull(address_space_translate_ram(&tm.as,
                                                 0x40000000 + 2 * MiB, 16,
                                                 true));

    memory_region_del_subregion(&tm.root, mr);
    memory_region_set_ram_discard_manager(mr, NULL);
    memory_region_destroy(mr);
    g_free(mr);
    g_free(f.bitmap);
    g_free(buf);
    tm_fini(&tm);
}

/* The freeze count nests; ram_discard_frozen() follows it exactly. */
static void test_discard_freeze_nesting(void)
{
    g_assert_false(ram_discard_frozen());
    ram_discard_freeze();
    g_assert_true(ram_discard_frozen());
    ram_discard_freeze();
    ram_discard_thaw();
    g_assert_true(ram_discard_frozen());
    ram_discard_thaw();
    g_assert_false(ram_discard_frozen());
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_object_types();
    g_test_add_func("/memory/flatview/overlap-priority",
                    test_render_overlap_priority);
    g_test_add_func("/memory/flatview/alias-container",
                    test_render_alias_container);
    g_test_add_func("/memory/flatview/top-of-space", test_render_top_of_space);
    g_test_add_func("/memory/flatview/merge-adjacent",
                    test_render_merge_adjacent);
    g_test_add_func("/memory/listener/sequences", test_listener_sequences);
    g_test_add_func("/memory/access/dispatch", test_access_dispatch);
    g_test_add_func("/memory/access/discarded", test_access_discarded);
    g_test_add_func("/memory/access/set", test_access_set);
    g_test_add_func("/memory/discard-freeze/nesting",
                    test_discard_freeze_nesting);
    return g_test_run();
}
