/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_util.h: the TPM command/response header, shared by TPM front ends
 * and back ends.
 *
 * Every TPM 1.2 and 2.0 command and response starts with the same
 * 10-byte big-endian header (TPM 2.0 Part 1, "Command/Response Header
 * Fields"):
 *
 *   offset  size  command            response
 *   0       2     tag                tag
 *   2       4     size (whole blob)  size (whole blob)
 *   6       4     command code       response code (0 = success)
 *
 * Helpers that read a field take a buffer the caller has checked holds at
 * least TPM_HEADER_SIZE bytes.
 */
#ifndef SYSEMU_TPM_UTIL_H
#define SYSEMU_TPM_UTIL_H

#define TPM_HEADER_SIZE             10
#define TPM_HEADER_TAG_OFFSET       0
#define TPM_HEADER_SIZE_OFFSET      2
#define TPM_HEADER_CODE_OFFSET      6

/* Tags (TPM 1.2 Part 2 "TPM_TAG"; TPM 2.0 Part 2 "TPM_ST"). */
#define TPM_TAG_RQU_COMMAND         0x00c1
#define TPM_TAG_RSP_COMMAND         0x00c4
#define TPM2_ST_NO_SESSIONS         0x8001
#define TPM2_ST_SESSIONS            0x8002

/* Response codes. */
#define TPM_SUCCESS                 0x0000
#define TPM_FAIL                    0x0009      /* TPM 1.2 */
#define TPM2_RC_COMMAND_SIZE        0x0142      /* TPM 2.0: size mismatch */

typedef enum TPMVersion {
    TPM_VERSION_UNSPEC,
    TPM_VERSION_1_2,
    TPM_VERSION_2_0,
} TPMVersion;

static inline uint16_t tpm_cmd_get_tag(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t tpm_cmd_get_be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
           (uint32_t)b[2] << 8 | b[3];
}

static inline void tpm_cmd_set_be32(uint8_t *b, uint32_t v)
{
    b[0] = v >> 24;
    b[1] = v >> 16;
    b[2] = v >> 8;
    b[3] = v;
}

/** tpm_cmd_get_size: the size field (the whole blob, header included). */
static inline uint32_t tpm_cmd_get_size(const uint8_t *b)
{
    return tpm_cmd_get_be32(b + TPM_HEADER_SIZE_OFFSET);
}

/** tpm_cmd_get_code: the command code, or a response's result. */
static inline uint32_t tpm_cmd_get_code(const uint8_t *b)
{
    return tpm_cmd_get_be32(b + TPM_HEADER_CODE_OFFSET);
}

/**
 * tpm_util_write_header: write a header-only blob (a command without
 * parameters, or a response without data) with @tag and command code or
 * result @code into @out; nothing if @out_len is too small.
 */
void tpm_util_write_header(uint8_t *out, uint32_t out_len,
                                    uint16_t tag, uint32_t code);

/**
 * tpm_util_write_fatal_error_response: the answer a front end returns when
 * the back end could not run a command: a TPM_FAIL header, as QEMU writes.
 */
void tpm_util_write_fatal_error_response(uint8_t *out, uint32_t out_len);

/** tpm_version_name: "1.2", "2.0" or "unspecified". */
const char *tpm_version_name(TPMVersion version);

#endif /* SYSEMU_TPM_UTIL_H */
