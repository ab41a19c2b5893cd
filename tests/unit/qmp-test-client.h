/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-test-client.h: an in-process QMP client for the monitor's unit
 * tests.  The server (a socket chardev in server mode plus
 * monitor_init_qmp) and the client share one thread: every helper that
 * waits pumps the default main context while polling the client socket,
 * so the server makes progress.  Waits are bounded (QMP_TEST_TIMEOUT_S)
 * and fail the test instead of hanging.
 *
 * The client knows the wire protocol only: it sends bytes and splits the
 * replies at CRLF, parsing each line with json-glib.
 */
#ifndef TESTS_QMP_TEST_CLIENT_H
#define TESTS_QMP_TEST_CLIENT_H

#include <json-glib/json-glib.h>
#include "chardev/char.h"

#define QMP_TEST_TIMEOUT_S 30

typedef struct QmpTestClient {
    int fd;
    GString *in;            /* received bytes not yet returned */
    GQueue events;          /* JsonNode *: events met while waiting */
} QmpTestClient;

/**
 * qmp_test_setup: monitor_init_globals() plus a QMP monitor on a new
 * listening socket chardev with id @id; *@path gets the socket path
 * (g_free it).  Returns: the chardev.
 */
Chardev *qmp_test_server(const char *id, bool pretty, char **path);
/** qmp_test_teardown: monitor_cleanup() and qemu_chr_cleanup(). */
void qmp_test_teardown(void);

/** qmp_test_pump: run what the main context has ready, then wait @ms. */
void qmp_test_pump(int ms);

/** qmp_test_connect: connect to @path (non-blocking socket). */
QmpTestClient *qmp_test_connect(const char *path);
/** qmp_test_connect_ready: connect, check the greeting, negotiate. */
QmpTestClient *qmp_test_connect_ready(const char *path);
void qmp_test_close(QmpTestClient *c);

/** qmp_test_send_raw: send @len bytes (and @nfds fds with the first). */
void qmp_test_send_raw(QmpTestClient *c, const void *buf, size_t len,
                       const int *fds, size_t nfds);
/** qmp_test_send: send a string. */
void qmp_test_send(QmpTestClient *c, const char *str);

/**
 * qmp_test_recv_line: the next line, with its CRLF cut off (g_free it);
 * fails the test if it does not end in CRLF.
 */
char *qmp_test_recv_line(QmpTestClient *c);
/** qmp_test_recv: the next message, parsed (events included). */
JsonNode *qmp_test_recv(QmpTestClient *c);
/** qmp_test_response: the next message that is not an event. */
JsonNode *qmp_test_response(QmpTestClient *c);
/** qmp_test_cmd: send @req, return the response. */
JsonNode *qmp_test_cmd(QmpTestClient *c, const char *req);
/** qmp_test_event: the next event (queued or read); NULL on timeout. */
JsonNode *qmp_test_event(QmpTestClient *c, int timeout_ms);

/** qmp_test_assert_error: @rsp is {"error": {@klass, @desc}}. */
void qmp_test_assert_error(JsonNode *rsp, const char *klass,
                           const char *desc);
/** qmp_test_return: the "return" member of @rsp (asserted), borrowed. */
JsonNode *qmp_test_return(JsonNode *rsp);
/** qmp_test_cmd_error: run @req and check its error; frees the reply. */
void qmp_test_cmd_error(QmpTestClient *c, const char *req,
                        const char *klass, const char *desc);
/** qmp_test_cmd_ok: run @req, assert success; returns its JSON text. */
char *qmp_test_cmd_ok(QmpTestClient *c, const char *req);

/**
 * struct QmpTestFixture: for g_test_add(): a monitor on a fresh socket
 * chardev and a client that has negotiated capabilities.  The test data
 * pointer is the chardev id (a string).
 */
typedef struct QmpTestFixture {
    char *path;
    QmpTestClient *c;
} QmpTestFixture;

void qmp_test_fixture_setup(QmpTestFixture *f, gconstpointer id);
void qmp_test_fixture_teardown(QmpTestFixture *f, gconstpointer id);

/** qmp_test_count_fds: open fds of this process (/proc/self/fd). */
int qmp_test_count_fds(void);

#endif /* TESTS_QMP_TEST_CLIENT_H */
