/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libqtest.h: drive a sparsevm process from a test, as QEMU's libqtest
 * does: start the binary with a qtest socket and a QMP socket, act as the
 * guest's CPU through the qtest protocol, and talk QMP.
 *
 * It knows only the wire protocols (no server headers).  JSON goes through
 * json-glib.  Functions that talk to the VM abort the test on protocol
 * errors (a reply that is not "OK", a dead process), which is what a test
 * wants; the *_raw variants return replies unchecked for tests of bad
 * input.
 */
#ifndef LIBQTEST_H
#define LIBQTEST_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct QTestState QTestState;

/**
 * qtest_init: start the binary ($QTEST_QEMU_BINARY, else the path meson
 * built) with @extra_args (split like a shell would), connect both
 * sockets, read the QMP greeting and negotiate capabilities.
 * Returns: the new state; never NULL (aborts the test on failure).
 */
QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/**
 * qtest_init_without_qmp_handshake: as qtest_init() but stop after the
 * greeting (tests of capabilities negotiation).
 */
QTestState *qtest_init_without_qmp_handshake(const char *extra_args);

/**
 * qtest_quit: SIGTERM the process and wait; the test fails if it did not
 * exit with status 0 (sanitizer reports and leaks show up here).
 */
void qtest_quit(QTestState *s);
/** qtest_kill_expect: kill and wait, expecting exit status @status. */
void qtest_set_expected_status(QTestState *s, int status);
/** qtest_wait_exit: wait for the process to exit on its own (quit). */
int qtest_wait_exit(QTestState *s);
/** qtest_pid: the process id. */
pid_t qtest_pid(QTestState *s);
/** qtest_probe_child: true while the process is alive. */
bool qtest_probe_child(QTestState *s);

/* ---------------------------------------------------------------- QMP */

/**
 * qtest_qmp: send a command built from @fmt (printf format producing
 * JSON) and return the response object (with "return" or "error").
 * Events arriving meanwhile are stashed for qtest_qmp_eventwait.
 * Returns: a new reference; json_object_unref() it.
 */
JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/** qtest_qmp_fds: as qtest_qmp(), passing @fds with SCM_RIGHTS. */
JsonObject *qtest_qmp_fds(QTestState *s, int *fds, size_t nfds,
                          const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/** qtest_qmp_assert_success: the command must succeed; returns "return". */
JsonNode *qtest_qmp_assert_success_ref(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/**
 * qtest_qmp_expect_error: the command must fail with @class; returns the
 * error description (g_free it).
 */
char *qtest_qmp_expect_error(QTestState *s, const char *klass,
                             const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/** qtest_qmp_send: send without waiting (pair with qtest_qmp_receive). */
void qtest_qmp_send(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/** qtest_qmp_send_raw: send bytes as they are. */
void qtest_qmp_send_raw(QTestState *s, const void *buf, size_t len);
/** qtest_qmp_receive: the next non-event message (events are stashed). */
JsonObject *qtest_qmp_receive(QTestState *s);
/** qtest_qmp_receive_any: the next message, event or not. */
JsonObject *qtest_qmp_receive_any(QTestState *s);

/**
 * qtest_qmp_eventwait_ref: the first stashed or future event named
 * @event (earlier events of other names stay stashed).
 */
JsonObject *qtest_qmp_eventwait_ref(QTestState *s, const char *event);
void qtest_qmp_eventwait(QTestState *s, const char *event);
/** qtest_qmp_event_ref: a stashed event named @event, or NULL (no wait). */
JsonObject *qtest_qmp_event_ref(QTestState *s, const char *event);
/** qtest_qmp_events_clear: drop stashed events. */
void qtest_qmp_events_clear(QTestState *s);
/** qtest_qmp_event_names: names of stashed events in order (g_strfreev). */
char **qtest_qmp_event_names(QTestState *s);

/** qtest_hmp: run an HMP command; returns its output (g_free it). */
char *qtest_hmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/** qtest_qmp_get_fd: the QMP socket (for raw-protocol tests). */
int qtest_qmp_get_fd(QTestState *s);

/* -------------------------------------------------------------- qtest */

/** qtest_raw_cmd: send one qtest line, return the reply line unchecked. */
char *qtest_raw_cmd(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/** qtest_raw_send: write bytes to the qtest socket as they are. */
void qtest_raw_send(QTestState *s, const void *buf, size_t len);
/** qtest_raw_reply: read the next non-IRQ reply line. */
char *qtest_raw_reply(QTestState *s);

uint8_t qtest_inb(QTestState *s, uint16_t addr);
uint16_t qtest_inw(QTestState *s, uint16_t addr);
uint32_t qtest_inl(QTestState *s, uint16_t addr);
void qtest_outb(QTestState *s, uint16_t addr, uint8_t value);
void qtest_outw(QTestState *s, uint16_t addr, uint16_t value);
void qtest_outl(QTestState *s, uint16_t addr, uint32_t value);

/**
 * qtest_cpu_set / qtest_cpu_get: set or read register @reg of vCPU @cpu
 * ("cpu_set" / "cpu_get"); the test fails on a FAIL reply.
 */
void qtest_cpu_set(QTestState *s, unsigned cpu, const char *reg,
                   uint64_t value);
uint64_t qtest_cpu_get(QTestState *s, unsigned cpu, const char *reg);

uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t value);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t value);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value);

/** qtest_memread / qtest_memwrite: any size (split into 16 MiB pieces). */
void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
/** qtest_bufread / qtest_bufwrite: as memread/memwrite, via base64. */
void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern,
                  size_t size);

/** qtest_clock_step_next / qtest_clock_step / qtest_clock_set: -> now. */
int64_t qtest_clock_step_next(QTestState *s);
int64_t qtest_clock_step(QTestState *s, int64_t step);
int64_t qtest_clock_set(QTestState *s, int64_t val);

void qtest_irq_intercept_in(QTestState *s, const char *qom_path);
void qtest_irq_intercept_out(QTestState *s, const char *qom_path);
/** qtest_get_irq: the last level reported for line @num. */
bool qtest_get_irq(QTestState *s, int num);
void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int num, int level);

/* ---------------------------------------------------------- helpers */

/** qtest_get_binary: the binary tests run. */
const char *qtest_get_binary(void);
/** qtest_tmpdir: a per-test-process temporary directory (created once). */
const char *qtest_tmpdir(void);
/** qtest_tmp_path: @name in qtest_tmpdir() (new string: g_free it). */
char *qtest_tmp_path(const char *name);
/** qtest_count_open_fds: number of fds @pid has open (/proc). */
int qtest_count_open_fds(pid_t pid);
/** qtest_rss_kib: resident memory of @pid in KiB. */
uint64_t qtest_rss_kib(pid_t pid);

/**
 * qtest_json_get_*: typed access to a (nested) member by a dotted path,
 * e.g. "return.status"; aborts the test if missing or of the wrong type.
 */
const char *qtest_json_get_str(JsonObject *o, const char *path);
int64_t qtest_json_get_int(JsonObject *o, const char *path);
bool qtest_json_get_bool(JsonObject *o, const char *path);
JsonObject *qtest_json_get_obj(JsonObject *o, const char *path);
JsonArray *qtest_json_get_array(JsonObject *o, const char *path);
bool qtest_json_has(JsonObject *o, const char *path);

#endif /* LIBQTEST_H */
