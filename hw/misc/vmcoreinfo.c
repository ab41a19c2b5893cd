/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmcoreinfo.c: QEMU's vmcoreinfo device.  It adds the writable fw_cfg
 * file "etc/vmcoreinfo" holding a FWCfgVMCoreInfo (16 bytes,
 * little-endian): the host sets host_format to ELF at reset; a guest
 * (Linux's qemu_fw_cfg driver) writes the whole structure with DMA,
 * naming the format, size and guest-physical address of its VMCOREINFO
 * ELF note.  dump-guest-memory asks vmcoreinfo_guest_note() and copies
 * the note into the dump (dump/dump-notes.c validates it).
 *
 * As in QEMU: at most one instance; it needs a machine with a fw_cfg
 * device with DMA; a write counts only if it covers the whole structure
 * at offset 0 and names a format other than NONE; reset forgets it.
 */
#include "qemu/osdep.h"
#include "hw/misc/vmcoreinfo.h"
#include "hw/nvram/fw_cfg.h"
#include "qemu/error.h"
#include "standard-headers/linux/qemu_fw_cfg.h"

typedef struct VMCoreInfoState {
    DeviceState parent_obj;
    FWCfgState *fw_cfg;         /* borrowed: the machine's */
    bool has_vmcoreinfo;        /* the guest wrote a valid structure */
    struct fw_cfg_vmcoreinfo vmcoreinfo;   /* the file's bytes */
} VMCoreInfoState;

_Static_assert(sizeof(struct fw_cfg_vmcoreinfo) == 16, "FWCfgVMCoreInfo");

#define VMCOREINFO(obj) \
    ((VMCoreInfoState *)object_dynamic_cast_assert(OBJECT(obj), \
                                                   TYPE_VMCOREINFO))

static int vmcoreinfo_match(Object *obj, void *opaque)
{
    if (object_dynamic_cast(obj, TYPE_VMCOREINFO) && DEVICE(obj)->realized) {
        *(Object **)opaque = obj;
        return 1;
    }
    return 0;
}

/* the realized instance, or NULL */
static VMCoreInfoState *vmcoreinfo_find(void)
{
    Object *found = NULL;

    object_child_foreach_recursive(object_get_root(), vmcoreinfo_match,
                                   &found);
    return found ? VMCOREINFO(found) : NULL;
}

static void vmcoreinfo_write(void *opaque, off_t offset, size_t len)
{
    VMCoreInfoState *s = opaque;

    s->has_vmcoreinfo = offset == 0 && len == sizeof(s->vmcoreinfo) &&
        GUINT16_FROM_LE(s->vmcoreinfo.guest_format) !=
        FW_CFG_VMCOREINFO_FORMAT_NONE;
}

static void vmcoreinfo_reset(DeviceState *dev)
{
    VMCoreInfoState *s = VMCOREINFO(dev);

    s->has_vmcoreinfo = false;
    memset(&s->vmcoreinfo, 0, sizeof(s->vmcoreinfo));
    s->vmcoreinfo.host_format = GUINT16_TO_LE(FW_CFG_VMCOREINFO_FORMAT_ELF);
}

static int vmcoreinfo_find_other(Object *obj, void *opaque)
{
    return obj != opaque && object_dynamic_cast(obj, TYPE_VMCOREINFO) &&
           DEVICE(obj)->realized;
}

static bool vmcoreinfo_realize(DeviceState *dev, Error **errp)
{
    VMCoreInfoState *s = VMCOREINFO(dev);
    FWCfgState *fw_cfg = fw_cfg_find();

    /* QEMU's messages */
    if (object_child_foreach_recursive(object_get_root(),
                                       vmcoreinfo_find_other, s)) {
        error_setg(errp, "at most one %s device is permitted",
                   TYPE_VMCOREINFO);
        return false;
    }
    if (!fw_cfg || !fw_cfg_dma_enabled(fw_cfg)) {
        error_setg(errp, "%s device requires fw_cfg with DMA",
                   TYPE_VMCOREINFO);
        return false;
    }
    vmcoreinfo_reset(dev);
    if (!fw_cfg_add_file_callback(fw_cfg, FW_CFG_VMCOREINFO_FILENAME,
                                  vmcoreinfo_write, s, &s->vmcoreinfo,
                                  sizeof(s->vmcoreinfo), false, errp)) {
        return false;
    }
    s->fw_cfg = fw_cfg;
    return true;
}

static void vmcoreinfo_unrealize(DeviceState *dev)
{
    VMCoreInfoState *s = VMCOREINFO(dev);

    if (s->fw_cfg) {
        fw_cfg_remove_file(s->fw_cfg, FW_CFG_VMCOREINFO_FILENAME);
        s->fw_cfg = NULL;
    }
}

bool vmcoreinfo_present(void)
{
    return vmcoreinfo_find() != NULL;
}

bool vmcoreinfo_guest_note(uint16_t *format, uint32_t *size,
                           uint64_t *paddr)
{
    VMCoreInfoState *s = vmcoreinfo_find();

    if (!s || !s->has_vmcoreinfo) {
        return false;
    }
    *format = GUINT16_FROM_LE(s->vmcoreinfo.guest_format);
    *size = GUINT32_FROM_LE(s->vmcoreinfo.size);
    *paddr = GUINT64_FROM_LE(s->vmcoreinfo.paddr);
    return true;
}

static void vmcoreinfo_class_init(ObjectClass *klass)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = vmcoreinfo_realize;
    dc->unrealize = vmcoreinfo_unrealize;
    dc->reset = vmcoreinfo_reset;
    dc->desc = "Enable vmcoreinfo ELF note in dumps (fw_cfg etc/vmcoreinfo)";
    dc->user_creatable = true;
}

void vmcoreinfo_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_VMCOREINFO,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(VMCoreInfoState),
        .class_init = vmcoreinfo_class_init,
    };

    type_register_static(&info);
}
