/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-ram-discard-manager.c: the RamDiscardManager contract, checked on
 * the bitmap-backed implementation virtio-mem embeds
 * (hw/mem/ram-discard-bitmap.c), through the public ram_discard_manager_*
 * wrappers and through an AddressSpace:
 *  - replays over empty, full, alternating and fragmented maps, sections
 *    whose edges cut runs, early stop with the callback's value;
 *  - is_populated without alignment requirements;
 *  - listeners: newest first, populate veto rolled back to the listeners
 *    already told, discard and discard-all in their three forms, replay
 *    on registration and discard on unregistration;
 *  - cost: replaying one run of a 1 TiB region makes one callback and
 *    reads a bounded number of bitmap words, the same as for 1 GiB;
 *  - address_space_read/write and translate_ram never touch discarded
 *    blocks.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "exec/ramblock.h"
#include "hw/mem/ram-discard-bitmap.h"
#include "qemu/error.h"
#include "qemu/units.h"

#define BLK (1 * MiB)

typedef struct Fixture {
    MemoryRegion mr;
    RamDiscardBitmap rdb;
    RamDiscardManager *rdm;
} Fixture;

static void fixture_init(Fixture *f, uint64_t size, uint64_t gran)
{
    memset(f, 0, sizeof(*f));
    g_assert_true(memory_region_init_ram(&f->mr, NULL, "vmem", size,
                                         &error_abort));
    g_assert_true(ram_discard_bitmap_init(&f->rdb, &f->mr, gran,
                                          &error_abort));
    f->rdm = &f->rdb.rdm;
}

static void fixture_destroy(Fixture *f)
{
    ram_discard_bitmap_destroy(&f->rdb);
    memory_region_destroy(&f->mr);
}

/* A section of the fixture's region: [@start, @start + @size) bytes. */
static MemoryRegionSection section(Fixture *f, uint64_t start, uint64_t size)
{
    return (MemoryRegionSection) {
        .mr = &f->mr,
        .size = size,
        .offset_within_region = start,
        .offset_within_address_space = 0x100000000ULL + start,
    };
}

/* Populate blocks given as a string: '#' populated, '.' discarded. */
static void set_pattern(Fixture *f, const char *pattern)
{
    for (uint64_t i = 0; pattern[i]; i++) {
        if (pattern[i] == '#') {
            g_assert_cmpint(ram_discard_bitmap_populate(&f->rdb, i * BLK,
                                                        BLK), ==, 0);
        }
    }
}

/* ------------------------------------------------------------- replay */

typedef struct Ranges {
    GArray *r;          /* pairs of uint64_t: offset_within_region, size */
    int stop_at;        /* return 7 from this call (1-based), 0: never */
    int calls;
} Ranges;

static int collect_cb(MemoryRegionSection *s, void *opaque)
{
    Ranges *rg = opaque;
    uint64_t pair[2] = { s->offset_within_region, (uint64_t)s->size };

    /* The address-space offset moves with the region offset. */
    g_assert_cmphex(s->offset_within_address_space - 0x100000000ULL, ==,
                    s->offset_within_region);
    g_array_append_vals(rg->r, pair, 2);
    return ++rg->calls == rg->stop_at ? 7 : 0;
}

/* Replay @populated runs of [start, start+size) and compare to @expect, a
 * list of offset/size pairs in units of BLK/2, ended by -1. */
static void check_replay(Fixture *f, bool populated, uint64_t start,
                         uint64_t size, const int *expect)
{
    MemoryRegionSection s = section(f, start, size);
    Ranges rg = { .r = g_array_new(false, false, sizeof(uint64_t)) };
    size_t n = 0;
    int ret;

    ret = populated ?
          ram_discard_manager_replay_populated(f->rdm, &s, collect_cb, &rg) :
          ram_discard_manager_replay_discarded(f->rdm, &s, collect_cb, &rg);
    g_assert_cmpint(ret, ==, 0);
    while (expect[n] >= 0) {
        n++;
    }
    g_assert_cmpuint(rg.r->len, ==, n);
    for (size_t i = 0; i < n; i++) {
        g_assert_cmphex(g_array_index(rg.r, uint64_t, i), ==,
                        (uint64_t)expect[i] * BLK / 2);
    }
    g_array_free(rg.r, true);
}

