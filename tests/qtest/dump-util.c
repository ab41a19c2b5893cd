/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-util.c: the shared helpers of the dump qtests (dump-util.h).
 */
#include <elf.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dump-util.h"

typedef struct ModelWrite {
    uint64_t gpa;
    uint64_t len;
    uint8_t *data;          /* NULL: zeros (a forgotten range) */
} ModelWrite;

typedef struct ModelRange {
    uint64_t gpa;
    uint64_t len;
} ModelRange;

static void clear_write(gpointer p)
{
    g_free(((ModelWrite *)p)->data);
}

void model_init(DumpModel *m)
{
    m->writes = g_array_new(false, false, sizeof(ModelWrite));
    g_array_set_clear_func(m->writes, clear_write);
    m->foreign = g_array_new(false, false, sizeof(ModelRange));
}

void model_free(DumpModel *m)
{
    g_array_free(m->writes, true);
    g_array_free(m->foreign, true);
}

void model_foreign(DumpModel *m, uint64_t gpa, uint64_t len)
{
    ModelRange r = { gpa, len };

    g_array_append_val(m->foreign, r);
}

void model_write(QTestState *s, DumpModel *m, uint64_t gpa, size_t len,
                 uint8_t seed)
{
    ModelWrite w = { gpa, len, g_malloc(len) };

    for (size_t i = 0; i < len; i++) {
        w.data[i] = seed + (uint8_t)(i * 31) + (uint8_t)((gpa + i) >> 12);
        if (!w.data[i]) {
            w.data[i] = 0x5a;       /* no accidental zero pages */
        }
    }
    qtest_bufwrite(s, gpa, w.data, len);
    g_array_append_val(m->writes, w);
}

void write_noise(QTestState *s, uint64_t gpa, size_t len, uint32_t seed)
{
    g_autofree uint8_t *buf = g_malloc(len);
    GRand *rnd = g_rand_new_with_seed(seed);

    for (size_t i = 0; i < len; i++) {
        buf[i] = g_rand_int(rnd);
    }
    g_rand_free(rnd);
    qtest_bufwrite(s, gpa, buf, len);
}

void model_snapshot(QTestState *s, DumpModel *dst, const DumpModel *src)
{
    model_init(dst);
    for (unsigned i = 0; i < src->writes->len; i++) {
        ModelWrite w = g_array_index(src->writes, ModelWrite, i);

        w.data = w.data ? g_memdup2(w.data, w.len) : NULL;
        g_array_append_val(dst->writes, w);
    }
    for (unsigned i = 0; i < src->foreign->len; i++) {
        const ModelRange *r = &g_array_index(src->foreign, ModelRange, i);
        ModelWrite w = { r->gpa, r->len, g_malloc(r->len) };

        qtest_bufread(s, r->gpa, w.data, r->len);
        g_array_append_val(dst->writes, w);
    }
}

void model_forget(DumpModel *m, uint64_t gpa, uint64_t len)
{
    ModelWrite w = { gpa, len, NULL };

    g_array_append_val(m->writes, w);
}

void model_expect(QTestState *s, const DumpModel *m, uint64_t gpa,
                  uint8_t *buf, size_t len)
{
    memset(buf, 0, len);
    for (unsigned i = 0; i < m->writes->len; i++) {
        const ModelWrite *w = &g_array_index(m->writes, ModelWrite, i);
        uint64_t lo = MAX(w->gpa, gpa);
        uint64_t hi = MIN(w->gpa + w->len, gpa + len);

        if (lo >= hi) {
            continue;
        }
        if (w->data) {
            memcpy(buf + (lo - gpa), w->data + (lo - w->gpa), hi - lo);
        } else {
            memset(buf + (lo - gpa), 0, hi - lo);
        }
    }
    for (unsigned i = 0; i < m->foreign->len; i++) {
        const ModelRange *r = &g_array_index(m->foreign, ModelRange, i);
        uint64_t lo = MAX(r->gpa, gpa);
        uint64_t hi = MIN(r->gpa + r->len, gpa + len);

        if (lo < hi) {
            qtest_bufread(s, lo, buf + (lo - gpa), hi - lo);
        }
    }
}

