/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * char.h: character devices, the byte streams the monitors, the qtest
 * server and the TPM emulator backend talk over.
 *
 * Backends: "socket" (unix domain; server=on listens, otherwise connects)
 * and "stdio", "null".  Created by `-chardev socket,id=ID,path=PATH
 * [,server=on|off][,wait=on|off]` or from the compact forms `-qmp` and
 * `-qtest` take ("unix:PATH[,server=on][,wait=off]", "stdio", "none").
 *
 * A front end (monitor, qtest) installs CharHandlers; reads are delivered
 * from the main loop with any file descriptors that arrived by SCM_RIGHTS
 * alongside; writes are queued and flushed when the peer can take them.
 * A server chardev serves one connection at a time: while one is open,
 * further clients wait in the listen backlog, as in QEMU.
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

typedef struct Chardev Chardev;

typedef struct CharHandlers {
    /* A connection was established (clients: at start). */
    void (*opened)(void *opaque);
    /*
     * Bytes arrived.  @fds (may be NULL) are fds that came with them;
     * the handler owns them and must close those it keeps no use for.
     */
    void (*read)(void *opaque, const uint8_t *buf, size_t len, int *fds,
                 size_t nfds);
    /* The peer went away (EOF or error); queued output was dropped. */
    void (*closed)(void *opaque);
    /*
     * Optional: queued output was written out completely (or dropped
     * because the peer is gone) after a write had to wait.  Front ends
     * that throttle their output (the QMP monitor) refill from here.
     * Runs from the main loop; it may call qemu_chr_write().
     */
    void (*drained)(void *opaque);
} CharHandlers;

/**
 * qemu_chr_set_daemonize: the process will daemonize (stdin, stdout and
 * stderr then go to /dev/null): a stdio chardev is refused, as in QEMU.
 */
void qemu_chr_set_daemonize(bool on);
/**
 * qemu_chr_parse_opts: create a chardev from a -chardev argument.  At
 * most one stdio chardev exists ("cannot use stdio by multiple character
 * devices"), and none with -daemonize.
 */
Chardev *qemu_chr_parse_opts(const char *optarg, Error **errp);
/**
 * qemu_chr_new_compat: create a chardev labelled @label from the compact
 * syntax ("unix:PATH[,server=on|off][,wait=on|off]", "stdio", "null",
 * "none"), or look up "chardev:ID".
 */
Chardev *qemu_chr_new_compat(const char *label, const char *spec,
                             Error **errp);
/** qemu_chr_find: the chardev with id @id, or NULL. */
Chardev *qemu_chr_find(const char *id);
const char *qemu_chr_get_id(const Chardev *chr);
/** qemu_chr_get_path: the socket path, or NULL for non-socket backends. */
const char *qemu_chr_get_path(const Chardev *chr);
bool qemu_chr_is_server(const Chardev *chr);
/**
 * qemu_chr_get_filename: the chardev as QEMU's query-chardev shows it:
 * "unix:PATH[,server=on]" (prefixed "disconnected:" while no peer is
 * connected), "stdio" or "null".  New string.
 */
char *qemu_chr_get_filename(const Chardev *chr);
/** qemu_chr_has_frontend: a front end (a monitor) is attached. */
bool qemu_chr_has_frontend(const Chardev *chr);
/** qemu_chr_foreach: call @fn for every chardev, in creation order. */
void qemu_chr_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque);

/**
 * qemu_chr_set_handlers: attach the front end and start the backend: a
 * server listens (and with wait=on blocks until the first client comes), a
 * client connects.  A chardev has at most one front end.
 */
bool qemu_chr_set_handlers(Chardev *chr, const CharHandlers *handlers,
                           void *opaque, Error **errp);

/**
 * qemu_chr_fds_lost: inside the read handler: file descriptors came with
 * this chunk but were dropped by the kernel (MSG_CTRUNC: we are at the
 * fd limit, or more came than fit).
 */
bool qemu_chr_fds_lost(const Chardev *chr);

/**
 * qemu_chr_write: queue @len bytes for the current connection.  Never
 * blocks.  Returns false (and drops the bytes) if no connection is open.
 */
bool qemu_chr_write(Chardev *chr, const void *buf, size_t len);
/** qemu_chr_outbuf_len: bytes queued and not yet accepted by the peer. */
size_t qemu_chr_outbuf_len(const Chardev *chr);
/**
 * qemu_chr_flush: try to write out queued bytes now (blocking up to
 * @timeout_ms); used before exit so the last reply reaches the client.
 */
void qemu_chr_flush(Chardev *chr, int timeout_ms);
/** qemu_chr_set_read_paused: stop/restart reading (output backpressure). */
void qemu_chr_set_read_paused(Chardev *chr, bool paused);
/** qemu_chr_disconnect: drop the current connection (server: wait anew). */
void qemu_chr_disconnect(Chardev *chr);
/** qemu_chr_is_connected: a connection is open. */
bool qemu_chr_is_connected(const Chardev *chr);

/**
 * qemu_chr_connect_sync: for front ends that talk request/response
 * synchronously (the TPM emulator): connect a new blocking stream to a
 * client chardev's socket and return its fd (owned by the caller).
 */
int qemu_chr_connect_sync(Chardev *chr, Error **errp);

/** qemu_chr_cleanup: close everything (at exit); unlinks server sockets. */
void qemu_chr_cleanup(void);

#endif /* CHARDEV_CHAR_H */