static void test_replay_empty_and_full(void)
{
    Fixture f;
    static const int none[] = { -1 };
    static const int whole[] = { 0, 16, -1 };

    fixture_init(&f, 8 * BLK, BLK);
    check_replay(&f, true, 0, 8 * BLK, none);
    check_replay(&f, false, 0, 8 * BLK, whole);
    set_pattern(&f, "########");
    check_replay(&f, true, 0, 8 * BLK, whole);
    check_replay(&f, false, 0, 8 * BLK, none);
    g_assert_cmpuint(ram_discard_bitmap_populated_size(&f.rdb), ==, 8 * BLK);
    fixture_destroy(&f);
}

static void test_replay_alternating(void)
{
    Fixture f;
    static const int pop[] = { 0, 2, 4, 2, 8, 2, 12, 2, -1 };
    static const int dis[] = { 2, 2, 6, 2, 10, 2, 14, 2, -1 };

    fixture_init(&f, 8 * BLK, BLK);
    set_pattern(&f, "#.#.#.#.");
    check_replay(&f, true, 0, 8 * BLK, pop);
    check_replay(&f, false, 0, 8 * BLK, dis);
    fixture_destroy(&f);
}

/* Section edges inside runs clip them; runs outside are not reported. */
static void test_replay_section_edges(void)
{
    Fixture f;
    /* blocks: ##.#.### ; section [1.5, 5.5) blocks */
    static const int pop[] = { 3, 1, 6, 2, 10, 1, -1 };
    static const int dis[] = { 4, 2, 8, 2, -1 };
    static const int inside[] = { 12, 1, -1 };  /* [6, 6.5) */

    fixture_init(&f, 8 * BLK, BLK);
    set_pattern(&f, "##.#.###");
    check_replay(&f, true, 3 * BLK / 2, 4 * BLK, pop);
    check_replay(&f, false, 3 * BLK / 2, 4 * BLK, dis);
    check_replay(&f, true, 6 * BLK, BLK / 2, inside);
    fixture_destroy(&f);
}

static void test_replay_stops_on_error(void)
{
    Fixture f;
    MemoryRegionSection s;
    Ranges rg = { .r = g_array_new(false, false, sizeof(uint64_t)),
                  .stop_at = 2 };

    fixture_init(&f, 8 * BLK, BLK);
    set_pattern(&f, "#.#.#.#.");
    s = section(&f, 0, 8 * BLK);
    g_assert_cmpint(ram_discard_manager_replay_populated(f.rdm, &s,
                                                         collect_cb, &rg),
                    ==, 7);
    g_assert_cmpint(rg.calls, ==, 2);
    rg.calls = 0;
    g_assert_cmpint(ram_discard_manager_replay_discarded(f.rdm, &s,
                                                         collect_cb, &rg),
                    ==, 7);
    g_assert_cmpint(rg.calls, ==, 2);
    g_array_free(rg.r, true);
    fixture_destroy(&f);
}

static void test_is_populated(void)
{
    Fixture f;
    MemoryRegionSection s;

    fixture_init(&f, 8 * BLK, BLK);
    set_pattern(&f, ".##.....");
    g_assert_cmpuint(ram_discard_manager_get_min_granularity(f.rdm, &f.mr),
                     ==, BLK);
    s = section(&f, BLK + 100, 17);     /* unaligned, inside block 1 */
    g_assert_true(ram_discard_manager_is_populated(f.rdm, &s));
    s = section(&f, BLK, 2 * BLK);
    g_assert_true(ram_discard_manager_is_populated(f.rdm, &s));
    s = section(&f, BLK, 2 * BLK + 1);  /* one byte into block 3 */
    g_assert_false(ram_discard_manager_is_populated(f.rdm, &s));
    s = section(&f, BLK - 1, 2);        /* one byte of block 0 */
    g_assert_false(ram_discard_manager_is_populated(f.rdm, &s));
    s = section(&f, BLK, 0);            /* empty: not a valid range */
    g_assert_false(ram_discard_manager_is_populated(f.rdm, &s));
    s = section(&f, 7 * BLK, BLK);
    g_assert_false(ram_discard_manager_is_populated(f.rdm, &s));
    fixture_destroy(&f);
}

