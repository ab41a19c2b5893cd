/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm-dt.c: the flattened device tree of a microvm machine, built
 * with libfdt's sequential writer (`-machine microvm,dumpdtb=FILE` and
 * QMP `dumpdtb`).
 *
 *   / {
 *       compatible = "sparsevm,microvm"; #address-cells = <2>; #size-cells = <2>;
 *       chosen { };
 *       cpus { cpu@N { device_type = "cpu"; reg = <N>; }; };
 *       memory@0 { device_type = "memory"; reg = <RAM below 4 GiB>; };
 *       memory@100000000 { device_type = "memory"; reg = <RAM above 4 GiB>; };
 *       device-memory@BASE { compatible = "sparsevm,device-memory"; reg = <...>; };
 *       ioapic@fec00000 { interrupt-controller; #interrupt-cells = <2>; phandle; };
 *       virtio_mmio@feb00000 { compatible = "virtio,mmio"; reg; interrupts = <5 0>; };
 *   };
 *
 * Only slots a device occupies get a virtio_mmio node.  The device-memory
 * node has no standard binding: it tells tools where virtio-mem regions
 * may appear (each device reports its own region in its config space).
 */
#include "qemu/osdep.h"
#include <libfdt.h>
#include "hw/i386/microvm.h"
#include "hw/intc/ioapic.h"
#include "hw/virtio/virtio-mmio.h"
#include "qemu/error.h"

#define FDT_IOAPIC_PHANDLE 1
#define FDT_INITIAL_SIZE (64 * 1024)

/* One "reg" of two address and two size cells. */
static int fdt_reg64(void *fdt, uint64_t addr, uint64_t size)
{
    fdt64_t reg[2] = { cpu_to_fdt64(addr), cpu_to_fdt64(size) };

    return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int fdt_build(void *fdt, size_t bufsize, MachineState *ms)
{
    char name[64];
    int err = 0;

#define CHECK(expr) do { if ((err = (expr)) < 0) { return err; } } while (0)
    CHECK(fdt_create(fdt, bufsize));
    CHECK(fdt_finish_reservemap(fdt));
    CHECK(fdt_begin_node(fdt, ""));
    CHECK(fdt_property_string(fdt, "compatible", "sparsevm,microvm"));
    CHECK(fdt_property_string(fdt, "model", "sparsevm microvm (x86_64)"));
    CHECK(fdt_property_u32(fdt, "#address-cells", 2));
    CHECK(fdt_property_u32(fdt, "#size-cells", 2));

    CHECK(fdt_begin_node(fdt, "chosen"));
    CHECK(fdt_end_node(fdt));

    CHECK(fdt_begin_node(fdt, "cpus"));
    CHECK(fdt_property_u32(fdt, "#address-cells", 1));
    CHECK(fdt_property_u32(fdt, "#size-cells", 0));
    for (unsigned i = 0; i < ms->smp_cpus; i++) {
        snprintf(name, sizeof(name), "cpu@%u", i);
        CHECK(fdt_begin_node(fdt, name));
        CHECK(fdt_property_string(fdt, "device_type", "cpu"));
        CHECK(fdt_property_u32(fdt, "reg", i));
        CHECK(fdt_end_node(fdt));
    }
    CHECK(fdt_end_node(fdt));

    CHECK(fdt_begin_node(fdt, "memory@0"));
    CHECK(fdt_property_string(fdt, "device_type", "memory"));
    CHECK(fdt_reg64(fdt, 0, ms->below_4g_mem_size));
    CHECK(fdt_end_node(fdt));
    if (ms->above_4g_mem_size) {
        snprintf(name, sizeof(name), "memory@%" PRIx64, MICROVM_4G);
        CHECK(fdt_begin_node(fdt, name));
        CHECK(fdt_property_string(fdt, "device_type", "memory"));
        CHECK(fdt_reg64(fdt, MICROVM_4G, ms->above_4g_mem_size));
        CHECK(fdt_end_node(fdt));
    }
    if (ms->device_memory) {
        snprintf(name, sizeof(name), "device-memory@%" PRIx64,
                 ms->device_memory->base);
        CHECK(fdt_begin_node(fdt, name));
        CHECK(fdt_property_string(fdt, "compatible",
                                  "sparsevm,device-memory"));
        CHECK(fdt_reg64(fdt, ms->device_memory->base,
                        ms->device_memory->size));
        CHECK(fdt_end_node(fdt));
    }

    snprintf(name, sizeof(name), "ioapic@%x", IOAPIC_DEFAULT_BASE_ADDRESS);
    CHECK(fdt_begin_node(fdt, name));
    CHECK(fdt_property_string(fdt, "compatible", "intel,ce4100-ioapic"));
    CHECK(fdt_property(fdt, "interrupt-controller", NULL, 0));
    CHECK(fdt_property_u32(fdt, "#interrupt-cells", 2));
    CHECK(fdt_reg64(fdt, IOAPIC_DEFAULT_BASE_ADDRESS, 0x1000));
    CHECK(fdt_property_u32(fdt, "phandle", FDT_IOAPIC_PHANDLE));
    CHECK(fdt_end_node(fdt));

    for (int i = 0; i < MICROVM_VIRTIO_MMIO_SLOTS; i++) {
        uint32_t irq[2] = {
            cpu_to_fdt32(MICROVM_VIRTIO_MMIO_IRQ_BASE + i), cpu_to_fdt32(0)
        };

        if (!virtio_mmio_bus_device(ms->virtio_mmio_bus, i)) {
            continue;
        }
        snprintf(name, sizeof(name), "virtio_mmio@%" PRIx64,
                 microvm_virtio_slot_base(i));
        CHECK(fdt_begin_node(fdt, name));
        CHECK(fdt_property_string(fdt, "compatible", "virtio,mmio"));
        CHECK(fdt_reg64(fdt, microvm_virtio_slot_base(i),
                        MICROVM_VIRTIO_MMIO_SIZE));
        CHECK(fdt_property(fdt, "interrupts", irq, sizeof(irq)));
        CHECK(fdt_property_u32(fdt, "interrupt-parent", FDT_IOAPIC_PHANDLE));
        CHECK(fdt_property(fdt, "dma-coherent", NULL, 0));
        CHECK(fdt_end_node(fdt));
    }
    CHECK(fdt_end_node(fdt));
    CHECK(fdt_finish(fdt));
#undef CHECK
    return err;
}

bool microvm_dumpdtb(MachineState *ms, const char *path, Error **errp)
{
    size_t size = FDT_INITIAL_SIZE;
    g_autofree void *fdt = NULL;
    g_autoptr(GError) gerr = NULL;
    struct stat st;
    int err;

    /* The sequential writer fails with -FDT_ERR_NOSPACE: grow and retry. */
    for (;;) {
        g_free(fdt);
        fdt = g_malloc0(size);
        err = fdt_build(fdt, size, ms);
        if (err != -FDT_ERR_NOSPACE) {
            break;
        }
        size *= 2;
    }
    if (err < 0) {
        error_setg(errp, "building the device tree failed: %s",
                   fdt_strerror(err));
        return false;
    }
    /*
     * An existing non-regular target (/dev/null, a FIFO, a tty) is
     * written in place: g_file_set_contents() renames a new file over
     * it, which as root would replace /dev/null with our DTB.
     */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        if (fd < 0 || qemu_write_full(fd, fdt, fdt_totalsize(fdt)) !=
                      fdt_totalsize(fdt)) {
            error_setg_errno(errp, errno, "Failed to dump DTB to '%s'",
                             path);
            if (fd >= 0) {
                close(fd);
            }
            return false;
        }
        close(fd);
        return true;
    }
    if (!g_file_set_contents(path, fdt, fdt_totalsize(fdt), &gerr)) {
        error_setg(errp, "Failed to dump DTB to '%s': %s", path,
                   gerr->message);
        return false;
    }
    return true;
}
