/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-test-machine.c: the test machine of dump-test-machine.h.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "exec/ramblock.h"
#include "qemu/error.h"
#include "dump-test-machine.h"

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
};

uint64_t tm_reg(unsigned cpu, unsigned r)
{
    return 0x1000000000000000ULL * (cpu + 1) + 0x1111 * (r + 1);
}

static void tm_cpu_init(CPUState *cpu, unsigned index)
{
    CPUX86State *env = &cpu->env;

    memset(cpu, 0, sizeof(*cpu));
    cpu->cpu_index = index;
    x86_cpu_reset_state(env);
    for (unsigned r = 0; r < CPU_NB_REGS; r++) {
        env->regs[r] = tm_reg(index, r);
    }
    env->eip = tm_reg(index, 100);
    env->eflags = 0x246;
    for (unsigned s = 0; s < SEG_NB; s++) {
        env->segs[s].selector = 0x10 + 8 * s;
        env->segs[s].base = tm_reg(index, 200 + s);
    }
    env->cr[3] = 0x1000;
    env->kernelgsbase = tm_reg(index, 300);
}

void tm_init(TestMachine *tm, uint64_t ram_size, uint64_t vmem_size,
             uint64_t gran, unsigned flags, unsigned ncpus)
{
    uint8_t *bios;

    memset(tm, 0, sizeof(*tm));
    tm->ram_size = ram_size;
    tm->vmem_size = vmem_size;
    tm->vmem_fd = -1;
    memory_region_init(&tm->root, NULL, "root", UINT64_MAX);
    address_space_init(&tm->as, &tm->root, "test");

    g_assert(memory_region_init_ram(&tm->ram, NULL, "ram", ram_size,
                                    &error_abort));
    memory_region_add_subregion(&tm->root, 0, &tm->ram);
    memory_region_init_io(&tm->mmio, NULL, &mmio_ops, NULL, "mmio", 4096);
    memory_region_add_subregion(&tm->root, TM_MMIO_BASE, &tm->mmio);
    tm->ppi_buf = g_malloc(TM_PPI_SIZE);
    memset(tm->ppi_buf, 0xee, TM_PPI_SIZE);
    memory_region_init_ram_device_ptr(&tm->ppi, NULL, "ppi", TM_PPI_SIZE,
                                      tm->ppi_buf);
    memory_region_add_subregion(&tm->root, TM_PPI_BASE, &tm->ppi);
    if (!(flags & TM_NO_BIOS)) {
        g_assert(memory_region_init_rom(&tm->bios, NULL, "bios",
                                        TM_BIOS_SIZE, &error_abort));
        bios = memory_region_get_ram_ptr(&tm->bios);
        for (uint64_t i = 0; i < TM_BIOS_SIZE; i++) {
            bios[i] = 0x5a ^ (i >> 8);
        }
        memory_region_add_subregion(&tm->root, TM_BIOS_BASE, &tm->bios);
        tm->has_bios = true;
    }

    if (vmem_size) {
        tm->vmem_fd = memfd_create("vmem", MFD_CLOEXEC);
        g_assert_cmpint(tm->vmem_fd, >=, 0);
        g_assert_cmpint(ftruncate(tm->vmem_fd, vmem_size), ==, 0);
        g_assert(memory_region_init_ram_from_fd(&tm->vmem, NULL, "vmem",
                                                vmem_size, RAM_SHARED,
                                                dup(tm->vmem_fd), 0,
                                                &error_abort));
        fake_rdm_attach(&tm->rdm, &tm->vmem, gran);
        memory_region_add_subregion(&tm->root, TM_VMEM_BASE, &tm->vmem);
        tm->has_vmem = true;
    }
    if (flags & TM_PMEM) {
        g_assert(memory_region_init_ram(&tm->pmem, NULL, "pmem",
                                        TM_PMEM_SIZE, &error_abort));
        memory_region_set_nonvolatile(&tm->pmem, true);
        memset(memory_region_get_ram_ptr(&tm->pmem), 0x77, TM_PMEM_SIZE);
        memory_region_add_subregion(&tm->root, TM_PMEM_BASE, &tm->pmem);
        tm->has_pmem = true;
    }
    g_assert(ncpus <= TM_MAX_CPUS);
    tm->ncpus = ncpus;
    for (unsigned i = 0; i < ncpus; i++) {
        tm_cpu_init(&tm->cpu_store[i], i);
        tm->cpus[i] = &tm->cpu_store[i];
    }
}

