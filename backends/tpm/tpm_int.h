/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_int.h: helpers shared by the TPM back ends in backends/tpm/ (not
 * for front ends): stream I/O with a deadline and the TPM family probe.
 * All return 0 or a negative errno; -ETIMEDOUT when the peer stayed
 * silent past the deadline, -ECONNRESET when it closed the stream.
 */
#ifndef BACKENDS_TPM_TPM_INT_H
#define BACKENDS_TPM_TPM_INT_H

#include "sysemu/tpm_backend.h"
#include "sysemu/tpm_util.h"

/* Command codes used to probe a TPM's family. */
#define TPM_ORD_GETTICKS            0x000000f1  /* TPM 1.2 */
#define TPM2_CC_READCLOCK           0x00000181  /* TPM 2.0 */

/**
 * tpm_util_send_all: write @len bytes of @buf to the stream socket @fd,
 * with @pass_fd (if >= 0) attached to the first byte by SCM_RIGHTS.
 * Never raises SIGPIPE.
 */
int tpm_util_send_all(int fd, const void *buf, size_t len, int pass_fd,
                      int timeout_ms);

/**
 * tpm_util_recv_some: receive what is available (at most @len bytes) on
 * @fd, waiting up to @timeout_ms for the first byte (0: do not wait).
 * Returns: bytes received (> 0), -EAGAIN when nothing came and
 * @timeout_ms is 0, or a negative errno.
 */
ssize_t tpm_util_recv_some(int fd, void *buf, size_t len, int timeout_ms);

/** tpm_util_recv_all: receive exactly @len bytes within @timeout_ms. */
int tpm_util_recv_all(int fd, void *buf, size_t len, int timeout_ms);

/**
 * tpm_util_test_tpmdev: find out which TPM family answers on the data
 * stream @fd: send TPM2_ReadClock (a TPM 2.0 answers with tag
 * TPM2_ST_NO_SESSIONS, even before it is initialised), then TPM_GetTicks
 * (a TPM 1.2 answers with TPM_TAG_RSP_COMMAND), as QEMU does.
 * Returns: 0 with *@version set, -EPROTO if neither answer fits, or the
 * I/O error.
 */
int tpm_util_test_tpmdev(int fd, int timeout_ms, TPMVersion *version);

/* The back-end types (tpm_backend.c lists them for -tpmdev). */
extern const TPMBackendOps tpm_emulator_ops;

#endif /* BACKENDS_TPM_TPM_INT_H */
