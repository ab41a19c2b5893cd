/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_crb.h: the TPM 2.0 Command Response Buffer (CRB) interface
 * (hw/tpm/tpm_crb.c), QEMU's device "tpm-crb".
 *
 * Register layout of locality 0 from the TCG PC Client Platform TPM
 * Profile (PTP) Specification, Family 2.0, Level 00, Revision 01.03 v22,
 * section 6.5.3 "CRB Interface" (the same offsets as QEMU's
 * include/hw/acpi/tpm.h).  Only locality 0 is implemented
 * (INTF_ID.CapLocality = 0), as in QEMU:
 *
 *   0xfed40000  +0x00 LOC_STATE    RO  tpmEstablished, locAssigned,
 *                                      activeLocality, tpmRegValidSts
 *               +0x08 LOC_CTRL     WO  requestAccess, relinquish, seize,
 *                                      resetEstablishmentBit
 *               +0x0c LOC_STS      RO  granted, beenSeized
 *               +0x30 INTF_ID      RO  interface type / capabilities
 *               +0x34 INTF_ID2     RO  vendor id / device id
 *               +0x38 CTRL_EXT     RO  0
 *               +0x40 CTRL_REQ     RW  cmdReady, goIdle
 *               +0x44 CTRL_STS     RO  tpmSts (fatal error), tpmIdle
 *               +0x48 CTRL_CANCEL  RW  1: cancel the command
 *               +0x4c CTRL_START   RW  1: start; reads 1 until done
 *               +0x50 INT_ENABLE, +0x54 INT_STS: no interrupts (0)
 *               +0x58 CMD_SIZE, +0x5c CMD_LADDR, +0x60 CMD_HADDR,
 *               +0x64 RSP_SIZE, +0x68 RSP_ADDR (64 bit): where the buffer is
 *               +0x80 .. +0xfff  command / response buffer (RAM)
 */
#ifndef HW_TPM_TPM_CRB_H
#define HW_TPM_TPM_CRB_H

#define TYPE_TPM_CRB                "tpm-crb"

#define TPM_CRB_ADDR_BASE           0xfed40000
#define TPM_CRB_ADDR_SIZE           0x1000

/* Register offsets (PTP 6.5.3.2 ff.). */
#define TPM_CRB_LOC_STATE           0x00
#define TPM_CRB_LOC_CTRL            0x08
#define TPM_CRB_LOC_STS             0x0c
#define TPM_CRB_INTF_ID             0x30
#define TPM_CRB_INTF_ID2            0x34
#define TPM_CRB_CTRL_EXT            0x38
#define TPM_CRB_CTRL_REQ            0x40
#define TPM_CRB_CTRL_STS            0x44
#define TPM_CRB_CTRL_CANCEL         0x48
#define TPM_CRB_CTRL_START          0x4c
#define TPM_CRB_INT_ENABLED         0x50
#define TPM_CRB_INT_STS             0x54
#define TPM_CRB_CTRL_CMD_SIZE       0x58
#define TPM_CRB_CTRL_CMD_LADDR      0x5c
#define TPM_CRB_CTRL_CMD_HADDR      0x60
#define TPM_CRB_CTRL_RSP_SIZE       0x64
#define TPM_CRB_CTRL_RSP_ADDR       0x68    /* 64 bit: LADDR, HADDR */
#define TPM_CRB_DATA_BUFFER         0x80

/* Register block size and the buffer that follows it. */
#define TPM_CRB_REGS_SIZE           TPM_CRB_DATA_BUFFER
#define TPM_CRB_CMD_BUFFER_SIZE     (TPM_CRB_ADDR_SIZE - TPM_CRB_DATA_BUFFER)

/* LOC_STATE */
#define TPM_CRB_LOC_STATE_ESTABLISHED       (1u << 0)
#define TPM_CRB_LOC_STATE_LOC_ASSIGNED      (1u << 1)
#define TPM_CRB_LOC_STATE_ACTIVE_LOC_SHIFT  2       /* 3 bits */
#define TPM_CRB_LOC_STATE_REG_VALID         (1u << 7)

/* LOC_CTRL (one request per write) */
#define TPM_CRB_LOC_CTRL_REQUEST_ACCESS     (1u << 0)
#define TPM_CRB_LOC_CTRL_RELINQUISH         (1u << 1)
#define TPM_CRB_LOC_CTRL_SEIZE              (1u << 2)
#define TPM_CRB_LOC_CTRL_RESET_ESTABLISHMENT (1u << 3)

/* LOC_STS */
#define TPM_CRB_LOC_STS_GRANTED             (1u << 0)
#define TPM_CRB_LOC_STS_BEEN_SEIZED         (1u << 1)

/* INTF_ID fields (PTP table "CRB Interface Identifier Register") */
#define TPM_CRB_INTF_TYPE_CRB_ACTIVE        (0x1u << 0)     /* bits 3:0 */
#define TPM_CRB_INTF_VERSION_CRB            (0x1u << 4)     /* bits 7:4 */
#define TPM_CRB_INTF_CAP_LOCALITY_0_ONLY    (0x0u << 8)
#define TPM_CRB_INTF_CAP_IDLE_FAST          (0x0u << 9)
#define TPM_CRB_INTF_CAP_XFER_SIZE_64       (0x3u << 11)    /* bits 12:11 */
#define TPM_CRB_INTF_CAP_FIFO_NOT_SUPPORTED (0x0u << 13)
#define TPM_CRB_INTF_CAP_CRB_SUPPORTED      (0x1u << 14)
#define TPM_CRB_INTF_IF_SELECTOR_CRB        (0x1u << 17)    /* bits 18:17 */
#define TPM_CRB_INTF_RID_SHIFT              24

/* INTF_ID2: the vendor id QEMU reports (IBM's PCI vendor id). */
#define TPM_CRB_INTF_ID2_VID_IBM            0x1014

/* CTRL_REQ */
#define TPM_CRB_CTRL_REQ_CMD_READY          (1u << 0)
#define TPM_CRB_CTRL_REQ_GO_IDLE            (1u << 1)

/* CTRL_STS */
#define TPM_CRB_CTRL_STS_TPM_STS            (1u << 0)   /* fatal error */
#define TPM_CRB_CTRL_STS_TPM_IDLE           (1u << 1)

/* CTRL_CANCEL, CTRL_START */
#define TPM_CRB_CTRL_CANCEL_INVOKE          (1u << 0)
#define TPM_CRB_CTRL_START_INVOKE           (1u << 0)

/** tpm_crb_register_types: register TYPE_TPM_CRB (softmmu/devices.c). */
void tpm_crb_register_types(void);

#endif /* HW_TPM_TPM_CRB_H */