void tm_fini(TestMachine *tm)
{
    memory_region_del_subregion(&tm->root, &tm->ram);
    memory_region_del_subregion(&tm->root, &tm->mmio);
    memory_region_del_subregion(&tm->root, &tm->ppi);
    memory_region_destroy(&tm->ram);
    memory_region_destroy(&tm->mmio);
    memory_region_destroy(&tm->ppi);
    if (tm->has_bios) {
        memory_region_del_subregion(&tm->root, &tm->bios);
        memory_region_destroy(&tm->bios);
    }
    if (tm->has_vmem) {
        memory_region_del_subregion(&tm->root, &tm->vmem);
        fake_rdm_detach(&tm->rdm);
        memory_region_destroy(&tm->vmem);
        close(tm->vmem_fd);
    }
    if (tm->has_pmem) {
        memory_region_del_subregion(&tm->root, &tm->pmem);
        memory_region_destroy(&tm->pmem);
    }
    g_free(tm->ppi_buf);
    address_space_destroy(&tm->as);
    memory_region_destroy(&tm->root);
}

uint8_t *tm_host(TestMachine *tm, hwaddr gpa)
{
    if (gpa < tm->ram_size) {
        return (uint8_t *)memory_region_get_ram_ptr(&tm->ram) + gpa;
    }
    if (tm->has_bios && gpa >= TM_BIOS_BASE &&
        gpa < TM_BIOS_BASE + TM_BIOS_SIZE) {
        return (uint8_t *)memory_region_get_ram_ptr(&tm->bios) +
               (gpa - TM_BIOS_BASE);
    }
    g_assert(tm->has_vmem && gpa >= TM_VMEM_BASE &&
             gpa < TM_VMEM_BASE + tm->vmem_size);
    return (uint8_t *)memory_region_get_ram_ptr(&tm->vmem) +
           (gpa - TM_VMEM_BASE);
}

void tm_read(TestMachine *tm, hwaddr gpa, void *buf, size_t len)
{
    if (tm->has_vmem && gpa >= TM_VMEM_BASE) {
        g_assert_cmpint(pread(tm->vmem_fd, buf, len, gpa - TM_VMEM_BASE),
                        ==, len);
    } else {
        memcpy(buf, tm_host(tm, gpa), len);
    }
}

uint64_t tm_fd_allocated(TestMachine *tm)
{
    struct stat st;

    g_assert_cmpint(fstat(tm->vmem_fd, &st), ==, 0);
    return st.st_blocks * 512;
}

bool tm_dump_to_file(const DumpEncoder *enc, const DumpRequest *cfg,
                     const char *path, uint64_t *file_size, char **msg)
{
    Error *err = NULL;
    DumpDest d;
    DumpSink *sink;
    DumpJob job;
    bool ok;

    g_assert_true(dump_dest_open_file(&d, path, &error_abort));
    sink = dump_fd_sink_new(d.fd);
    g_assert_true(dump_job_prepare(&job, enc, cfg, sink, &error_abort));
    if (file_size) {
        *file_size = job.file_size;
    }
    ok = dump_job_write(&job, &err);
    dump_job_cleanup(&job);
    dump_sink_free(sink);
    if (ok) {
        ok = dump_dest_commit(&d, &err);
    } else {
        dump_dest_abort(&d);
    }
    *msg = ok ? NULL : g_strdup(error_get_pretty(err));
    error_free(err);
    return ok;
}
