/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtest.h: the qtest protocol server (softmmu/qtest.c; the protocol is
 * in the DOC block there and in docs/devel/qtest.md).
 */
#ifndef SYSEMU_QTEST_H
#define SYSEMU_QTEST_H

#include "exec/memory.h"

/**
 * qtest_server_init: serve the qtest protocol on the chardev @spec
 * ("unix:PATH" connects to a listening test; "unix:PATH,server=on" listens).
 * @logfile: -qtest-log FILE, "none" or NULL for no log.
 * @as_mem, @as_io: the address spaces memory and port commands use.
 */
bool qtest_server_init(const char *spec, const char *logfile,
                       AddressSpace *as_mem, AddressSpace *as_io,
                       Error **errp);
void qtest_server_cleanup(void);
/** qtest_enabled: a qtest server exists. */
bool qtest_enabled(void);

#endif /* SYSEMU_QTEST_H */
