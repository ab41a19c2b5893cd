/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmcoreinfo.h: QEMU's -device vmcoreinfo: the fw_cfg file
 * "etc/vmcoreinfo" through which the guest says where its VMCOREINFO ELF
 * note is, so that dump-guest-memory can copy it into the dump.
 */
#ifndef HW_MISC_VMCOREINFO_H
#define HW_MISC_VMCOREINFO_H

#include <stdint.h>

#define TYPE_VMCOREINFO "vmcoreinfo"

/** vmcoreinfo_register_types: TYPE_VMCOREINFO. */
void vmcoreinfo_register_types(void);

/**
 * vmcoreinfo_guest_note: where the guest's note is, as it last wrote the
 * whole FWCfgVMCoreInfo with a format other than NONE (QEMU's
 * has_vmcoreinfo); the values are the guest's, unchecked (the dump
 * validates them: dump_guest_note_load()).
 * Returns: false if there is no vmcoreinfo device, or the guest has not
 * published a note since the last reset.
 */
bool vmcoreinfo_guest_note(uint16_t *format, uint32_t *size,
                           uint64_t *paddr);

/**
 * vmcoreinfo_present: a vmcoreinfo device exists (the dump then warns
 * when the guest gave no note, as QEMU does).
 */
bool vmcoreinfo_present(void);

#endif /* HW_MISC_VMCOREINFO_H */
