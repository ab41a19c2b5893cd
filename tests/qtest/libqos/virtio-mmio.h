/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-mmio.h: a test-side driver for virtio-mmio (version 2)
 * transports on the microvm machine, speaking only the qtest protocol:
 * find a device by scanning the slots for the magic value and a device
 * ID, reset it, negotiate features, read its configuration space, watch
 * and acknowledge its interrupt.  Queues are in virtqueue.h.
 *
 * Typical use:
 *     int slot = qvirtio_mmio_find_slot(qts, VIRTIO_ID_MEM, 0);
 *     QVirtioMMIODevice *d = qvirtio_mmio_new(qts, slot);
 *     g_assert_true(qvirtio_negotiate(d, wanted_features));
 *     ... qvirtqueue_setup(d, alloc, 0, 128) ...
 *     qvirtio_driver_ok(d);
 *
 * The interrupt line of slot N is input 5 + N of the I/O APIC: after
 * qtest_irq_intercept_in(qts, "ioapic"), qvirtio_irq_raised() tells
 * whether the transport holds it high.
 *
 * Accesses follow the specification (32-bit registers, configuration
 * fields read at their own width); tests of bad drivers use
 * qvirtio_mmio_writel() / qtest_* directly.
 */
#ifndef LIBQOS_VIRTIO_MMIO_H
#define LIBQOS_VIRTIO_MMIO_H

#include "libqtest.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_ids.h"
#include "standard-headers/linux/virtio_mmio.h"

/* The microvm board's transports (facts of the machine, as documented in
 * its device tree). */
#define QVIRTIO_MMIO_BASE       0xfeb00000ULL
#define QVIRTIO_MMIO_SIZE       0x200
#define QVIRTIO_MMIO_SLOTS      24
#define QVIRTIO_MMIO_IRQ_BASE   5

/**
 * struct QVirtioMMIODevice
 * @qts: the VM.
 * @slot: transport index; @base its address; @irq its I/O APIC input.
 * @device_id: what DeviceID read when the device was found.
 * @features: the features negotiated by qvirtio_negotiate() (0 before).
 */
typedef struct QVirtioMMIODevice {
    QTestState *qts;
    int slot;
    uint64_t base;
    int irq;
    uint32_t device_id;
    uint64_t features;
} QVirtioMMIODevice;

/**
 * qvirtio_mmio_find_slot: the slot of the @nth (0-based) transport whose
 * MagicValue is "virt", Version 2 and DeviceID @device_id (0 finds empty
 * transports).
 * Returns: the slot, or -1.
 */
int qvirtio_mmio_find_slot(QTestState *qts, uint32_t device_id, int nth);

/** qvirtio_mmio_new: a driver for slot @slot; free with g_free(). */
QVirtioMMIODevice *qvirtio_mmio_new(QTestState *qts, int slot);

/** qvirtio_mmio_readl / _writel: register @off of the transport. */
uint32_t qvirtio_mmio_readl(QVirtioMMIODevice *d, uint32_t off);
void qvirtio_mmio_writel(QVirtioMMIODevice *d, uint32_t off, uint32_t val);

/** qvirtio_reset: Status = 0; checks it reads back 0. */
void qvirtio_reset(QVirtioMMIODevice *d);
uint8_t qvirtio_get_status(QVirtioMMIODevice *d);
/** qvirtio_set_status: write Status (the caller ORs in the old bits). */
void qvirtio_set_status(QVirtioMMIODevice *d, uint8_t status);

/** qvirtio_get_device_features: both 32-bit banks of DeviceFeatures. */
uint64_t qvirtio_get_device_features(QVirtioMMIODevice *d);
/** qvirtio_set_driver_features: both banks of DriverFeatures. */
void qvirtio_set_driver_features(QVirtioMMIODevice *d, uint64_t features);

/**
 * qvirtio_negotiate: reset, ACKNOWLEDGE, DRIVER, accept the offered
 * features that are in @wanted, set FEATURES_OK.  @d->features is set to
 * what was accepted.
 * Returns: whether the device kept FEATURES_OK.
 */
bool qvirtio_negotiate(QVirtioMMIODevice *d, uint64_t wanted);
/**
 * qvirtio_negotiate_exact: the same, accepting exactly @features (which
 * may include bits not offered: for tests of refusal).
 */
bool qvirtio_negotiate_exact(QVirtioMMIODevice *d, uint64_t features);
/** qvirtio_driver_ok: set DRIVER_OK (after queue set-up). */
void qvirtio_driver_ok(QVirtioMMIODevice *d);
/** qvirtio_needs_reset: DEVICE_NEEDS_RESET is set. */
bool qvirtio_needs_reset(QVirtioMMIODevice *d);

/** qvirtio_isr / qvirtio_isr_ack: InterruptStatus / InterruptACK. */
uint32_t qvirtio_isr(QVirtioMMIODevice *d);
void qvirtio_isr_ack(QVirtioMMIODevice *d, uint32_t bits);
/**
 * qvirtio_irq_raised: the I/O APIC input of the slot is high (needs
 * qtest_irq_intercept_in(qts, "ioapic") once per VM).
 */
bool qvirtio_irq_raised(QVirtioMMIODevice *d);

/** qvirtio_config_generation: ConfigGeneration. */
uint32_t qvirtio_config_generation(QVirtioMMIODevice *d);
/**
 * qvirtio_config_read8 / 16 / 32 / 64: a configuration field at @off,
 * read at its width (64-bit fields as two 32-bit halves, retried until
 * ConfigGeneration is the same before and after).
 */
uint8_t qvirtio_config_read8(QVirtioMMIODevice *d, uint32_t off);
uint16_t qvirtio_config_read16(QVirtioMMIODevice *d, uint32_t off);
uint32_t qvirtio_config_read32(QVirtioMMIODevice *d, uint32_t off);
uint64_t qvirtio_config_read64(QVirtioMMIODevice *d, uint32_t off);

#endif /* LIBQOS_VIRTIO_MMIO_H */