/*
 * The last block of a region: populate only block 7 of 8.  [0, 7 blocks)
 * is all discarded, [0, 8 blocks) is not, [7, 8) is populated; and the
 * first block alone, the mirror case.  Catches an off-by-one at the end
 * of the range in is_discarded / is_populated.
 */
static void test_last_block(void)
{
    Fixture f;

    fixture_init(&f, 8 * BLK, BLK);
    set_pattern(&f, ".......#");
    g_assert_true(ram_discard_bitmap_is_discarded(&f.rdb, 0, 7 * BLK));
    g_assert_false(ram_discard_bitmap_is_discarded(&f.rdb, 0, 8 * BLK));
    g_assert_false(ram_discard_bitmap_is_discarded(&f.rdb, 7 * BLK, BLK));
    g_assert_true(ram_discard_bitmap_is_populated(&f.rdb, 7 * BLK, BLK));
    g_assert_false(ram_discard_bitmap_is_populated(&f.rdb, 6 * BLK,
                                                   2 * BLK));
    fixture_destroy(&f);

    fixture_init(&f, 8 * BLK, BLK);
    set_pattern(&f, "#.......");
    g_assert_true(ram_discard_bitmap_is_discarded(&f.rdb, BLK, 7 * BLK));
    g_assert_false(ram_discard_bitmap_is_discarded(&f.rdb, 0, 2 * BLK));
    g_assert_true(ram_discard_bitmap_is_populated(&f.rdb, 0, BLK));
    g_assert_false(ram_discard_bitmap_is_populated(&f.rdb, 0, 2 * BLK));
    fixture_destroy(&f);
}

/* ---------------------------------------------------------- listeners */

typedef struct Rec {
    RamDiscardListener rdl;
    char name;
    int populate_calls;
    int fail_populate_at;       /* 1-based call that fails with -ENOMEM */
} Rec;

static GString *events;

static void log_event(Rec *r, char kind, MemoryRegionSection *s)
{
    g_string_append_printf(events, "%c%c%" PRIu64 "+%" PRIu64 " ", r->name,
                           kind, s->offset_within_region / (BLK / 2),
                           (uint64_t)s->size / (BLK / 2));
}

static int rec_populate(RamDiscardListener *rdl, MemoryRegionSection *s)
{
    Rec *r = container_of(rdl, Rec, rdl);

    log_event(r, 'P', s);
    return ++r->populate_calls == r->fail_populate_at ? -ENOMEM : 0;
}

static void rec_discard(RamDiscardListener *rdl, MemoryRegionSection *s)
{
    log_event(container_of(rdl, Rec, rdl), 'D', s);
}

static void rec_discard_all(RamDiscardListener *rdl)
{
    g_string_append_printf(events, "%cA ", container_of(rdl, Rec, rdl)->name);
}

static void rec_init(Rec *r, char name, bool double_discard)
{
    memset(r, 0, sizeof(*r));
    ram_discard_listener_init(&r->rdl, rec_populate, rec_discard,
                              double_discard);
    r->name = name;
}

/* A recording listener called @name, registered for the whole region. */
static void listen_whole(Fixture *f, Rec *r, char name, bool double_discard)
{
    MemoryRegionSection whole = section(f, 0, memory_region_size(&f->mr));

    rec_init(r, name, double_discard);
    ram_discard_manager_register_listener(f->rdm, &r->rdl, &whole);
}

/* The event log since the last call, then cleared. */
static char *take_events(void)
{
    char *s = g_strdup(g_strstrip(events->str));

    g_string_truncate(events, 0);
    return s;
}

/* Forget the event log so far. */
static void drop_events(void)
{
    g_string_truncate(events, 0);
}

#define ASSERT_EVENTS(expect) do {              \
    g_autofree char *got_ = take_events();      \
    g_assert_cmpstr(got_, ==, (expect));        \
} while (0)

