/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mmio.c: the test-side virtio-mmio driver (see virtio-mmio.h):
 * slot discovery, status and feature negotiation, configuration reads,
 * the interrupt.  Only qtest reads and writes of the transport window.
 */
#include "libqos/virtio-mmio.h"

int qvirtio_mmio_find_slot(QTestState *qts, uint32_t device_id, int nth)
{
    for (int slot = 0; slot < QVIRTIO_MMIO_SLOTS; slot++) {
        uint64_t base = QVIRTIO_MMIO_BASE + (uint64_t)slot * QVIRTIO_MMIO_SIZE;

        if (qtest_readl(qts, base + VIRTIO_MMIO_MAGIC_VALUE) !=
            VIRTIO_MMIO_MAGIC ||
            qtest_readl(qts, base + VIRTIO_MMIO_VERSION) !=
            VIRTIO_MMIO_VERSION_MODERN ||
            qtest_readl(qts, base + VIRTIO_MMIO_DEVICE_ID) != device_id) {
            continue;
        }
        if (nth-- == 0) {
            return slot;
        }
    }
    return -1;
}

QVirtioMMIODevice *qvirtio_mmio_new(QTestState *qts, int slot)
{
    QVirtioMMIODevice *d = g_new0(QVirtioMMIODevice, 1);

    g_assert_cmpint(slot, >=, 0);
    g_assert_cmpint(slot, <, QVIRTIO_MMIO_SLOTS);
    d->qts = qts;
    d->slot = slot;
    d->base = QVIRTIO_MMIO_BASE + (uint64_t)slot * QVIRTIO_MMIO_SIZE;
    d->irq = QVIRTIO_MMIO_IRQ_BASE + slot;
    g_assert_cmphex(qvirtio_mmio_readl(d, VIRTIO_MMIO_MAGIC_VALUE), ==,
                    VIRTIO_MMIO_MAGIC);
    d->device_id = qvirtio_mmio_readl(d, VIRTIO_MMIO_DEVICE_ID);
    return d;
}

uint32_t qvirtio_mmio_readl(QVirtioMMIODevice *d, uint32_t off)
{
    return qtest_readl(d->qts, d->base + off);
}

void qvirtio_mmio_writel(QVirtioMMIODevice *d, uint32_t off, uint32_t val)
{
    qtest_writel(d->qts, d->base + off, val);
}

uint8_t qvirtio_get_status(QVirtioMMIODevice *d)
{
    return qvirtio_mmio_readl(d, VIRTIO_MMIO_STATUS);
}

void qvirtio_set_status(QVirtioMMIODevice *d, uint8_t status)
{
    qvirtio_mmio_writel(d, VIRTIO_MMIO_STATUS, status);
}

void qvirtio_reset(QVirtioMMIODevice *d)
{
    qvirtio_set_status(d, 0);
    g_assert_cmpuint(qvirtio_get_status(d), ==, 0);
    d->features = 0;
}

uint64_t qvirtio_get_device_features(QVirtioMMIODevice *d)
{
    uint64_t f;

    qvirtio_mmio_writel(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    f = qvirtio_mmio_readl(d, VIRTIO_MMIO_DEVICE_FEATURES);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    return f | (uint64_t)qvirtio_mmio_readl(d, VIRTIO_MMIO_DEVICE_FEATURES)
               << 32;
}

void qvirtio_set_driver_features(QVirtioMMIODevice *d, uint64_t features)
{
    qvirtio_mmio_writel(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    qvirtio_mmio_writel(d, VIRTIO_MMIO_DRIVER_FEATURES, features >> 32);
}

bool qvirtio_negotiate_exact(QVirtioMMIODevice *d, uint64_t features)
{
    const uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    qvirtio_reset(d);
    qvirtio_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    qvirtio_set_status(d, s);
    qvirtio_set_driver_features(d, features);
    qvirtio_set_status(d, s | VIRTIO_CONFIG_S_FEATURES_OK);
    if (!(qvirtio_get_status(d) & VIRTIO_CONFIG_S_FEATURES_OK)) {
        return false;
    }
    d->features = features;
    return true;
}

bool qvirtio_negotiate(QVirtioMMIODevice *d, uint64_t wanted)
{
    qvirtio_reset(d);
    return qvirtio_negotiate_exact(d, qvirtio_get_device_features(d) &
                                      wanted);
}

void qvirtio_driver_ok(QVirtioMMIODevice *d)
{
    qvirtio_set_status(d, qvirtio_get_status(d) | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_true(qvirtio_get_status(d) & VIRTIO_CONFIG_S_DRIVER_OK);
}

bool qvirtio_needs_reset(QVirtioMMIODevice *d)
{
    return qvirtio_get_status(d) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

uint32_t qvirtio_isr(QVirtioMMIODevice *d)
{
    return qvirtio_mmio_readl(d, VIRTIO_MMIO_INTERRUPT_STATUS);
}

void qvirtio_isr_ack(QVirtioMMIODevice *d, uint32_t bits)
{
    qvirtio_mmio_writel(d, VIRTIO_MMIO_INTERRUPT_ACK, bits);
}

bool qvirtio_irq_raised(QVirtioMMIODevice *d)
{
    return qtest_get_irq(d->qts, d->irq);
}

uint32_t qvirtio_config_generation(QVirtioMMIODevice *d)
{
    return qvirtio_mmio_readl(d, VIRTIO_MMIO_CONFIG_GENERATION);
}

uint8_t qvirtio_config_read8(QVirtioMMIODevice *d, uint32_t off)
{
    return qtest_readb(d->qts, d->base + VIRTIO_MMIO_CONFIG + off);
}

uint16_t qvirtio_config_read16(QVirtioMMIODevice *d, uint32_t off)
{
    return qtest_readw(d->qts, d->base + VIRTIO_MMIO_CONFIG + off);
}

uint32_t qvirtio_config_read32(QVirtioMMIODevice *d, uint32_t off)
{
    return qtest_readl(d->qts, d->base + VIRTIO_MMIO_CONFIG + off);
}

uint64_t qvirtio_config_read64(QVirtioMMIODevice *d, uint32_t off)
{
    uint32_t gen, lo, hi;

    do {
        gen = qvirtio_config_generation(d);
        lo = qvirtio_config_read32(d, off);
        hi = qvirtio_config_read32(d, off + 4);
    } while (gen != qvirtio_config_generation(d));
    return (uint64_t)hi << 32 | lo;
}
