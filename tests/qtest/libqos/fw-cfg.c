/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw-cfg.c: the test-side fw_cfg driver (see fw-cfg.h).  Speaks only the
 * qtest protocol and the fw_cfg wire ABI.
 */
#include <glib.h>
#include <string.h>
#include "libqos/fw-cfg.h"

#define NOTE_PAD(n) (((n) + 3) & ~(size_t)3)

void qfw_cfg_select(QTestState *qts, uint16_t key)
{
    qtest_outw(qts, FW_CFG_IO_BASE + FW_CFG_IO_CTL, key);
}

void qfw_cfg_read_data(QTestState *qts, void *buf, size_t len)
{
    uint8_t *p = buf;

    for (size_t i = 0; i < len; i++) {
        p[i] = qtest_inb(qts, FW_CFG_IO_BASE + FW_CFG_IO_DATA);
    }
}

uint32_t qfw_cfg_get_u32(QTestState *qts, uint16_t key)
{
    uint32_t v;

    qfw_cfg_select(qts, key);
    qfw_cfg_read_data(qts, &v, sizeof(v));
    return GUINT32_FROM_LE(v);
}

uint32_t qfw_cfg_dma_raw(QTestState *qts, uint64_t desc, uint32_t control,
                         uint32_t length, uint64_t address)
{
    struct fw_cfg_dma_access d = {
        .control = GUINT32_TO_BE(control),
        .length = GUINT32_TO_BE(length),
        .address = GUINT64_TO_BE(address),
    };
    uint32_t back;

    qtest_memwrite(qts, desc, &d, sizeof(d));
    /* the register is big-endian: as iowrite32be() does on x86 */
    qtest_outl(qts, FW_CFG_IO_BASE + FW_CFG_IO_DMA,
               GUINT32_SWAP_LE_BE((uint32_t)(desc >> 32)));
    qtest_outl(qts, FW_CFG_IO_BASE + FW_CFG_IO_DMA + 4,
               GUINT32_SWAP_LE_BE((uint32_t)desc));
    qtest_memread(qts, desc, &back, sizeof(back));
    return GUINT32_FROM_BE(back);
}

uint32_t qfw_cfg_dma(QTestState *qts, QGuestAllocator *alloc,
                     uint32_t control, void *buf, uint32_t len)
{
    uint64_t desc = guest_alloc(alloc, sizeof(struct fw_cfg_dma_access), 16);
    uint64_t data = len ? guest_alloc(alloc, len, 16) : 0;
    uint32_t ret;

    if (len && (control & FW_CFG_DMA_CTL_WRITE)) {
        qtest_memwrite(qts, data, buf, len);
    }
    ret = qfw_cfg_dma_raw(qts, desc, control, len, data);
    if (len && (control & FW_CFG_DMA_CTL_READ)) {
        qtest_memread(qts, data, buf, len);
    }
    guest_free(alloc, data);
    guest_free(alloc, desc);
    return ret;
}

bool qfw_cfg_find_file(QTestState *qts, const char *name, uint16_t *select,
                       uint32_t *size)
{
    uint32_t count;

    qfw_cfg_select(qts, FW_CFG_FILE_DIR);
    qfw_cfg_read_data(qts, &count, sizeof(count));
    count = GUINT32_FROM_BE(count);
    for (uint32_t i = 0; i < count; i++) {
        struct fw_cfg_file f;

        qfw_cfg_read_data(qts, &f, sizeof(f));
        if (!strncmp(f.name, name, sizeof(f.name))) {
            *select = GUINT16_FROM_BE(f.select);
            *size = GUINT32_FROM_BE(f.size);
            return true;
        }
    }
    return false;
}

uint64_t qvmcoreinfo_publish(QTestState *qts, QGuestAllocator *alloc,
                             const char *text)
{
    static const char name[] = "VMCOREINFO";
    size_t descsz = strlen(text);
    size_t size = 12 + NOTE_PAD(sizeof(name)) + NOTE_PAD(descsz);
    g_autofree uint8_t *note = g_malloc0(size);
    uint32_t hdr[3] = {
        GUINT32_TO_LE(sizeof(name)), GUINT32_TO_LE(descsz), 0,
    };
    struct fw_cfg_vmcoreinfo info = { 0 };
    uint64_t paddr;
    uint16_t sel;
    uint32_t fsize;

    memcpy(note, hdr, sizeof(hdr));
    memcpy(note + 12, name, sizeof(name));
    memcpy(note + 12 + NOTE_PAD(sizeof(name)), text, descsz);
    paddr = guest_alloc(alloc, size, 4096);
    qtest_memwrite(qts, paddr, note, size);

    g_assert_true(qfw_cfg_find_file(qts, FW_CFG_VMCOREINFO_FILENAME, &sel,
                                    &fsize));
    g_assert_cmpuint(fsize, ==, sizeof(info));
    /* the driver reads the file first: is ELF what the host takes? */
    g_assert_cmphex(qfw_cfg_dma(qts, alloc, FW_CFG_DMA_CTL_SELECT |
                                FW_CFG_DMA_CTL_READ | (uint32_t)sel << 16,
                                &info, sizeof(info)), ==, 0);
    g_assert_cmpuint(GUINT16_FROM_LE(info.host_format), ==,
                     FW_CFG_VMCOREINFO_FORMAT_ELF);
    info.host_format = 0;
    info.guest_format = GUINT16_TO_LE(FW_CFG_VMCOREINFO_FORMAT_ELF);
    info.size = GUINT32_TO_LE(size);
    info.paddr = GUINT64_TO_LE(paddr);
    g_assert_cmphex(qfw_cfg_dma(qts, alloc, FW_CFG_DMA_CTL_SELECT |
                                FW_CFG_DMA_CTL_WRITE | (uint32_t)sel << 16,
                                &info, sizeof(info)), ==, 0);
    return paddr;
}
