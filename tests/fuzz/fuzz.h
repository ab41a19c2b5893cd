/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h: what every fuzz target in tests/fuzz/ provides and the helpers
 * they share.  docs/devel/fuzzing.md says how to run them and how to add
 * one.
 *
 * A target is one C file defining LLVMFuzzerInitialize() (once per
 * process, before any input) and LLVMFuzzerTestOneInput() (once per
 * input).  It is linked twice: with libFuzzer (-Dfuzzing=true, clang) for
 * fuzzing, and with replay-main.c in every build, where it runs the
 * committed corpus and crash regressions as an ordinary test.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include "hw/boards.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * fuzz_sandbox_enter: make the file system read-only for this process
 * except /tmp (a private tmpfs), the working directory and the
 * directories among @argv (fuzz-sandbox.c).  Call first in
 * LLVMFuzzerInitialize(); prints why if it cannot.
 */
void fuzz_sandbox_enter(int argc, char **argv);

/**
 * fuzz_machine_new: build a microvm machine in process, as softmmu/vl.c
 * would from "-machine microvm -m @mem_opts -object @objects[i]...
 * -device @devices[i]..." (NULL-terminated lists, may be NULL), with
 * every type and QMP/HMP command of the program registered, then reset it
 * and start it.  Any error aborts: the set-up is the target's, not the
 * input's.
 * Returns: the machine (borrowed; it lives until the process exits).
 */
MachineState *fuzz_machine_new(const char *mem_opts,
                               const char *const *objects,
                               const char *const *devices);

/**
 * fuzz_machine_settle: undo what the last input left behind that would
 * change how the next one runs: serve pending resets, clear a shutdown
 * request, and restart a stopped VM.
 */
void fuzz_machine_settle(void);

/**
 * FuzzChrServer: a listening socket chardev in /tmp to which a front end
 * (the QMP monitor, the qtest server) is attached.
 */
typedef struct FuzzChrServer {
    char *path;         /* socket path (owned) */
} FuzzChrServer;

/**
 * fuzz_chr_spec: the chardev spec ("unix:PATH,server=on,wait=off") for a
 * new socket named @name in a private directory; @srv->path is set.
 * Returns: a new string.
 */
char *fuzz_chr_spec(FuzzChrServer *srv, const char *name);

/**
 * fuzz_chr_session: one client session: connect to @srv, send @len bytes
 * of @data in pieces of at most @chunk bytes (0: all at once), with
 * @pass_fd (-1: none) as SCM_RIGHTS on the first piece, half-close, and
 * pump the main loop, reading and discarding everything the server sends,
 * until the server closes the connection.  Aborts after 10 s without
 * progress (a hang is a finding).
 * Returns: the number of bytes the server sent.
 */
size_t fuzz_chr_session(FuzzChrServer *srv, const uint8_t *data, size_t len,
                        size_t chunk, int pass_fd);

/**
 * fuzz_fds_check: compare this process's open fds (number and target,
 * from /proc/self/fd) with *@baseline, aborting with both lists if they
 * differ; the first call (*@baseline NULL) records them.
 */
void fuzz_fds_check(char **baseline);

#endif /* TESTS_FUZZ_FUZZ_H */