GArray *flat_ranges(QTestState *s)
{
    g_autofree char *out = qtest_hmp(s, "info mtree -f");
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    GArray *r = g_array_new(false, true, sizeof(FlatRange));
    bool in_memory = false;

    for (size_t i = 0; lines[i]; i++) {
        FlatRange f = { 0 };
        uint64_t last;
        int prio;

        if (strstr(lines[i], "AS \"")) {
            in_memory = strstr(lines[i], "AS \"memory\"") != NULL;
            continue;
        }
        if (!in_memory ||
            sscanf(lines[i], " %" SCNx64 "-%" SCNx64 " (prio %d, %15[^)]): "
                   "%63s", &f.start, &last, &prio, f.kind, f.name) != 5) {
            continue;
        }
        f.end = last + 1;
        g_array_append_val(r, f);
    }
    g_assert_cmpuint(r->len, >, 0);
    return r;
}

const FlatRange *flat_lookup(GArray *flat, uint64_t gpa)
{
    for (unsigned i = 0; i < flat->len; i++) {
        const FlatRange *f = &g_array_index(flat, FlatRange, i);

        if (gpa >= f->start && gpa < f->end) {
            return f;
        }
    }
    return NULL;
}

void check_load_data(QTestState *s, const ElfCore *core, unsigned i,
                     const DumpModel *model, GArray *flat)
{
    const ElfSegment *seg = elf_core_segment(core, i);
    const size_t chunk = 4 * MiB;
    g_autofree uint8_t *want = g_malloc(chunk);

    for (uint64_t done = 0; done < seg->filesz; ) {
        uint64_t gpa = seg->paddr + done;
        const FlatRange *f = flat_lookup(flat, gpa);
        size_t n = MIN(chunk, seg->filesz - done);
        const uint8_t *got = core->data + seg->offset + done;

        g_assert_nonnull(f);
        n = MIN(n, f->end - gpa);
        expect_bytes(s, model, flat, gpa, want, n);
        if (memcmp(got, want, n)) {
            size_t j = 0;

            while (got[j] == want[j]) {
                j++;
            }
            g_error("PT_LOAD %u: byte at 0x%" PRIx64 " is 0x%02x, the "
                    "guest has 0x%02x", i, gpa + j, got[j], want[j]);
        }
        done += n;
    }
}

unsigned check_dump_loads(QTestState *s, const ElfCore *core,
                          const DumpModel *model, GArray *flat)
{
    unsigned loads = 0;

    for (unsigned i = 0; i < core->phnum; i++) {
        const ElfSegment *seg = elf_core_segment(core, i);

        if (seg->type != PT_LOAD) {
            continue;
        }
        loads++;
        g_assert_cmpuint(seg->filesz, ==, seg->memsz);
        check_load_data(s, core, i, model, flat);
    }
    return loads;
}

void expect_bytes(QTestState *s, const DumpModel *model, GArray *flat,
                         uint64_t gpa, uint8_t *buf, size_t len)
{
    const FlatRange *f = flat_lookup(flat, gpa);

    g_assert_nonnull(f);
    if (!strcmp(f->kind, "ram")) {
        model_expect(s, model, gpa, buf, len);
    } else {
        qtest_bufread(s, gpa, buf, len);
    }
}

void check_libkdumpfile(QTestState *s, const DumpModel *model, GArray *flat,
                        const char *path, const uint64_t *addrs, unsigned n)
{
    check_libkdumpfile_ex(s, model, flat, path, addrs, n, false, -1);
}