static void test_listener_register_replays(void)
{
    Fixture f;
    Rec a;
    MemoryRegionSection s;

    events = g_string_new("");
    fixture_init(&f, 8 * BLK, BLK);
    set_pattern(&f, "##..#...");
    rec_init(&a, 'a', false);
    s = section(&f, BLK, 6 * BLK);      /* blocks 1..6 */
    ram_discard_manager_register_listener(f.rdm, &a.rdl, &s);
    /* Units of half blocks: block 1 = 2+2, block 4 = 8+2. */
    ASSERT_EVENTS("aP2+2 aP8+2");
    /* The section is the manager's copy. */
    g_assert_true(a.rdl.section != &s);
    ram_discard_manager_unregister_listener(f.rdm, &a.rdl);
    ASSERT_EVENTS("aD2+2 aD8+2");
    g_assert_null(a.rdl.section);
    fixture_destroy(&f);
    g_string_free(events, true);
}

static void test_listener_order_and_rollback(void)
{
    Fixture f;
    Rec a, b, c;

    events = g_string_new("");
    fixture_init(&f, 8 * BLK, BLK);
    listen_whole(&f, &a, 'a', false);
    listen_whole(&f, &b, 'b', false);
    listen_whole(&f, &c, 'c', false);
    ASSERT_EVENTS("");

    /* Newest first. */
    g_assert_cmpint(ram_discard_bitmap_populate(&f.rdb, 0, BLK), ==, 0);
    ASSERT_EVENTS("cP0+2 bP0+2 aP0+2");

    /* a (told last) vetoes: c and b are untold, nothing changes. */
    a.fail_populate_at = 2;
    g_assert_cmpint(ram_discard_bitmap_populate(&f.rdb, 2 * BLK, 2 * BLK),
                    ==, -ENOMEM);
    ASSERT_EVENTS("cP4+4 bP4+4 aP4+4 cD4+4 bD4+4");
    g_assert_true(ram_discard_bitmap_is_discarded(&f.rdb, 2 * BLK, 2 * BLK));
    g_assert_cmpuint(ram_discard_bitmap_populated_size(&f.rdb), ==, BLK);

    /* c (told first) vetoes: nobody else hears anything. */
    c.fail_populate_at = 3;
    g_assert_cmpint(ram_discard_bitmap_populate(&f.rdb, 2 * BLK, BLK),
                    ==, -ENOMEM);
    ASSERT_EVENTS("cP4+2");

    /* Discard goes to everyone, newest first. */
    ram_discard_bitmap_discard(&f.rdb, 0, BLK);
    ASSERT_EVENTS("cD0+2 bD0+2 aD0+2");
    g_assert_cmpuint(ram_discard_bitmap_populated_size(&f.rdb), ==, 0);

    ram_discard_manager_unregister_listener(f.rdm, &c.rdl);
    ram_discard_manager_unregister_listener(f.rdm, &b.rdl);
    ram_discard_manager_unregister_listener(f.rdm, &a.rdl);
    ASSERT_EVENTS("");  /* nothing populated: nothing to discard */
    fixture_destroy(&f);
    g_string_free(events, true);
}

/* Listeners on parts of the region hear only their part. */
static void test_listener_sections(void)
{
    Fixture f;
    Rec lo, hi;
    MemoryRegionSection s;

    events = g_string_new("");
    fixture_init(&f, 8 * BLK, BLK);
    rec_init(&lo, 'l', false);
    rec_init(&hi, 'h', false);
    s = section(&f, 0, 4 * BLK + BLK / 2);    /* ends mid block 4 */
    ram_discard_manager_register_listener(f.rdm, &lo.rdl, &s);
    s = section(&f, 4 * BLK, 4 * BLK);
    ram_discard_manager_register_listener(f.rdm, &hi.rdl, &s);
    g_assert_cmpint(ram_discard_bitmap_populate(&f.rdb, 3 * BLK, 2 * BLK),
                    ==, 0);
    ASSERT_EVENTS("hP8+2 lP6+3");
    g_assert_cmpint(ram_discard_bitmap_populate(&f.rdb, 6 * BLK, BLK), ==, 0);
    ASSERT_EVENTS("hP12+2");
    ram_discard_bitmap_discard(&f.rdb, 6 * BLK, BLK);
    ASSERT_EVENTS("hD12+2");
    ram_discard_manager_unregister_listener(f.rdm, &hi.rdl);
    ASSERT_EVENTS("hD8+2");
    ram_discard_manager_unregister_listener(f.rdm, &lo.rdl);
    ASSERT_EVENTS("lD6+3");
    fixture_destroy(&f);
    g_string_free(events, true);
}

