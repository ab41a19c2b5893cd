/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-hooks.h: whether this program is a test build.
 *
 * Devices offer fault-injection hooks (virtio-mem's x-inject-* properties)
 * only in the test build of the VMM, sparsevm-test, which the qtests that
 * use them run; the production sparsevm does not have them, so nothing a
 * management tool or a script sends can make a device fail on purpose.
 */
#ifndef HW_TEST_HOOKS_H
#define HW_TEST_HOOKS_H

/**
 * qdev_test_hooks_enabled: devices should offer their test hooks.
 * Implemented twice: weakly as false in hw/core/test-hooks.c (the
 * production binary, unit tests), and as true in
 * tests/qtest/test-hooks-on.c, linked only into sparsevm-test.
 */
bool qdev_test_hooks_enabled(void);

#endif /* HW_TEST_HOOKS_H */
