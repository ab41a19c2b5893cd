/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hmp-complete.c: what Tab offers on a human monitor (the candidates;
 * util/readline.c inserts or lists them).  As in QEMU's monitor/hmp.c:
 *
 *   first word                 command names ("info", "stop", ...)
 *   help WORD                  command names
 *   info WORD                  info subcommands ("status", "mtree", ...)
 *   device_del WORD            ids of user-created devices
 *   object_del WORD            ids of user-created objects (-object)
 *
 * Words are split at blanks (quotes are not interpreted here); the word
 * being completed is the one the cursor ends.  Other arguments get no
 * candidates.
 */
#include "qemu/osdep.h"
#include "qemu/readline.h"
#include "qapi/hmp-registry.h"
#include "qom/object.h"
#include "monitor/monitor-internal.h"

#define HMP_INFO_PREFIX "info "

typedef struct HmpCompletion {
    ReadLineState *rs;
    const char *word;           /* the prefix typed so far */
    bool info;                  /* offer "info X" as X, else one-word names */
    GHashTable *seen;           /* offered already */
} HmpCompletion;

static void hmp_complete_offer(HmpCompletion *c, const char *name)
{
    if (g_str_has_prefix(name, c->word) &&
        g_hash_table_add(c->seen, g_strdup(name))) {
        readline_add_completion(c->rs, name);
    }
}

static void hmp_complete_command(const HmpCommand *cmd, void *opaque)
{
    HmpCompletion *c = opaque;
    const char *name = cmd->name;

    if (c->info) {
        if (!g_str_has_prefix(name, HMP_INFO_PREFIX)) {
            return;
        }
        name += strlen(HMP_INFO_PREFIX);
    }
    if (!strchr(name, ' ')) {
        hmp_complete_offer(c, name);
    }
}

static int hmp_complete_child(Object *child, void *opaque)
{
    const char *name = object_get_canonical_path_component(child);

    if (name) {
        hmp_complete_offer(opaque, name);
    }
    return 0;
}

/* the children of the container at @path, if it exists */
static void hmp_complete_children(HmpCompletion *c, const char *path)
{
    Object *parent = object_resolve_path(path, NULL);

    if (parent) {
        object_child_foreach(parent, hmp_complete_child, c);
    }
}

void hmp_complete(void *opaque, ReadLineState *rs, const char *line)
{
    g_auto(GStrv) words = g_strsplit_set(line, " \t", -1);
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    HmpCompletion c = { .rs = rs };

    /* the non-empty words, and "" if the cursor is after a blank */
    for (char **w = words; *w; w++) {
        if (**w || !w[1]) {
            g_ptr_array_add(args, *w);
        }
    }
    if (!args->len) {
        g_ptr_array_add(args, (char *)"");
    }
    c.word = args->pdata[args->len - 1];
    c.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    readline_set_completion_index(rs, strlen(c.word));
    if (args->len == 1) {
        hmp_for_each_command(hmp_complete_command, &c);
    } else if (args->len == 2) {
        const char *cmd = args->pdata[0];

        if (!strcmp(cmd, "help") || !strcmp(cmd, "info")) {
            c.info = !strcmp(cmd, "info");
            hmp_for_each_command(hmp_complete_command, &c);
        } else if (!strcmp(cmd, "device_del")) {
            hmp_complete_children(&c, "/machine/peripheral");
        } else if (!strcmp(cmd, "object_del")) {
            hmp_complete_children(&c, "/objects");
        }
    }
    g_hash_table_destroy(c.seen);
}