/* The three forms of "everything went": per run, whole section, all. */
static void test_discard_all_forms(void)
{
    Fixture f;
    Rec runs, dbl, all;

    events = g_string_new("");
    fixture_init(&f, 8 * BLK, BLK);
    listen_whole(&f, &runs, 'r', false);
    listen_whole(&f, &dbl, 'd', true);
    listen_whole(&f, &all, 'a', false);
    all.rdl.notify_discard_all = rec_discard_all;
    set_pattern(&f, "#.##....");
    drop_events();
    ram_discard_bitmap_discard_all(&f.rdb);
    ASSERT_EVENTS("aA dD0+16 rD0+2 rD4+4");
    g_assert_cmpuint(ram_discard_bitmap_populated_size(&f.rdb), ==, 0);
    /* Nothing populated: nothing sent. */
    ram_discard_bitmap_discard_all(&f.rdb);
    ASSERT_EVENTS("");

    set_pattern(&f, ".......#");
    drop_events();
    ram_discard_manager_unregister_listener(f.rdm, &all.rdl);
    ram_discard_manager_unregister_listener(f.rdm, &dbl.rdl);
    ram_discard_manager_unregister_listener(f.rdm, &runs.rdl);
    ASSERT_EVENTS("aA dD0+16 rD14+2");
    fixture_destroy(&f);
    g_string_free(events, true);
}

/* A listener that fails during registration: logged, still registered. */
static void test_register_replay_failure(void)
{
    Fixture f;
    Rec a;

    events = g_string_new("");
    fixture_init(&f, 8 * BLK, BLK);
    set_pattern(&f, "#.#.#...");
    rec_init(&a, 'a', false);
    a.fail_populate_at = 2;
    {
        MemoryRegionSection whole = section(&f, 0, 8 * BLK);

        ram_discard_manager_register_listener(f.rdm, &a.rdl, &whole);
    }
    ASSERT_EVENTS("aP0+2 aP4+2");
    g_assert_true(a.rdl.section != NULL);
    ram_discard_manager_unregister_listener(f.rdm, &a.rdl);
    drop_events();
    fixture_destroy(&f);
    g_string_free(events, true);
}

/* --------------------------------------------------------------- cost */

static int count_cb(MemoryRegionSection *s, void *opaque)
{
    (*(uint64_t *)opaque)++;
    return 0;
}

/*
 * Replay one populated run (3 blocks at @run_block) over a region of
 * @size bytes; report callbacks and bitmap words read.
 */
static void replay_one_run(uint64_t size, uint64_t run_block,
                           uint64_t *callbacks, uint64_t *words)
{
    Fixture f;
    MemoryRegionSection whole;
    RunBitmapStats *st;
    uint64_t n = 0;

    fixture_init(&f, size, BLK);
    g_assert_cmpint(ram_discard_bitmap_populate(&f.rdb, run_block * BLK,
                                                3 * BLK), ==, 0);
    whole = section(&f, 0, size);
    st = run_bitmap_stats(f.rdb.map);
    memset(st, 0, sizeof(*st));
    f.rdb.callbacks = 0;
    g_assert_cmpint(ram_discard_manager_replay_populated(f.rdm, &whole,
                                                         count_cb, &n),
                    ==, 0);
    g_assert_cmpuint(n, ==, 1);
    *callbacks = f.rdb.callbacks;
    *words = st->words_scanned;
    fixture_destroy(&f);
}

