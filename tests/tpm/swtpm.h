/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * swtpm.h: start and stop a real swtpm for tests (unit tests of the
 * emulator back end, TPM qtests, the demo).  Test-side only.
 *
 *   swtpm socket --tpm2 --ctrl type=unixio,path=DIR/ctrl
 *                --tpmstate dir=DIR/state --log file=DIR/log
 */
#ifndef TESTS_TPM_SWTPM_H
#define TESTS_TPM_SWTPM_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct Swtpm {
    pid_t pid;          /* 0 once stopped */
    char *dir;          /* scratch directory (owned, removed by free) */
    char *ctrl_path;    /* control socket */
} Swtpm;

/** swtpm_missing: NULL if swtpm is on PATH, else why tests must skip. */
const char *swtpm_missing(void);
/**
 * swtpm_test_skip: if swtpm is missing, mark the current test skipped
 * (saying why) and return true: the test then returns at once.
 */
bool swtpm_test_skip(void);

/**
 * swtpm_start: start swtpm in a new directory under @parent and wait
 * (up to 10 s) until its control socket accepts connections.  Aborts the
 * test on failure.
 */
Swtpm *swtpm_start(const char *parent);
/** swtpm_restart: start swtpm again on the same socket and state. */
void swtpm_restart(Swtpm *t);
/** swtpm_kill: SIGKILL it and reap it (the "swtpm died" case). */
void swtpm_kill(Swtpm *t);
/**
 * swtpm_wait_exit: wait up to @timeout_ms for swtpm to exit by itself.
 * Returns: true if it did (it is reaped).
 */
bool swtpm_wait_exit(Swtpm *t, int timeout_ms);
/** swtpm_free: kill it if still running, remove the directory, free. */
void swtpm_free(Swtpm *t);

/*
 * TPM 2.0 commands tests send (TPM 2.0 Part 3), big-endian:
 * TPM2_Startup(TPM_SU_CLEAR) and TPM2_GetRandom(16).
 */
#define TPM2_TEST_CMD_HEADER_SIZE   10
#define TPM2_TEST_RC_SUCCESS        0x0
#define TPM2_TEST_RC_INITIALIZE     0x100   /* Startup already done */
#define TPM2_TEST_GETRANDOM_BYTES   16

static const unsigned char tpm2_cmd_startup_clear[] = {
    0x80, 0x01,                 /* TPM_ST_NO_SESSIONS */
    0x00, 0x00, 0x00, 0x0c,     /* size 12 */
    0x00, 0x00, 0x01, 0x44,     /* TPM_CC_Startup */
    0x00, 0x00,                 /* TPM_SU_CLEAR */
};

static const unsigned char tpm2_cmd_getrandom16[] = {
    0x80, 0x01,
    0x00, 0x00, 0x00, 0x0c,
    0x00, 0x00, 0x01, 0x7b,     /* TPM_CC_GetRandom */
    0x00, TPM2_TEST_GETRANDOM_BYTES,
};

/* Fields of a response header. */
static inline unsigned tpm2_test_resp_size(const unsigned char *r)
{
    return (unsigned)r[2] << 24 | r[3] << 16 | r[4] << 8 | r[5];
}

static inline unsigned tpm2_test_resp_code(const unsigned char *r)
{
    return (unsigned)r[6] << 24 | r[7] << 16 | r[8] << 8 | r[9];
}

#endif /* TESTS_TPM_SWTPM_H */
