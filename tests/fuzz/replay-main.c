/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay-main.c: run a fuzz target over files, without libFuzzer, as an
 * ordinary test (any compiler, any build).  Every argument is a file or a
 * directory whose regular files are read in name order; each file is one
 * input.  The committed corpus (tests/fuzz/corpus/TARGET/) and the crash
 * regressions (tests/fuzz/regressions/TARGET/) run this way in `make
 * check`, so an input that once crashed stays fixed.
 *
 * Output is TAP, one test point per argument; a crash or a failed check
 * inside the target ends the process, after the name of the input that
 * caused it has been printed to stderr.
 */
#include "qemu/osdep.h"
#include "fuzz.h"

/* g_ptr_array_sort() passes pointers to the elements */
static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static GPtrArray *inputs_of(const char *path)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    GDir *dir;
    const char *name;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_ptr_array_add(files, g_strdup(path));
        return files;
    }
    dir = g_dir_open(path, 0, NULL);
    while (dir && (name = g_dir_read_name(dir))) {
        char *file = g_build_filename(path, name, NULL);

        if (g_file_test(file, G_FILE_TEST_IS_REGULAR) && name[0] != '.') {
            g_ptr_array_add(files, file);
        } else {
            g_free(file);
        }
    }
    if (dir) {
        g_dir_close(dir);
    }
    g_ptr_array_sort(files, compare_strings);
    return files;
}

int main(int argc, char **argv)
{
    int failed = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    printf("1..%d\n", argc - 1);
    for (int i = 1; i < argc; i++) {
        g_autoptr(GPtrArray) files = inputs_of(argv[i]);
        guint ran = 0;

        for (guint j = 0; j < files->len; j++) {
            g_autofree char *data = NULL;
            gsize len;

            if (!g_file_get_contents(files->pdata[j], &data, &len, NULL)) {
                printf("# cannot read %s\n", (char *)files->pdata[j]);
                failed++;
                continue;
            }
            fprintf(stderr, "replay: %s\n", (char *)files->pdata[j]);
            LLVMFuzzerTestOneInput((const uint8_t *)data, len);
            ran++;
        }
        printf("%sok %d - %s (%u inputs)\n", ran == files->len ? "" : "not ",
               i, argv[i], ran);
        fflush(stdout);
    }
    return failed ? 1 : 0;
}