static void test_cost_one_run_1tib(void)
{
    uint64_t cb_g, w_g, cb_t, w_t, cb_end, w_end;

    replay_one_run(1 * GiB, 700, &cb_g, &w_g);
    replay_one_run(1 * TiB, 700 * 1024, &cb_t, &w_t);
    /* The run at the very end: the worst case for a flat scan. */
    replay_one_run(1 * TiB, 1024 * 1024 - 3, &cb_end, &w_end);
    g_test_message("1 GiB: %" PRIu64 " callbacks, %" PRIu64 " words; "
                   "1 TiB: %" PRIu64 " callbacks, %" PRIu64 " words; "
                   "1 TiB, run at end: %" PRIu64 " words (a flat bitmap "
                   "scan reads %" PRIu64 ")", cb_g, w_g, cb_t, w_t, w_end,
                   (uint64_t)(1 * TiB / BLK / 64));
    g_assert_cmpuint(cb_g, ==, 1);
    g_assert_cmpuint(cb_t, ==, 1);
    g_assert_cmpuint(cb_end, ==, 1);
    /* Three searches (run start, run end, next run) of <= 2 words per
     * level each: 4 levels for 2^20 bits. */
    g_assert_cmpuint(w_t, <=, 3 * 2 * 4);
    g_assert_cmpuint(w_end, <=, 3 * 2 * 4);
    g_assert_cmpuint(w_g, <=, 3 * 2 * 2);
}

/* 20,000 alternating runs: callbacks == runs, words grow with runs. */
static void test_cost_many_runs(void)
{
    Fixture f;
    MemoryRegionSection whole;
    RunBitmapStats *st;
    uint64_t n = 0;
    const uint64_t runs = 20000;

    fixture_init(&f, 64 * GiB, BLK);
    for (uint64_t i = 0; i < runs; i++) {
        g_assert_cmpint(ram_discard_bitmap_populate(&f.rdb, 2 * i * BLK,
                                                    BLK), ==, 0);
    }
    whole = section(&f, 0, 64 * GiB);
    st = run_bitmap_stats(f.rdb.map);
    memset(st, 0, sizeof(*st));
    g_assert_cmpint(ram_discard_manager_replay_populated(f.rdm, &whole,
                                                         count_cb, &n),
                    ==, 0);
    g_assert_cmpuint(n, ==, runs);
    g_assert_cmpuint(st->searches, <=, 2 * runs + 1);
    g_assert_cmpuint(st->words_scanned, <=, (2 * runs + 1) * 2 * 3);
    fixture_destroy(&f);
}

/* --------------------------------------------- through an address space */

static void test_address_space_access(void)
{
    Fixture f;
    MemoryRegion root;
    AddressSpace as;
    RAMBlock *rb;
    uint8_t buf[64], pattern[64];
    const hwaddr base = 0x100000000ULL;

    fixture_init(&f, 8 * BLK, BLK);
    memory_region_init(&root, NULL, "root", UINT64_MAX);
    address_space_init(&as, &root, "test");
    /* The manager is set before the region is mapped, as the contract says. */
    memory_region_set_ram_discard_manager(&f.mr, f.rdm);
    memory_region_add_subregion(&root, base, &f.mr);
    g_assert_true(memory_region_get_ram_discard_manager(&f.mr) == f.rdm);
    rb = memory_region_get_ram_block(&f.mr);
    set_pattern(&f, ".#......");

    /* A discarded block: reads zeros, the write is dropped, host memory
     * is never touched (the pattern planted behind its back survives). */
    memset(rb->host + 2 * BLK, 0xaa, sizeof(buf));
    memset(pattern, 0x55, sizeof(pattern));
    g_assert_cmpuint(address_space_write(&as, base + 2 * BLK, pattern,
                                         sizeof(pattern)),
                     ==, MEMTX_ACCESS_DENIED);
    g_assert_cmphex(rb->host[2 * BLK], ==, 0xaa);
    memset(buf, 1, sizeof(buf));
    g_assert_cmpuint(address_space_read(&as, base + 2 * BLK, buf,
                                        sizeof(buf)), ==, MEMTX_ACCESS_DENIED);
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert_cmphex(buf[i], ==, 0);
    }
    g_assert_null(address_space_translate_ram(&as, base + 2 * BLK, 8, false));
    /* Straddling a populated and a discarded block: refused as a whole by
     * translate_ram, split by read/write. */
    g_assert_null(address_space_translate_ram(&as, base + 2 * BLK - 4, 8,
                                              true));
    g_assert_nonnull(address_space_translate_ram(&as, base + BLK, BLK, true));

    /* A populated block works normally. */
    g_assert_cmpuint(address_space_write(&as, base + BLK, pattern,
                                         sizeof(pattern)), ==, MEMTX_OK);
    g_assert_cmpuint(address_space_read(&as, base + BLK, buf, sizeof(buf)),
                     ==, MEMTX_OK);
    g_assert_cmpmem(buf, sizeof(buf), pattern, sizeof(pattern));

    memory_region_del_subregion(&root, &f.mr);
    memory_region_set_ram_discard_manager(&f.mr, NULL);
    address_space_destroy(&as);
    memory_region_destroy(&root);
    fixture_destroy(&f);
}

