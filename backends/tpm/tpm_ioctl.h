/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_ioctl.h: the control-channel protocol of swtpm ("socket" mode with
 * --ctrl type=unixio), as far as the emulator backend speaks it.  Private
 * to backends/tpm/.
 *
 * Facts from swtpm's include/swtpm/tpm_ioctl.h (the same numbers are in
 * QEMU's backends/tpm/tpm_ioctl.h): every request is a big-endian 32-bit
 * opcode followed by the request body; the answer is the response body
 * alone, also big-endian, and every response body starts with a 32-bit
 * TPM result (0 = success) except GET_CAPABILITY's.  swtpm reads one
 * request with a single read(), so a request must go out in one write.
 *
 * Request / response body sizes in bytes (the ones this backend uses):
 *
 *   opcode                     request            response
 *   GET_CAPABILITY      0x01   0                  8  be64 capability bits
 *   INIT                0x02   4  be32 flags      4  result
 *   SHUTDOWN            0x03   0                  4  result (swtpm exits)
 *   GET_TPMESTABLISHED  0x04   0                  8  result, u8 bit, pad[3]
 *   SET_LOCALITY        0x05   4  u8 loc, pad[3]  4  result
 *   CANCEL_TPM_CMD      0x09   0                  4  result
 *   STOP                0x0e   0                  4  result
 *   SET_DATAFD          0x10   0 + one fd by      4  result
 *                              SCM_RIGHTS
 *   SET_BUFFERSIZE      0x11   4  be32 size       16 result, be32 size in
 *                              (0 = query)           use, min, max
 */
#ifndef BACKENDS_TPM_TPM_IOCTL_H
#define BACKENDS_TPM_TPM_IOCTL_H

/* Opcodes ("CMD_*" in swtpm's tpm_ioctl.h). */
enum {
    PTM_CMD_GET_CAPABILITY      = 0x01,
    PTM_CMD_INIT                = 0x02,
    PTM_CMD_SHUTDOWN            = 0x03,
    PTM_CMD_GET_TPMESTABLISHED  = 0x04,
    PTM_CMD_SET_LOCALITY        = 0x05,
    PTM_CMD_CANCEL_TPM_CMD      = 0x09,
    PTM_CMD_RESET_TPMESTABLISHED = 0x0b,
    PTM_CMD_STOP                = 0x0e,
    PTM_CMD_SET_DATAFD          = 0x10,
    PTM_CMD_SET_BUFFERSIZE      = 0x11,
};

/* GET_CAPABILITY bits ("PTM_CAP_*"). */
#define PTM_CAP_INIT                 (1ULL << 0)
#define PTM_CAP_SHUTDOWN             (1ULL << 1)
#define PTM_CAP_GET_TPMESTABLISHED   (1ULL << 2)
#define PTM_CAP_SET_LOCALITY         (1ULL << 3)
#define PTM_CAP_HASHING              (1ULL << 4)
#define PTM_CAP_CANCEL_TPM_CMD       (1ULL << 5)
#define PTM_CAP_STORE_VOLATILE       (1ULL << 6)
#define PTM_CAP_RESET_TPMESTABLISHED (1ULL << 7)
#define PTM_CAP_GET_STATEBLOB        (1ULL << 8)
#define PTM_CAP_SET_STATEBLOB        (1ULL << 9)
#define PTM_CAP_STOP                 (1ULL << 10)
#define PTM_CAP_GET_CONFIG           (1ULL << 11)
#define PTM_CAP_SET_DATAFD           (1ULL << 12)
#define PTM_CAP_SET_BUFFERSIZE       (1ULL << 13)

/* What a TPM 2.0 emulator must offer for this backend (QEMU's set). */
#define PTM_CAPS_REQUIRED_TPM2 \
    (PTM_CAP_INIT | PTM_CAP_SHUTDOWN | PTM_CAP_GET_TPMESTABLISHED | \
     PTM_CAP_SET_LOCALITY | PTM_CAP_RESET_TPMESTABLISHED | \
     PTM_CAP_SET_DATAFD | PTM_CAP_STOP | PTM_CAP_SET_BUFFERSIZE)

/* Body sizes, see the table above. */
#define PTM_RES_SIZE                4
#define PTM_CAP_RESP_SIZE           8
#define PTM_INIT_REQ_SIZE           4
#define PTM_EST_RESP_SIZE           8
#define PTM_LOC_REQ_SIZE            4
#define PTM_BUFSIZE_REQ_SIZE        4
#define PTM_BUFSIZE_RESP_SIZE       16

/* Byte offsets inside response bodies. */
#define PTM_EST_RESP_BIT_OFFSET     4   /* u8 after the result */
#define PTM_BUFSIZE_RESP_SIZE_OFFSET 4  /* be32 buffer size in use */

#endif /* BACKENDS_TPM_TPM_IOCTL_H */
