/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-hooks-on.c: linked into sparsevm-test only: devices offer their
 * test hooks (virtio-mem's x-inject-* properties).  See
 * include/hw/test-hooks.h.
 */
#include "qemu/osdep.h"
#include "hw/test-hooks.h"

bool qdev_test_hooks_enabled(void)
{
    return true;
}