/*
 * While a discard freeze is held the state does not change: queries and
 * replays keep working, and an owner that populates or discards anyway
 * (a bug: it must answer BUSY first) is stopped by an assertion.
 */
static void test_frozen(void)
{
    Fixture f;
    MemoryRegionSection sec, blk;
    uint64_t runs = 0;

    fixture_init(&f, 8 * BLK, BLK);
    g_assert_cmpint(ram_discard_bitmap_populate(&f.rdb, 2 * BLK, BLK), ==,
                    0);
    ram_discard_freeze();
    sec = section(&f, 0, 8 * BLK);
    blk = section(&f, 2 * BLK, BLK);
    g_assert_true(ram_discard_manager_is_populated(f.rdm, &blk));
    g_assert_cmpint(ram_discard_manager_replay_populated(f.rdm, &sec,
                                                         count_cb, &runs),
                    ==, 0);
    g_assert_cmpuint(runs, ==, 1);
    ram_discard_thaw();
    ram_discard_bitmap_discard(&f.rdb, 2 * BLK, BLK);
    fixture_destroy(&f);
}

static void test_frozen_populate_asserts(void)
{
    if (g_test_subprocess()) {
        Fixture f;

        fixture_init(&f, 4 * BLK, BLK);
        ram_discard_freeze();
        ram_discard_bitmap_populate(&f.rdb, 0, BLK);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*ram_discard_frozen*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ram-discard-manager/replay/empty-full",
                    test_replay_empty_and_full);
    g_test_add_func("/ram-discard-manager/replay/alternating",
                    test_replay_alternating);
    g_test_add_func("/ram-discard-manager/replay/section-edges",
                    test_replay_section_edges);
    g_test_add_func("/ram-discard-manager/replay/stop-on-error",
                    test_replay_stops_on_error);
    g_test_add_func("/ram-discard-manager/is-populated", test_is_populated);
    g_test_add_func("/ram-discard-manager/last-block", test_last_block);
    g_test_add_func("/ram-discard-manager/listener/register-replays",
                    test_listener_register_replays);
    g_test_add_func("/ram-discard-manager/listener/order-and-rollback",
                    test_listener_order_and_rollback);
    g_test_add_func("/ram-discard-manager/listener/sections",
                    test_listener_sections);
    g_test_add_func("/ram-discard-manager/listener/discard-all-forms",
                    test_discard_all_forms);
    g_test_add_func("/ram-discard-manager/listener/register-failure",
                    test_register_replay_failure);
    g_test_add_func("/ram-discard-manager/cost/one-run-1tib",
                    test_cost_one_run_1tib);
    g_test_add_func("/ram-discard-manager/cost/many-runs",
                    test_cost_many_runs);
    g_test_add_func("/ram-discard-manager/address-space-access",
                    test_address_space_access);
    g_test_add_func("/ram-discard-manager/frozen/queries", test_frozen);
    g_test_add_func("/ram-discard-manager/frozen/populate-asserts",
                    test_frozen_populate_asserts);
    return g_test_run();
}
