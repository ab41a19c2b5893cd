/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-hmp.c: the HMP face of dumps, as QEMU's dump-hmp-cmds.c:
 *
 *   dump-guest-memory [-p] [-d] [-L] [-z|-l|-s] [-R] FILE [BEGIN LENGTH]
 *   info dump
 *
 * -p paging, -d detach, -L live (our extension), -z/-l/-s kdump with
 * zlib/lzo/snappy, -R the raw kdump variant (ignored without -z/-l/-s).
 * FILE becomes "file:FILE".  Flags come before FILE, in any order.
 * QEMU's -w (win-dmp) is parsed but not advertised: there is no win-dmp
 * encoder, so it always gets "win-dmp is not available now", as the QMP
 * format does.
 */
#include "qemu/osdep.h"
#include "qapi/hmp-registry.h"
#include "qapi/qapi-commands.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "dump/dump-internal.h"

static bool hmp_parse_int(const char *arg, const char *name, int64_t *v,
                          Error **errp)
{
    if (qemu_strtoi64(arg, NULL, 0, v) < 0) {
        error_setg(errp, "invalid %s '%s': expected an integer", name, arg);
        return false;
    }
    return true;
}

/*
 * A synchronous dump is over: human-monitor-command's reply, the output
 * HMP would have printed (line ends as CRLF, as hmp.c gives them).
 */
static void hmp_dump_done(void *opaque, Error *err)
{
    g_autoptr(GString) text = g_string_new(NULL);

    if (err) {
        hmp_append_error(text, err, "\r\n");
    }
    error_free(err);
    qmp_return_human_monitor_command(opaque, text->str, NULL);
}

static bool hmp_dump_guest_memory(int argc, char **argv, GString *out,
                                  Error **errp)
{
    QmpReturn *r = NULL;
    bool zlib = false, lzo = false, snappy = false, windmp = false;
    bool raw = false;
    DumpRequest req = { 0 };
    g_autofree char *protocol = NULL;
    int i;

    for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *f = argv[i];

        if (strlen(f) != 2) {
            error_setg(errp, "unsupported option %s", f);
            return false;
        }
        switch (f[1]) {
        case 'p': req.paging = true; break;
        case 'd': req.detach = true; break;
        case 'L': req.live = true; break;
        case 'z': zlib = true; break;
        case 'l': lzo = true; break;
        case 's': snappy = true; break;
        case 'w': windmp = true; break;
        case 'R': raw = true; break;
        default:
            error_setg(errp, "unsupported option %s", f);
            return false;
        }
    }
    if (zlib + lzo + snappy + windmp > 1) {
        error_setg(errp, "only one of '-z|-l|-s|-w' can be set");
        return false;
    }
    if (i >= argc) {
        error_setg(errp, "Parameter 'filename' is missing");
        return false;
    }
    protocol = g_strdup_printf("file:%s", argv[i++]);
    req.protocol = protocol;
    if (i < argc) {
        req.has_begin = true;
        if (!hmp_parse_int(argv[i++], "begin", &req.begin, errp)) {
            return false;
        }
    }
    if (i < argc) {
        req.has_length = true;
        if (!hmp_parse_int(argv[i++], "length", &req.length, errp)) {
            return false;
        }
    }
    if (i < argc) {
        error_setg(errp, "too many arguments");
        return false;
    }
    if (zlib) {
        req.format = raw ? "kdump-raw-zlib" : "kdump-zlib";
    } else if (lzo) {
        req.format = raw ? "kdump-raw-lzo" : "kdump-lzo";
    } else if (snappy) {
        req.format = raw ? "kdump-raw-snappy" : "kdump-snappy";
    } else if (windmp) {
        req.format = "win-dmp";
    }
    if (!req.detach) {
        /* human-monitor-command answers when the dump ends */
        r = qmp_return_defer();
    }
    if (!dump_guest_memory(&req, r ? hmp_dump_done : NULL, r, errp)) {
        if (r) {
            qmp_return_cancel(r);
        }
        return false;
    }
    return true;
}

static bool hmp_info_dump(int argc, char **argv, GString *out, Error **errp)
{
    DumpStatus status;
    uint64_t completed, total;

    dump_query(&status, &completed, &total);
    g_string_append_printf(out, "Status: %s\n", dump_status_name(status));
    if (status == DUMP_STATUS_ACTIVE && total) {
        g_string_append_printf(out, "Finished: %.2f %%\n",
                               100.0 * completed / total);
    }
    return true;
}

void dump_hmp_register_commands(void)
{
    hmp_register_command("dump-guest-memory",
                         "[-p] [-d] [-L] [-z|-l|-s] [-R] filename "
                         "[begin length]",
                         "write the guest's memory to 'filename' (ELF by "
                         "default); -p walks the guest page tables, -d "
                         "returns at once and dumps in the background, "
                         "-L dumps live: the guest runs on and the file "
                         "holds its memory at the start (sparsevm), "
                         "-z/-l/-s pick kdump with zlib/lzo/snappy, -R "
                         "the raw (not flattened) kdump file; begin/length "
                         "limit an ELF dump to a guest-physical range",
                         hmp_dump_guest_memory);
    hmp_register_command("info dump", "",
                         "Display the latest dump status",
                         hmp_info_dump);
}
