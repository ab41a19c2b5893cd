/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm-mor-util.c: helpers of the TPM memory-overwrite qtests (see
 * tpm-mor-util.h).
 */
#include <dirent.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tpm-mor-util.h"

static uint8_t bios_byte(uint64_t i)
{
    return (uint8_t)(i * 13 + 7);
}

static char *make_bios(void)
{
    g_autofree uint8_t *img = g_malloc(BIOS_SIZE);
    char *path = g_strdup_printf("%s/bios-%d.bin", qtest_tmpdir(),
                                 (int)getpid());

    for (uint64_t i = 0; i < BIOS_SIZE; i++) {
        img[i] = bios_byte(i);
    }
    g_assert(g_file_set_contents(path, (char *)img, BIOS_SIZE, NULL));
    return path;
}

MorVm *mor_vm_start_with(const char *before, const char *after)
{
    MorVm *vm = g_new0(MorVm, 1);
    g_autofree char *args = NULL;

    vm->swtpm = swtpm_start(qtest_tmpdir());
    vm->bios = make_bios();
    vm->trace = g_strdup_printf("%s/trace-%d.log", qtest_tmpdir(),
                                (int)getpid());
    unlink(vm->trace);
    args = g_strdup_printf("-machine microvm %s -bios %s "
                           "-chardev socket,id=chrtpm,path=%s "
                           "-tpmdev emulator,id=tpm0,chardev=chrtpm "
                           "-device tpm-crb,tpmdev=tpm0 %s "
                           "-trace tpm_ppi_memory_clear -D %s",
                           before, vm->bios, vm->swtpm->ctrl_path, after,
                           vm->trace);
    vm->qts = qtest_init(args);
    return vm;
}

MorVm *mor_vm_start(const char *machine_args)
{
    return mor_vm_start_with(machine_args, "");
}

char *read_file(const char *path)
{
    char *text = NULL;

    g_assert(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

void mor_vm_free(MorVm *vm)
{
    qtest_quit(vm->qts);
    swtpm_free(vm->swtpm);
    unlink(vm->bios);
    if (g_test_verbose()) {
        g_autofree char *trace = read_file(vm->trace);

        g_test_message("trace: %s", trace);
    }
    unlink(vm->trace);
    g_free(vm->bios);
    g_free(vm->trace);
    g_free(vm);
}

void write_secret(QTestState *qts, uint64_t addr, uint64_t size)
{
    qtest_memset(qts, addr, 0x5e, size);
    g_assert_cmphex(qtest_readb(qts, addr + size - 1), ==, 0x5e);
}

/* Every byte of [addr, addr + size) reads @c. */
void check_all(QTestState *qts, uint64_t addr, uint64_t size,
                      uint8_t c)
{
    g_autofree uint8_t *buf = g_malloc(CHUNK);

    for (uint64_t off = 0; off < size; off += CHUNK) {
        uint64_t len = MIN(CHUNK, size - off);

        qtest_bufread(qts, addr + off, buf, len);
        for (uint64_t i = 0; i < len; i++) {
            if (buf[i] != c) {
                g_error("0x%" PRIx64 " reads 0x%02x, expected 0x%02x",
                        addr + off + i, buf[i], c);
            }
        }
    }
}

void check_bios(QTestState *qts)
{
    g_autofree uint8_t *buf = g_malloc(BIOS_SIZE);

    qtest_bufread(qts, BIOS_BASE, buf, BIOS_SIZE);
    for (uint64_t i = 0; i < BIOS_SIZE; i++) {
        g_assert_cmpuint(buf[i], ==, bios_byte(i));
    }
    qtest_bufread(qts, ISA_BIOS_BASE, buf, BIOS_SIZE);
    for (uint64_t i = 0; i < BIOS_SIZE; i++) {
        g_assert_cmpuint(buf[i], ==, bios_byte(i));
    }
}

void fill_ppi(QTestState *qts, uint8_t movv)
{
    uint8_t ppi[PPI_SIZE];

    for (int i = 0; i < PPI_SIZE; i++) {
        ppi[i] = i * 3 + 1;
    }
    ppi[PPI_MOVV - PPI_BASE] = movv;
    qtest_memwrite(qts, PPI_BASE, ppi, sizeof(ppi));
}

void check_ppi(QTestState *qts, uint8_t movv)
{
    uint8_t ppi[PPI_SIZE];

    qtest_memread(qts, PPI_BASE, ppi, sizeof(ppi));
    for (int i = 0; i < PPI_SIZE; i++) {
        uint8_t want = i == PPI_MOVV - PPI_BASE ? movv : (uint8_t)(i * 3 + 1);

        g_assert_cmpuint(ppi[i], ==, want);
    }
}

void system_reset(QTestState *qts)
{
    qtest_qmp_assert_success(qts, "{\"execute\": \"system_reset\"}");
    qtest_qmp_eventwait(qts, "RESET");
}

int count_lines_with(const char *text, const char *needle)
{
    int n = 0;

    for (const char *p = text; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

/* The fd of @pid whose link names a memfd of a memory backend, or -1. */
char *find_memfd(pid_t pid)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    struct dirent *e;
    char *found = NULL;

    g_assert(d);
    while (!found && (e = readdir(d))) {
        g_autofree char *path = g_strdup_printf("%s/%s", dir, e->d_name);
        g_autofree char *target = g_file_read_link(path, NULL);

        if (target && strstr(target, "memfd:memory-backend-memfd")) {
            found = g_steal_pointer(&path);
        }
    }
    closedir(d);
    g_assert(found);
    return found;
}

uint64_t allocated_bytes(const char *path)
{
    struct stat st;

    g_assert(stat(path, &st) == 0);
    return (uint64_t)st.st_blocks * 512;
}

/* The number after "@key=" in the last line of @text that has it. */
uint64_t trace_field(const char *text, const char *key)
{
    g_autofree char *needle = g_strdup_printf(" %s=", key);
    const char *p = g_strrstr(text, needle);

    g_assert(p);
    return g_ascii_strtoull(p + strlen(needle), NULL, 10);
}
