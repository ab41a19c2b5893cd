/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qemu-option.c: "key=value,..." option strings (see option.h). */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "qemu/option.h"

static void qemu_opt_free(gpointer p)
{
    QemuOpt *opt = p;

    g_free(opt->name);
    g_free(opt->value);
    g_free(opt);
}

/* Read up to an unescaped @delim (or end); ",," yields ','. */
static const char *get_token(const char *p, char delim, GString *out)
{
    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(out, ',');
                p += 2;
                continue;
            }
            break;
        }
        if (*p == delim) {
            break;
        }
        g_string_append_c(out, *p++);
    }
    return p;
}

QemuOpts *qemu_opts_parse(const char *params, const char *implied_key,
                          bool bare_flags, Error **errp)
{
    QemuOpts *opts = g_new0(QemuOpts, 1);
    const char *p = params;
    bool first = true;

    opts->opts = g_ptr_array_new_with_free_func(qemu_opt_free);
    while (*p) {
        g_autoptr(GString) key = g_string_new("");
        g_autoptr(GString) val = g_string_new("");
        QemuOpt *opt;

        p = get_token(p, '=', key);
        if (*p == '=') {
            p = get_token(p + 1, ',', val);
            if (!key->len) {
                error_setg(errp, "Invalid parameter ''");
                goto fail;
            }
        } else if (first && implied_key) {
            g_string_assign(val, key->str);
            g_string_assign(key, implied_key);
        } else if (bare_flags && key->len) {
            if (g_str_has_prefix(key->str, "no") && key->len > 2) {
                g_string_erase(key, 0, 2);
                g_string_assign(val, "off");
            } else {
                g_string_assign(val, "on");
            }
        } else if (key->len) {
            error_setg(errp, "Expected '=' after parameter '%s'", key->str);
            goto fail;
        }
        if (key->len) {
            opt = g_new0(QemuOpt, 1);
            opt->name = g_string_free(g_steal_pointer(&key), false);
            opt->value = g_string_free(g_steal_pointer(&val), false);
            g_ptr_array_add(opts->opts, opt);
        }
        if (*p == ',') {
            p++;
        }
        first = false;
    }
    return opts;
fail:
    qemu_opts_free(opts);
    return NULL;
}

QemuOpts *qemu_opts_new(void)
{
    QemuOpts *opts = g_new0(QemuOpts, 1);

    opts->opts = g_ptr_array_new_with_free_func(qemu_opt_free);
    return opts;
}

void qemu_opt_set(QemuOpts *opts, const char *name, const char *value)
{
    QemuOpt *opt = g_new0(QemuOpt, 1);

    opt->name = g_strdup(name);
    opt->value = g_strdup(value);
    g_ptr_array_add(opts->opts, opt);
}

void qemu_opts_free(QemuOpts *opts)
{
    if (opts) {
        g_ptr_array_free(opts->opts, true);
        g_free(opts);
    }
}

static QemuOpt *qemu_opt_find(QemuOpts *opts, const char *name)
{
    for (guint i = opts->opts->len; i-- > 0;) {
        QemuOpt *opt = opts->opts->pdata[i];

        if (!strcmp(opt->name, name)) {
            return opt;
        }
    }
    return NULL;
}

const char *qemu_opt_get(QemuOpts *opts, const char *name)
{
    QemuOpt *found = qemu_opt_find(opts, name);

    if (!found) {
        return NULL;
    }
    /* Every occurrence of the name counts as read. */
    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = opts->opts->pdata[i];

        if (!strcmp(opt->name, name)) {
            opt->used = true;
        }
    }
    return found->value;
}

bool qemu_opt_has(QemuOpts *opts, const char *name)
{
    return qemu_opt_find(opts, name) != NULL;
}

bool qemu_opt_get_bool(QemuOpts *opts, const char *name, bool dflt,
                       bool *result, Error **errp)
{
    const char *v = qemu_opt_get(opts, name);

    if (!v) {
        *result = dflt;
        return true;
    }
    if (!qemu_parse_bool(v, result)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
        return false;
    }
    return true;
}

bool qemu_opt_get_size(QemuOpts *opts, const char *name, uint64_t dflt,
                       uint64_t *result, Error **errp)
{
    const char *v = qemu_opt_get(opts, name);

    if (!v) {
        *result = dflt;
        return true;
    }
    if (qemu_strtosz(v, NULL, result)) {
        error_setg(errp, "Parameter '%s' expects a non-negative number "
                   "below 2^64", name);
        error_append_hint(errp, QEMU_SIZE_SUFFIX_HINT);
        return false;
    }
    return true;
}

bool qemu_opt_get_number(QemuOpts *opts, const char *name, uint64_t dflt,
                         uint64_t *result, Error **errp)
{
    const char *v = qemu_opt_get(opts, name);

    if (!v) {
        *result = dflt;
        return true;
    }
    if (qemu_strtou64(v, NULL, 0, result)) {
        error_setg(errp, "Parameter '%s' expects a number", name);
        return false;
    }
    return true;
}

bool qemu_opts_check_unused(QemuOpts *opts, Error **errp)
{
    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = opts->opts->pdata[i];

        if (!opt->used) {
            error_setg(errp, "Invalid parameter '%s'", opt->name);
            return false;
        }
    }
    return true;
}
