/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm-mor-test.c: the TPM memory-overwrite clear, end to end: a guest
 * (this test) writes secrets into RAM below and above 4 GiB, sets bit 0
 * of the PPI MOR byte and resets the machine, by QMP system_reset or by
 * writing 0x06 to port 0xcf9; every byte it wrote must read zero
 * afterwards, the memory must have been given back (RSS, memfd blocks),
 * and the firmware ROM loaded with -bios, the PPI buffer and
 * nonvolatile memory must keep their contents.  With the MOR bit clear
 * (other bits set) nothing is cleared; repeated resets keep clearing;
 * a preallocated backend keeps its memory; the clear is traced;
 * mem-path=/dev/zero (no hole information) neither hangs the reset nor
 * a dump.
 * virtio-mem memory: tpm-mor-virtio-mem-test.c.
 * Skipped, saying why, when swtpm is missing (tpm-crb needs a back end).
 */
#include <sys/stat.h>
#include "tpm-mor-util.h"

/* The RAM a test writes secrets into; the last one is above 4 GiB. */
static const uint64_t secret_at[] = {
    2 * MiB, 3 * GiB - SECRET_SIZE, 4 * GiB + 32 * MiB,
};
#define BASE_RAM "-m 3136M"     /* 3 GiB below 4 GiB, 64 MiB above */

static void test_system_reset(void)
{
    uint64_t rss_before, rss_after;
    g_autofree char *trace = NULL;
    Vm *vm;

    if (swtpm_test_skip()) {
        return;
    }
    vm = vm_start(BASE_RAM);
    for (size_t i = 0; i < G_N_ELEMENTS(secret_at); i++) {
        write_secret(vm->qts, secret_at[i], SECRET_SIZE);
    }
    fill_ppi(vm->qts, MOVV_CLEAR);
    check_bios(vm->qts);
    rss_before = qtest_rss_kib(qtest_pid(vm->qts));

    system_reset(vm->qts);
    /* Given back, not overwritten: RSS fell by about what was written. */
    rss_after = qtest_rss_kib(qtest_pid(vm->qts));
    g_assert_cmpuint(rss_after + 3 * SECRET_SIZE / 1024 * 9 / 10, <=,
                     rss_before);
    for (size_t i = 0; i < G_N_ELEMENTS(secret_at); i++) {
        check_all(vm->qts, secret_at[i], SECRET_SIZE, 0);
    }
    /* Firmware and the PPI buffer (MOR byte included) are untouched. */
    check_bios(vm->qts);
    check_ppi(vm->qts, MOVV_CLEAR);

    /* One clear, traced with its figures; the two ROM blocks skipped. */
    trace = read_file(vm->trace);
    g_assert_cmpint(count_lines_with(trace, "tpm_ppi_memory_clear"), ==, 1);
    g_assert(strstr(trace, "skipped=2 "));
    g_assert(strstr(trace, "time_us="));
    vm_free(vm);
}

static void test_mor_clear_bit_unset(void)
{
    g_autofree char *trace = NULL;
    Vm *vm;

    if (swtpm_test_skip()) {
        return;
    }
    vm = vm_start(BASE_RAM);
    write_secret(vm->qts, secret_at[0], SECRET_SIZE);
    write_secret(vm->qts, secret_at[2], SECRET_SIZE);
    /* Every bit but ClearMemory: nothing is cleared. */
    fill_ppi(vm->qts, 0xfe);
    system_reset(vm->qts);
    check_all(vm->qts, secret_at[0], SECRET_SIZE, 0x5e);
    check_all(vm->qts, secret_at[2], SECRET_SIZE, 0x5e);
    check_ppi(vm->qts, 0xfe);
    trace = read_file(vm->trace);
    g_assert_cmpint(count_lines_with(trace, "tpm_ppi_memory_clear"), ==, 0);
    vm_free(vm);
}

static void test_guest_reset_and_repeat(void)
{
    JsonObject *ev;
    g_autofree char *trace = NULL;
    Vm *vm;

    if (swtpm_test_skip()) {
        return;
    }
    vm = vm_start(BASE_RAM);
    fill_ppi(vm->qts, MOVV_CLEAR);
    for (int round = 0; round < 20; round++) {
        write_secret(vm->qts, secret_at[round % 3], 1 * MiB);
        if (round % 2) {
            system_reset(vm->qts);
        } else {
            /* The guest's own reset: 0x06 to the reset control port. */
            qtest_outb(vm->qts, 0xcf9, 0x06);
            ev = qtest_qmp_eventwait_ref(vm->qts, "RESET");
            g_assert_cmpstr(qtest_json_get_str(ev, "data.reason"), ==,
                            "guest-reset");
            g_assert(qtest_json_get_bool(ev, "data.guest"));
            json_object_unref(ev);
        }
        check_all(vm->qts, secret_at[round % 3], 1 * MiB, 0);
        check_bios(vm->qts);
    }
    check_ppi(vm->qts, MOVV_CLEAR);
    trace = read_file(vm->trace);
    g_assert_cmpint(count_lines_with(trace, "tpm_ppi_memory_clear"), ==, 20);
    vm_free(vm);
}

