/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-hooks.c: the production answer to qdev_test_hooks_enabled() (see
 * include/hw/test-hooks.h): no test hooks.  Weak, so that the test build
 * of the VMM (sparsevm-test) overrides it with its own.
 */
#include "qemu/osdep.h"
#include "hw/test-hooks.h"

__attribute__((weak)) bool qdev_test_hooks_enabled(void)
{
    return false;
}
