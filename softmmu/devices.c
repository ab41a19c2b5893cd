/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices.c: the list of optional subsystems wired into the program (see
 * include/sysemu/sysemu.h).  Each later subsystem (virtio-mem, dump, TPM)
 * adds its registration call here.
 */
#include "qemu/osdep.h"
#include "hw/tpm/tpm_crb.h"
#include "hw/virtio/virtio-mem.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio.h"
#include "qapi/qapi-commands.h"
#include "qemu/error.h"
#include "sysemu/dump.h"
#include "sysemu/sysemu.h"
#include "sysemu/tpm_backend.h"

void sysemu_register_device_types(void)
{
    tpm_crb_register_types();
    virtio_register_types();
    virtio_mmio_register_types();
    virtio_mem_register_types();
}

void sysemu_register_commands(void)
{
    tpm_backend_register_commands();
    dump_register_commands();
}

bool sysemu_tpmdev_add(const char *optarg, Error **errp)
{
    if (!strcmp(optarg, "help")) {
        tpm_backend_help();
        exit(0);
    }
    return tpm_backend_add_opts(optarg, errp);
}

void sysemu_cleanup(void)
{
    tpm_backend_cleanup();
    dump_cleanup_at_exit();
}

static char **vm_name_ptr;

static NameInfo *qmp_query_name(Error **errp)
{
    NameInfo *info = g_new0(NameInfo, 1);

    info->name = g_strdup(*vm_name_ptr);
    return info;
}

void vl_register_commands(char **name)
{
    vm_name_ptr = name;
    qmp_register_query_name(qmp_query_name);
}