static void test_memfd_ram(void)
{
    g_autofree char *memfd = NULL;
    uint64_t before;
    Vm *vm;

    if (swtpm_test_skip()) {
        return;
    }
    vm = vm_start("-m 256M -object memory-backend-memfd,id=ram0,size=256M "
                  "-machine memory-backend=ram0");
    memfd = find_memfd(qtest_pid(vm->qts));
    write_secret(vm->qts, 64 * MiB, SECRET_SIZE);
    fill_ppi(vm->qts, MOVV_CLEAR);
    before = allocated_bytes(memfd);
    g_assert_cmpuint(before, >=, SECRET_SIZE);
    system_reset(vm->qts);
    /* Punched: the memfd holds nothing now (measured before reading). */
    g_assert_cmpuint(allocated_bytes(memfd), <, before);
    g_assert_cmpuint(allocated_bytes(memfd), <=, before - SECRET_SIZE);
    check_all(vm->qts, 64 * MiB, SECRET_SIZE, 0);
    vm_free(vm);
}

static void test_nonvolatile_ram(void)
{
    g_autofree char *file = g_strdup_printf("%s/pmem-%d.img", qtest_tmpdir(),
                                            (int)getpid());
    g_autofree char *args = g_strdup_printf(
        "-m 128M -object memory-backend-file,id=ram0,size=128M,"
        "mem-path=%s,share=on,pmem=on -machine memory-backend=ram0", file);
    Vm *vm;

    if (swtpm_test_skip()) {
        return;
    }
    vm = vm_start(args);
    write_secret(vm->qts, 8 * MiB, 1 * MiB);
    fill_ppi(vm->qts, MOVV_CLEAR);
    system_reset(vm->qts);
    /* Persistent memory is not RAM to clear (as QEMU). */
    check_all(vm->qts, 8 * MiB, 1 * MiB, 0x5e);
    vm_free(vm);
    unlink(file);
}

static void test_prealloc_ram(void)
{
    uint64_t rss_before;
    Vm *vm;

    if (swtpm_test_skip()) {
        return;
    }
    vm = vm_start("-m 128M -object memory-backend-ram,id=ram0,size=128M,"
                  "prealloc=on -machine memory-backend=ram0");
    write_secret(vm->qts, 8 * MiB, SECRET_SIZE);
    fill_ppi(vm->qts, MOVV_CLEAR);
    rss_before = qtest_rss_kib(qtest_pid(vm->qts));
    g_assert_cmpuint(rss_before, >=, 128 * 1024);
    system_reset(vm->qts);
    /* Zeros written, the preallocated memory kept. */
    g_assert_cmpuint(qtest_rss_kib(qtest_pid(vm->qts)), >=,
                     rss_before - 8 * 1024);
    check_all(vm->qts, 8 * MiB, SECRET_SIZE, 0);
    vm_free(vm);
}

/*
 * mem-path=/dev/zero: every SEEK_DATA/SEEK_HOLE answers 0, which made the
 * clear (and a dump) spin forever.  The reset must come back, clear what
 * was written, and a dump of the same memory must finish.
 */
static void test_dev_zero_ram(gconstpointer opaque)
{
    const char *share = opaque;
    g_autofree char *args = g_strdup_printf(
        "-m 128M -object memory-backend-file,id=ram0,size=128M,"
        "mem-path=/dev/zero,share=%s -machine memory-backend=ram0", share);
    g_autofree char *dump = g_strdup_printf("%s/devzero-%d.dump",
                                            qtest_tmpdir(), (int)getpid());
    struct stat st;
    Vm *vm;

    if (swtpm_test_skip()) {
        return;
    }
    vm = vm_start(args);
    write_secret(vm->qts, 8 * MiB, 1 * MiB);
    fill_ppi(vm->qts, MOVV_CLEAR);
    system_reset(vm->qts);
    check_all(vm->qts, 8 * MiB, 1 * MiB, 0);
    write_secret(vm->qts, 24 * MiB, 1 * MiB);
    qtest_qmp_assert_success(vm->qts, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'protocol': "
                             "'file:%s', 'format': 'kdump-zlib'}}", dump);
    g_assert(stat(dump, &st) == 0 && st.st_size > 0);
    unlink(dump);
    /* An ELF dump holds what the guest wrote (not what reading the
     * /dev/zero fd would give: zeros). */
    qtest_qmp_assert_success(vm->qts, "{'execute': 'dump-guest-memory', "
                             "'arguments': {'paging': false, 'protocol': "
                             "'file:%s'}}", dump);
    {
        g_autofree char *data = NULL;
        g_autofree char *secret = g_malloc(64 * 1024);
        gsize len;

        memset(secret, 0x5e, 64 * 1024);
        g_assert(g_file_get_contents(dump, &data, &len, NULL));
        g_assert_nonnull(memmem(data, len, secret, 64 * 1024));
    }
    unlink(dump);
    vm_free(vm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tpm-mor/system-reset", test_system_reset);
    g_test_add_func("/tpm-mor/clear-bit-unset", test_mor_clear_bit_unset);
    g_test_add_func("/tpm-mor/guest-reset-and-repeat",
                    test_guest_reset_and_repeat);
    g_test_add_func("/tpm-mor/memfd-ram", test_memfd_ram);
    g_test_add_func("/tpm-mor/nonvolatile-ram", test_nonvolatile_ram);
    g_test_add_func("/tpm-mor/prealloc-ram", test_prealloc_ram);
    g_test_add_data_func("/tpm-mor/dev-zero-ram/shared", "on",
                         test_dev_zero_ram);
    g_test_add_data_func("/tpm-mor/dev-zero-ram/private", "off",
                         test_dev_zero_ram);
    return g_test_run();
}
