/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm_util.c: TPM header helpers (include/sysemu/tpm_util.h) and the
 * stream I/O with deadlines that TPM back ends use (tpm_int.h).
 *
 * The back end's sockets are blocking; every wait goes through poll()
 * with a deadline so that an emulator that hangs costs a bounded delay
 * and an error message, never a hung VMM.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <sys/socket.h>
#include "backends/tpm/tpm_int.h"

/* Largest answer the family probe reads; a header is all it looks at. */
#define TPM_PROBE_RESPONSE_MAX      1024

void tpm_util_write_header(uint8_t *out, uint32_t out_len,
                                    uint16_t tag, uint32_t code)
{
    if (out_len < TPM_HEADER_SIZE) {
        return;
    }
    out[TPM_HEADER_TAG_OFFSET] = tag >> 8;
    out[TPM_HEADER_TAG_OFFSET + 1] = tag;
    tpm_cmd_set_be32(out + TPM_HEADER_SIZE_OFFSET, TPM_HEADER_SIZE);
    tpm_cmd_set_be32(out + TPM_HEADER_CODE_OFFSET, code);
}

void tpm_util_write_fatal_error_response(uint8_t *out, uint32_t out_len)
{
    tpm_util_write_header(out, out_len, TPM_TAG_RSP_COMMAND,
                                   TPM_FAIL);
}

const char *tpm_version_name(TPMVersion version)
{
    switch (version) {
    case TPM_VERSION_1_2:
        return "1.2";
    case TPM_VERSION_2_0:
        return "2.0";
    default:
        return "unspecified";
    }
}

/* Wait until @fd is ready for @events; 0, -ETIMEDOUT or -errno. */
static int tpm_util_wait(int fd, short events, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = events };
    int n;

    do {
        n = poll(&pfd, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return -errno;
    }
    return n ? 0 : -ETIMEDOUT;
}

int tpm_util_send_all(int fd, const void *buf, size_t len, int pass_fd,
                      int timeout_ms)
{
    const uint8_t *p = buf;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;

    while (len) {
        struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n;
        int ret;

        if (pass_fd >= 0) {
            struct cmsghdr *c;

            memset(&control, 0, sizeof(control));
            msg.msg_control = control.buf;
            msg.msg_controllen = sizeof(control.buf);
            c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
        }
        ret = tpm_util_wait(fd, POLLOUT, timeout_ms);
        if (ret < 0) {
            return ret;
        }
        n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return -errno;
        }
        pass_fd = -1;   /* the fd went with the first byte */
        p += n;
        len -= n;
    }
    return 0;
}

ssize_t tpm_util_recv_some(int fd, void *buf, size_t len, int timeout_ms)
{
    for (;;) {
        ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

        if (n > 0) {
            return n;
        }
        if (n == 0) {
            return -ECONNRESET;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return -errno;
        }
        if (!timeout_ms) {
            return -EAGAIN;
        }
        n = tpm_util_wait(fd, POLLIN, timeout_ms);
        if (n < 0) {
            return n;
        }
        timeout_ms = 0;     /* readable now: one more try, no second wait */
    }
}

int tpm_util_recv_all(int fd, void *buf, size_t len, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
    uint8_t *p = buf;

    while (len) {
        gint64 left = (deadline - g_get_monotonic_time()) /
                      G_TIME_SPAN_MILLISECOND;
        ssize_t n;

        if (left <= 0) {
            return -ETIMEDOUT;
        }
        n = tpm_util_recv_some(fd, p, len, left);
        if (n == -EAGAIN) {
            continue;
        }
        if (n < 0) {
            return n;
        }
        p += n;
        len -= n;
    }
    return 0;
}

/* Send a header-only command, return the tag of the answer. */
static int tpm_util_probe(int fd, uint16_t tag, uint32_t code,
                          int timeout_ms, uint16_t *return_tag)
{
    uint8_t req[TPM_HEADER_SIZE];
    uint8_t resp[TPM_PROBE_RESPONSE_MAX];
    uint32_t size;
    int ret;

    tpm_util_write_header(req, sizeof(req), tag, code);
    ret = tpm_util_send_all(fd, req, sizeof(req), -1, timeout_ms);
    if (ret < 0) {
        return ret;
    }
    ret = tpm_util_recv_all(fd, resp, TPM_HEADER_SIZE, timeout_ms);
    if (ret < 0) {
        return ret;
    }
    size = tpm_cmd_get_size(resp);
    if (size < TPM_HEADER_SIZE || size > sizeof(resp)) {
        return -EPROTO;
    }
    ret = tpm_util_recv_all(fd, resp + TPM_HEADER_SIZE,
                            size - TPM_HEADER_SIZE, timeout_ms);
    if (ret < 0) {
        return ret;
    }
    *return_tag = tpm_cmd_get_tag(resp);
    return 0;
}

int tpm_util_test_tpmdev(int fd, int timeout_ms, TPMVersion *version)
{
    uint16_t tag;
    int ret;

    ret = tpm_util_probe(fd, TPM2_ST_NO_SESSIONS, TPM2_CC_READCLOCK,
                         timeout_ms, &tag);
    if (ret < 0) {
        return ret;
    }
    if (tag == TPM2_ST_NO_SESSIONS) {
        *version = TPM_VERSION_2_0;
        return 0;
    }
    ret = tpm_util_probe(fd, TPM_TAG_RQU_COMMAND, TPM_ORD_GETTICKS,
                         timeout_ms, &tag);
    if (ret < 0) {
        return ret;
    }
    if (tag == TPM_TAG_RSP_COMMAND) {
        *version = TPM_VERSION_1_2;
        return 0;
    }
    *version = TPM_VERSION_UNSPEC;
    return -EPROTO;
}