void check_libkdumpfile_ex(QTestState *s, const DumpModel *model,
                           GArray *flat, const char *path,
                           const uint64_t *addrs, unsigned n,
                           bool zero_pages_excluded, int zero_excluded)
{
    static const char script[] =
        "import sys\n"
        "try:\n"
        "    import kdumpfile\n"
        "    from kdumpfile.exceptions import NoDataException\n"
        "except ImportError:\n"
        "    sys.exit(77)\n"
        "k = kdumpfile.kdumpfile(sys.argv[1])\n"
        "if sys.argv[2] != '-':\n"
        "    k.attr['file.zero_excluded'] = int(sys.argv[2])\n"
        "for arg in sys.argv[3:]:\n"
        "    addr, want = arg.split(':')\n"
        "    try:\n"
        "        got = bytes(k.read(kdumpfile.KDUMP_MACHPHYSADDR,\n"
        "                           int(addr, 16), 32)).hex()\n"
        "    except NoDataException:\n"
        "        got = 'excluded'\n"
        "    if got != want:\n"
        "        print('mismatch at', addr, got, 'want', want)\n"
        "        sys.exit(1)\n";
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree uint8_t *page = g_malloc(2 * 4096);
    static const uint8_t zero[4096];
    int ret;

    g_ptr_array_add(argv, g_strdup("/usr/bin/python3"));
    g_ptr_array_add(argv, g_strdup("-c"));
    g_ptr_array_add(argv, g_strdup(script));
    g_ptr_array_add(argv, g_strdup(path));
    g_ptr_array_add(argv, zero_excluded < 0 ? g_strdup("-") :
                    g_strdup_printf("%d", zero_excluded));
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *buf = page + (addrs[i] & 4095);
        /* the probe's page, and the next one if the probe crosses */
        unsigned pages = 1 + ((addrs[i] & 4095) > 4096 - 32);
        char hex[2 * 32 + 1];

        expect_bytes(s, model, flat, addrs[i] & ~4095ull, page,
                     pages * 4096);
        for (unsigned j = 0; j < 32; j++) {
            snprintf(hex + 2 * j, 3, "%02x", buf[j]);
        }
        if (zero_pages_excluded && zero_excluded != 1 &&
            (!memcmp(page, zero, 4096) ||
             (pages == 2 && !memcmp(page + 4096, zero, 4096)))) {
            /* an excluded page: the reader refuses it by default */
            strcpy(hex, "excluded");
        }
        g_ptr_array_add(argv, g_strdup_printf("%" PRIx64 ":%s", addrs[i],
                                              hex));
    }
    g_ptr_array_add(argv, NULL);
    ret = run_tool((char **)argv->pdata, &out, &err);
    g_ptr_array_free(argv, true);
    if (ret == 77 || ret == -1) {
        g_test_message("python3-libkdumpfile not installed: skipped");
    } else if (ret != 0) {
        g_error("libkdumpfile check failed (%d):\n%s%s", ret, out, err);
    }
}

void dump_open(ElfCore *core, const char *path)
{
    g_autofree char *err = elf_core_open(core, path);

    if (err) {
        g_error("%s: %s", path, err);
    }
}

char *events_peek(QTestState *s)
{
    g_auto(GStrv) names = qtest_qmp_event_names(s);

    return g_strjoinv(" ", names);
}

char *events_take(QTestState *s)
{
    char *joined = events_peek(s);

    qtest_qmp_events_clear(s);
    return joined;
}

int run_tool(char **argv, char **out, char **err)
{
    GError *gerr = NULL;
    int status;

    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                      out, err, &status, &gerr)) {
        g_error_free(gerr);
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

bool tool_available(const char *name)
{
    g_autofree char *p = g_find_program_in_path(name);

    return p != NULL;
}

uint64_t memfd_allocated(pid_t pid, const char *name)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", pid);
    g_autofree char *want = g_strdup_printf("/memfd:%s", name);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;
    uint64_t bytes = UINT64_MAX;

    g_assert_nonnull(d);
    while ((n = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, n, NULL);
        g_autofree char *link = g_file_read_link(p, NULL);
        struct stat st;

        if (link && g_str_has_prefix(link, want) && stat(p, &st) == 0) {
            bytes = st.st_blocks * 512;
            break;
        }
    }
    g_dir_close(d);
    g_assert_cmpuint(bytes, !=, UINT64_MAX);
    return bytes;
}

bool mount_tmpfs(const char *dir, const char *opts, char **why)
{
    static bool unshared;

    if (!unshared) {
        if (unshare(CLONE_NEWNS) < 0) {
            *why = g_strdup_printf("cannot unshare the mount namespace: %s",
                                   g_strerror(errno));
            return false;
        }
        if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
            *why = g_strdup_printf("cannot make mounts private: %s",
                                   g_strerror(errno));
            return false;
        }
        unshared = true;
    }
    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    if (mount("tmpfs", dir, "tmpfs", 0, opts) < 0) {
        *why = g_strdup_printf("cannot mount a tmpfs: %s", g_strerror(errno));
        return false;
    }
    return true;
}

void dump_getfd(QTestState *s, int fd, const char *name)
{
    JsonObject *r = qtest_qmp_fds(s, &fd, 1, "{'execute': 'getfd', "
                                  "'arguments': {'fdname': '%s'}}", name);

    g_assert_true(qtest_json_has(r, "return"));
    json_object_unref(r);
}

gpointer dump_drain_thread(gpointer opaque)
{
    DumpDrain *d = opaque;
    uint8_t buf[65536];
    ssize_t n;

    while ((n = read(d->fd, buf, sizeof(buf))) > 0) {
        g_byte_array_append(d->got, buf, n);
    }
    return NULL;
}
