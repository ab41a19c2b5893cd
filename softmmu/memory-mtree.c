/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory-mtree.c: the text of HMP `info mtree` (and `info mtree -f`).
 *
 * Same shape as QEMU's output, so people can compare the two:
 *
 *   address-space: memory
 *     0000000000000000-ffffffffffffffff (prio 0, i/o): system
 *       0000000000000000-000000001fffffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-000000001fffffff
 *
 * Regions reached only through aliases are listed after the tree under
 * "memory-region: NAME".  With -f, each address space's FlatView follows.
 * A region carrying a RamDiscardManager is marked " [discard-managed]".
 */
#include "qemu/osdep.h"
#include "softmmu/memory-internal.h"

AddressSpace *memory_address_space_next(AddressSpace *as);

static const char *mr_type(const MemoryRegion *mr)
{
    while (mr->alias) {
        mr = mr->alias;
    }
    if (mr->ram_device) {
        return "ramd";
    }
    if (mr->ram && mr->readonly) {
        return "rom";
    }
    if (mr->ram) {
        return "ram";
    }
    return "i/o";
}

static uint64_t last_byte(Int128 start, Int128 size)
{
    Int128 last = start + size - 1;

    return size ? (uint64_t)int128_min(last, (Int128)UINT64_MAX)
                : (uint64_t)start;
}

static void print_region(GString *out, MemoryRegion *mr, Int128 base,
                         int level, GPtrArray *alias_targets)
{
    Int128 start = base + mr->addr;
    MemoryRegion *sub;

    g_string_append_printf(out, "%*s%016" PRIx64 "-%016" PRIx64
                           " (prio %d, %s%s): ", level * 2, "",
                           (uint64_t)start, last_byte(start, mr->size),
                           mr->priority, mr->readonly && !mr->ram ? "rom" :
                           mr_type(mr), mr->nonvolatile ? ", nv" : "");
    if (mr->alias) {
        g_string_append_printf(out, "alias %s @%s %016" PRIx64 "-%016" PRIx64,
                               memory_region_name(mr),
                               memory_region_name(mr->alias),
                               (uint64_t)mr->alias_offset,
                               last_byte(mr->alias_offset, mr->size));
        if (!mr->alias->container &&
            !g_ptr_array_find(alias_targets, mr->alias, NULL)) {
            g_ptr_array_add(alias_targets, mr->alias);
        }
    } else {
        g_string_append(out, memory_region_name(mr));
    }
    if (mr->rdm) {
        g_string_append(out, " [discard-managed]");
    }
    if (!mr->enabled) {
        g_string_append(out, " [disabled]");
    }
    g_string_append_c(out, '\n');
    QTAILQ_FOREACH(sub, &mr->subregions, subregions_link) {
        print_region(out, sub, start, level + 1, alias_targets);
    }
}

static void print_flatview(GString *out, AddressSpace *as)
{
    FlatView *fv = as->current_map;

    g_string_append_printf(out, "FlatView\n AS \"%s\", root: %s\n",
                           as->name, memory_region_name(as->root));
    if (!fv->nr) {
        g_string_append(out, "  No rendered FlatView\n");
    }
    for (unsigned i = 0; i < fv->nr; i++) {
        FlatRange *fr = &fv->ranges[i];

        g_string_append_printf(out, "  %016" PRIx64 "-%016" PRIx64
                               " (prio %d, %s%s): %s",
                               (uint64_t)fr->start,
                               last_byte(fr->start, fr->size),
                               fr->mr->priority,
                               fr->readonly && fr->mr->ram ? "rom" :
                               mr_type(fr->mr),
                               fr->nonvolatile ? ", nv" : "",
                               memory_region_name(fr->mr));
        if (fr->offset_in_region) {
            g_string_append_printf(out, " @%016" PRIx64,
                                   (uint64_t)fr->offset_in_region);
        }
        g_string_append_c(out, '\n');
    }
    g_string_append_c(out, '\n');
}

char *mtree_info(bool flatview)
{
    GString *out = g_string_new("");
    g_autoptr(GPtrArray) alias_targets = g_ptr_array_new();
    AddressSpace *as;

    for (as = memory_address_space_next(NULL); as;
         as = memory_address_space_next(as)) {
        if (flatview) {
            print_flatview(out, as);
            continue;
        }
        g_string_append_printf(out, "address-space: %s\n", as->name);
        print_region(out, as->root, 0, 1, alias_targets);
        g_string_append_c(out, '\n');
    }
    for (guint i = 0; i < alias_targets->len; i++) {
        MemoryRegion *mr = alias_targets->pdata[i];

        g_string_append_printf(out, "memory-region: %s\n",
                               memory_region_name(mr));
        print_region(out, mr, 0, 1, alias_targets);
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, false);
}
