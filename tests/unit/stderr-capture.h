/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stderr-capture.h: unit-test helper that redirects this process's
 * stderr into a file for a while and hands back what was written, so a
 * test can check the messages the code under test reports.
 */
#ifndef TESTS_UNIT_STDERR_CAPTURE_H
#define TESTS_UNIT_STDERR_CAPTURE_H

typedef struct StderrCapture {
    int saved;          /* the original stderr, dup()ed */
    char *path;         /* the file that receives it meanwhile */
} StderrCapture;

/**
 * stderr_capture_begin: send stderr to a new file "stderr.txt" in @dir
 * (an existing private directory) until stderr_capture_end().
 */
void stderr_capture_begin(StderrCapture *c, const char *dir);

/**
 * stderr_capture_end: restore stderr and remove the capture file.
 * Returns: what was written meanwhile (g_free it).
 */
char *stderr_capture_end(StderrCapture *c);

#endif
