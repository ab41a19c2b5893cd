/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_ppi.c: the TPM Physical Presence Interface buffer (layout in
 * include/hw/tpm/tpm_ppi.h).  The buffer is plain memory the guest and
 * firmware read and write; the VMM reads only its MOR byte.
 */
#include "qemu/osdep.h"
#include "hw/tpm/tpm_ppi.h"

void tpm_ppi_init(TPMPPI *ppi, MemoryRegion *container, AddressSpace *as,
                  hwaddr addr, Object *owner)
{
    size_t page = qemu_real_host_page_size();
    size_t size = ROUND_UP(TPM_PPI_ADDR_SIZE, page);
    void *buf;

    /* Page aligned, as QEMU allocates it: the region may be mapped. */
    if (posix_memalign(&buf, page, size)) {
        g_error("tpm-ppi: cannot allocate %zu bytes", size);
    }
    memset(buf, 0, size);
    ppi->buf = buf;
    ppi->as = as;
    memory_region_init_ram_device_ptr(&ppi->ram, owner, "tpm-ppi",
                                      TPM_PPI_ADDR_SIZE, ppi->buf);
    memory_region_add_subregion(container, addr, &ppi->ram);
    ppi->mapped_in = container;
}

void tpm_ppi_uninit(TPMPPI *ppi)
{
    if (ppi->mapped_in) {
        memory_region_del_subregion(ppi->mapped_in, &ppi->ram);
        ppi->mapped_in = NULL;
    }
    memory_region_destroy(&ppi->ram);
    free(ppi->buf);
    ppi->buf = NULL;
}
