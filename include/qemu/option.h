/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * option.h: QEMU's "key=value,key=value" option strings.
 *
 * "memory-backend-memfd,id=mem0,size=16G" parses with implied key "qom-type"
 * into qom-type=memory-backend-memfd, id=mem0, size=16G.  A comma inside a
 * value is written ",,".  A bare "flag" means flag=on and "noflag"
 * flag=off only where the caller allows it (legacy -chardev "server",
 * "nowait").  A later key overrides an earlier one, as in QEMU.
 */
#ifndef QEMU_OPTION_H
#define QEMU_OPTION_H

typedef struct QemuOpt {
    char *name;
    char *value;
    bool used;
} QemuOpt;

typedef struct QemuOpts {
    GPtrArray *opts;    /* QemuOpt *, in order of appearance */
} QemuOpts;

/**
 * qemu_opts_parse: split @params.
 * @implied_key: name given to a first element without '=' (NULL: none,
 *               then such an element is an error unless @bare_flags).
 * @bare_flags: accept "name" as name=on and "noname" as name=off.
 * Returns: the options (free with qemu_opts_free), or NULL on error.
 */
QemuOpts *qemu_opts_parse(const char *params, const char *implied_key,
                          bool bare_flags, Error **errp);
/**
 * qemu_opts_new / qemu_opt_set: build options from parts that are already
 * split (QMP arguments turned into strings); qemu_opt_set appends @name
 * = @value (both copied), so a later value overrides as when parsing.
 */
QemuOpts *qemu_opts_new(void);
void qemu_opt_set(QemuOpts *opts, const char *name, const char *value);
void qemu_opts_free(QemuOpts *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuOpts, qemu_opts_free)

/** qemu_opt_get: the last value of @name (marks it used), or NULL. */
const char *qemu_opt_get(QemuOpts *opts, const char *name);
/** qemu_opt_has: true if @name appears (does not mark it used). */
bool qemu_opt_has(QemuOpts *opts, const char *name);
/**
 * qemu_opt_get_bool / _size / _number: typed reads; @dflt when absent;
 * false with "Parameter 'NAME' expects ..." on a malformed value.
 */
bool qemu_opt_get_bool(QemuOpts *opts, const char *name, bool dflt,
                       bool *result, Error **errp);
bool qemu_opt_get_size(QemuOpts *opts, const char *name, uint64_t dflt,
                       uint64_t *result, Error **errp);
bool qemu_opt_get_number(QemuOpts *opts, const char *name, uint64_t dflt,
                         uint64_t *result, Error **errp);
/**
 * qemu_opts_check_unused: error "Invalid parameter 'NAME'" for the first
 * option nobody read.
 */
bool qemu_opts_check_unused(QemuOpts *opts, Error **errp);

#endif /* QEMU_OPTION_H */
