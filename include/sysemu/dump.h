/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump.h: the dump-guest-memory subsystem as the rest of the program sees
 * it: its QMP/HMP commands, whether a dump is running, and stopping one
 * at exit.  Formats, sinks and destinations are private to dump/ (see
 * dump/dump-internal.h).
 */
#ifndef SYSEMU_DUMP_H
#define SYSEMU_DUMP_H

/**
 * dump_register_commands: QMP dump-guest-memory, query-dump,
 * query-dump-guest-memory-capability, dump-cancel; HMP dump-guest-memory
 * and info dump.  Registers the built-in formats too.
 */
void dump_register_commands(void);

/**
 * qemu_system_dump_in_progress: a dump is active (QMP status "active").
 * Context: main loop thread.
 */
bool qemu_system_dump_in_progress(void);

/**
 * dump_cleanup_at_exit: cancel a running dump (detached or synchronous)
 * and wait for its thread, at most 2 s; its temporary file is removed,
 * DUMP_COMPLETED reports the error, a synchronous dump's command gets
 * its reply.  Call when the main loop is done, before the monitors go;
 * calling it again does nothing.
 */
void dump_cleanup_at_exit(void);

#endif /* SYSEMU_DUMP_H */
