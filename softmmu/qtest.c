/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtest.c: the qtest protocol server, the "CPU" of a test: a test process
 * connects over a socket and reads and writes guest memory and I/O ports,
 * moves the virtual clock and watches interrupt lines.
 *
 * It does what QEMU's qtest server does, except that malformed input gets
 * a FAIL reply instead of an assertion failure, every size is bounded, and
 * a line that is too long is refused rather than buffered without end.
 */
#include "qemu/osdep.h"
#include "chardev/char.h"
#include "exec/memory.h"
#include "hw/core/cpu.h"
#include "hw/qdev.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "qemu/timer.h"
#include "sysemu/qtest.h"

/**
 * DOC: qtest protocol
 *
 * Line based: the client sends one command per line (words separated by
 * spaces, a trailing "\r" ignored); the server answers each with exactly
 * one line starting "OK" or "FAIL", in order.  Numbers are C literals
 * (decimal, 0x hex, 0 octal).  Between replies the server may send
 * asynchronous lines starting "IRQ".
 *
 *  outb|outw|outl ADDR VALUE      write an I/O port (ADDR <= 0xffff)  -> OK
 *  inb|inw|inl ADDR               read an I/O port         -> OK 0x%04x
 *  writeb|writew|writel|writeq ADDR VALUE
 *                                 little-endian store      -> OK
 *  readb|readw|readl|readq ADDR   little-endian load       -> OK 0x%016x
 *  read ADDR SIZE                 SIZE bytes, 1..4 MiB     -> OK 0xHEX...
 *  write ADDR SIZE 0xHEX          missing bytes are zero   -> OK
 *  b64read ADDR SIZE              as read, base64          -> OK BASE64
 *  b64write ADDR SIZE BASE64      a length mismatch is logged -> OK
 *  memset ADDR SIZE VALUE         fill; SIZE may be 0      -> OK
 *  endianness                                              -> OK little
 *  clock_step [NS]                advance the virtual clock by NS, or to
 *                                 the next timer deadline  -> OK NOW
 *  clock_set NS                   advance to NS (not back) -> OK NOW
 *  irq_intercept_in PATH          report the device's input lines
 *  irq_intercept_out PATH [NAME]  report the device's output lines
 *                                 then, on each level change:
 *                                 "IRQ raise N" / "IRQ lower N"
 *  set_irq_in PATH NAME NUM LEVEL drive an input line ("unnamed-gpio-in"
 *                                 names the unnamed list)  -> OK
 *  cpu_set CPU REG VALUE          set register REG of vCPU CPU, with the
 *                                 checks of x86_cpu_set_reg() (rax..r15,
 *                                 rip, rflags, cr0..cr4, efer, cs..gs
 *                                 [.base|.limit|.flags], gdt/idt/ldt/tr
 *                                 .base|.limit, fs_base, gs_base,
 *                                 kernel_gs_base); EFER.LMA follows
 *                                 LME && CR0.PG && CR4.PAE  -> OK
 *  cpu_get CPU REG                read one                -> OK 0x%016x
 *
 * Errors: "FAIL Unknown command 'X'", "FAIL missing argument(s)",
 * "FAIL invalid number 'X'", "FAIL Unknown device", "FAIL IRQ intercept
 * already enabled", "FAIL No intercepts installed", "FAIL Interception of
 * named in-GPIOs not yet supported", "FAIL cannot advance clock to the next
 * deadline because there is no pending deadline", "FAIL too many words
 * (limit 8)", "FAIL invalid size N (1 to 4194304 bytes)", "FAIL line too
 * long (limit 8389632 bytes)" (a line is at most 8 MiB + 1 KiB: a 4 MiB
 * write in hex; the rest of a longer line is skipped).
 * Accesses to unmapped memory read as zero; accesses to discarded
 * (unplugged) virtio-mem memory read as zero and drop writes.
 */

/*
 * Bounds that keep one line cheap: a transfer of QTEST_MAX_XFER bytes in
 * hex (the longest valid line) plus room for the command and address.
 * A line costs a few times its length at most (the input buffer grows by
 * doubling and is given back after a long line; a write's decoded bytes
 * are half the line), and is cut into at most QTEST_MAX_WORDS words in
 * place, in one pass.
 */
#define QTEST_MAX_XFER (4 * 1024 * 1024)
#define QTEST_MAX_LINE (QTEST_MAX_XFER * 2 + 1024)
#define QTEST_MAX_WORDS 8
/* An input buffer above this is given back after its line. */
#define QTEST_KEEP_INBUF (64 * 1024)

typedef struct QTestServer {
    Chardev *chr;
    AddressSpace *as_mem;
    AddressSpace *as_io;
    GString *inbuf;
    bool discarding;        /* skipping the rest of an over-long line */
    FILE *log;
    int64_t log_start;
    DeviceState *irq_intercept_dev;
    int irq_levels[64];
    qemu_irq *intercepted_out;
    int intercepted_out_n;
} QTestServer;

static QTestServer *qtest;

static double qtest_elapsed(QTestServer *s)
{
    return (g_get_monotonic_time() - s->log_start) / 1e6;
}

static void qtest_send(QTestServer *s, const char *line)
{
    if (s->log) {
        fprintf(s->log, "[S +%.6f] %s", qtest_elapsed(s), line);
        fflush(s->log);
    }
    qemu_chr_write(s->chr, line, strlen(line));
}

static void G_GNUC_PRINTF(2, 3) qtest_sendf(QTestServer *s, const char *fmt,
                                            ...)
{
    va_list ap;
    g_autofree char *line = NULL;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send(s, line);
}

/* --------------------------------------------------------------- helpers */

static bool parse_u64(QTestServer *s, const char *word, uint64_t *v)
{
    if (qemu_strtou64(word, NULL, 0, v)) {
        qtest_sendf(s, "FAIL invalid number '%.64s'\n", word);
        return false;
    }
    return true;
}

static bool parse_i64(QTestServer *s, const char *word, int64_t *v)
{
    if (qemu_strtoi64(word, NULL, 0, v)) {
        qtest_sendf(s, "FAIL invalid number '%.64s'\n", word);
        return false;
    }
    return true;
}

static bool check_xfer_size(QTestServer *s, uint64_t size, bool allow_zero)
{
    if ((!size && !allow_zero) || size > QTEST_MAX_XFER) {
        qtest_sendf(s, "FAIL invalid size %" PRIu64 " (1 to %d bytes)\n",
                    size, QTEST_MAX_XFER);
        return false;
    }
    return true;
}

static int hexval(char c)
{
    return g_ascii_xdigit_value(c);
}

static DeviceState *qtest_find_device(QTestServer *s, const char *path)
{
    Object *obj = object_resolve_path(path, NULL);

    if (!obj || !object_dynamic_cast(obj, TYPE_DEVICE)) {
        qtest_send(s, "FAIL Unknown device\n");
        return NULL;
    }
    return DEVICE(obj);
}

static void qtest_irq_handler(void *opaque, int n, int level)
{
    QTestServer *s = opaque;

    if (n < 0 || n >= (int)ARRAY_SIZE(s->irq_levels)) {
        return;
    }
    level = !!level;
    if (s->irq_levels[n] != level) {
        s->irq_levels[n] = level;
        qtest_sendf(s, "IRQ %s %d\n", level ? "raise" : "lower", n);
    }
}

/* -------------------------------------------------------------- commands */

typedef void QTestCmdFunc(QTestServer *s, char **words, int nwords);

static void cmd_out(QTestServer *s, char **w, int n)
{
    uint64_t addr, val;
    unsigned size = w[0][3] == 'b' ? 1 : w[0][3] == 'w' ? 2 : 4;
    uint8_t buf[4];

    if (!parse_u64(s, w[1], &addr) || !parse_u64(s, w[2], &val)) {
        return;
    }
    if (addr > 0xffff) {
        qtest_send(s, "FAIL port address out of range (0..0xffff)\n");
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        buf[i] = val >> (8 * i);
    }
    address_space_write(s->as_io, addr, buf, size);
    qtest_send(s, "OK\n");
}

static void cmd_in(QTestServer *s, char **w, int n)
{
    uint64_t addr, val = 0;
    unsigned size = w[0][2] == 'b' ? 1 : w[0][2] == 'w' ? 2 : 4;
    uint8_t buf[4] = { 0 };

    if (!parse_u64(s, w[1], &addr)) {
        return;
    }
    if (addr > 0xffff) {
        qtest_send(s, "FAIL port address out of range (0..0xffff)\n");
        return;
    }
    address_space_read(s->as_io, addr, buf, size);
    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)buf[i] << (8 * i);
    }
    qtest_sendf(s, "OK 0x%04" PRIx64 "\n", val);
}

static unsigned width_of(char c)
{
    return c == 'b' ? 1 : c == 'w' ? 2 : c == 'l' ? 4 : 8;
}

static void cmd_write_n(QTestServer *s, char **w, int n)
{
    uint64_t addr, val;
    unsigned size = width_of(w[0][5]);
    uint8_t buf[8];

    if (!parse_u64(s, w[1], &addr) || !parse_u64(s, w[2], &val)) {
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        buf[i] = val >> (8 * i);
    }
    address_space_write(s->as_mem, addr, buf, size);
    qtest_send(s, "OK\n");
}

static void cmd_read_n(QTestServer *s, char **w, int n)
{
    uint64_t addr, val = 0;
    unsigned size = width_of(w[0][4]);
    uint8_t buf[8] = { 0 };

    if (!parse_u64(s, w[1], &addr)) {
        return;
    }
    address_space_read(s->as_mem, addr, buf, size);
    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)buf[i] << (8 * i);
    }
    qtest_sendf(s, "OK 0x%016" PRIx64 "\n", val);
}

static void cmd_read(QTestServer *s, char **w, int n)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t addr, size;
    g_autofree uint8_t *data = NULL;
    g_autofree char *out = NULL;

    if (!parse_u64(s, w[1], &addr) || !parse_u64(s, w[2], &size) ||
        !check_xfer_size(s, size, false)) {
        return;
    }
    data = g_malloc(size);
    address_space_read(s->as_mem, addr, data, size);
    out = g_malloc(size * 2 + 7);   /* "OK 0x" HEX "\n" NUL */
    memcpy(out, "OK 0x", 5);
    for (uint64_t i = 0; i < size; i++) {
        out[5 + 2 * i] = hex[data[i] >> 4];
        out[6 + 2 * i] = hex[data[i] & 0xf];
    }
    out[5 + size * 2] = '\n';
    out[6 + size * 2] = '\0';
    qtest_send(s, out);
}

static void cmd_write(QTestServer *s, char **w, int n)
{
    uint64_t addr, size;
    size_t len;
    g_autofree uint8_t *data = NULL;

    if (!parse_u64(s, w[1], &addr) || !parse_u64(s, w[2], &size) ||
        !check_xfer_size(s, size, false)) {
        return;
    }
    len = strlen(w[3]);
    if (len < 3 || w[3][0] != '0' || (w[3][1] != 'x' && w[3][1] != 'X')) {
        qtest_send(s, "ERR invalid argument size\n");
        return;
    }
    data = g_malloc0(size);
    for (uint64_t i = 0; i < size && 2 + 2 * i < len; i++) {
        int hi = hexval(w[3][2 + 2 * i]);
        int lo = 3 + 2 * i < len ? hexval(w[3][3 + 2 * i]) : 0;

        if (hi < 0 || lo < 0) {
            qtest_send(s, "FAIL invalid hex data\n");
            return;
        }
        data[i] = hi << 4 | lo;
    }
    address_space_write(s->as_mem, addr, data, size);
    qtest_send(s, "OK\n");
}

static void cmd_b64read(QTestServer *s, char **w, int n)
{
    uint64_t addr, size;
    g_autofree uint8_t *data = NULL;
    g_autofree char *b64 = NULL;

    if (!parse_u64(s, w[1], &addr) || !parse_u64(s, w[2], &size) ||
        !check_xfer_size(s, size, false)) {
        return;
    }
    data = g_malloc(size);
    address_space_read(s->as_mem, addr, data, size);
    b64 = g_base64_encode(data, size);
    qtest_sendf(s, "OK %s\n", b64);
}

static void cmd_b64write(QTestServer *s, char **w, int n)
{
    uint64_t addr, size;
    gsize data_len;
    guchar *data;

    if (!parse_u64(s, w[1], &addr) || !parse_u64(s, w[2], &size) ||
        !check_xfer_size(s, size, false)) {
        return;
    }
    if (strlen(w[3]) < 3) {
        qtest_send(s, "ERR invalid argument size\n");
        return;
    }
    for (const char *p = w[3]; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/' && *p != '=') {
            qtest_send(s, "FAIL invalid base64 data\n");
            return;
        }
    }
    data = g_base64_decode_inplace(w[3], &data_len);
    if (data_len != size && s->log) {
        fprintf(s->log, "b64write size mismatch (%zu != %" PRIu64 "), "
                "writing the smaller\n", (size_t)data_len, size);
    }
    address_space_write(s->as_mem, addr, data, MIN(data_len, size));
    qtest_send(s, "OK\n");
}

static void cmd_memset(QTestServer *s, char **w, int n)
{
    uint64_t addr, size, val;

    if (!parse_u64(s, w[1], &addr) || !parse_u64(s, w[2], &size) ||
        !parse_u64(s, w[3], &val)) {
        return;
    }
    if (size && addr + (size - 1) < addr) {
        qtest_send(s, "FAIL range wraps past 2^64\n");
        return;
    }
    address_space_set(s->as_mem, addr, val, size);
    qtest_send(s, "OK\n");
}

static void cmd_endianness(QTestServer *s, char **w, int n)
{
    qtest_send(s, "OK little\n");
}

static void cmd_clock_step(QTestServer *s, char **w, int n)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), target, step;

    if (n >= 2) {
        if (!parse_i64(s, w[1], &step)) {
            return;
        }
        if (step < 0 || step > INT64_MAX - now) {
            qtest_send(s, "FAIL could not advance time\n");
            return;
        }
        target = now + step;
    } else {
        target = qemu_clock_deadline_virtual();
        if (target < 0) {
            qtest_send(s, "FAIL cannot advance clock to the next deadline "
                       "because there is no pending deadline\n");
            return;
        }
    }
    qemu_clock_set_virtual(target);
    qtest_sendf(s, "OK %" PRIi64 "\n", qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

static void cmd_clock_set(QTestServer *s, char **w, int n)
{
    int64_t ns;

    if (!parse_i64(s, w[1], &ns)) {
        return;
    }
    if (!qemu_clock_set_virtual(ns)) {
        qtest_sendf(s, "FAIL %" PRIi64 "\n",
                    qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
        return;
    }
    qtest_sendf(s, "OK %" PRIi64 "\n", qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

static void cmd_irq_intercept(QTestServer *s, char **w, int n)
{
    bool is_out = !strcmp(w[0], "irq_intercept_out");
    DeviceState *dev = qtest_find_device(s, w[1]);
    const char *name = is_out && n >= 3 ? w[2] : NULL;
    qemu_irq *in, **out;
    int num_in, num_out;

    if (!dev) {
        return;
    }
    if (s->irq_intercept_dev == dev) {
        qtest_send(s, "OK\n");
        return;
    }
    if (s->irq_intercept_dev) {
        qtest_send(s, "FAIL IRQ intercept already enabled\n");
        return;
    }
    if (!qdev_gpio_list(dev, name, &in, &num_in, &out, &num_out)) {
        if (!is_out && qdev_has_named_gpio_in(dev)) {
            qtest_send(s, "FAIL Interception of named in-GPIOs not yet "
                       "supported\n");
        } else {
            qtest_send(s, "FAIL No intercepts installed\n");
        }
        return;
    }
    if (is_out) {
        if (!out || !num_out) {
            qtest_send(s, "FAIL No intercepts installed\n");
            return;
        }
        s->intercepted_out = g_new0(qemu_irq, num_out);
        for (int i = 0; i < num_out; i++) {
            s->intercepted_out[i] = qemu_allocate_irq(qtest_irq_handler, s,
                                                      i);
            (*out)[i] = s->intercepted_out[i];
        }
        s->intercepted_out_n = num_out;
    } else {
        if (!num_in) {
            qtest_send(s, "FAIL No intercepts installed\n");
            return;
        }
        qemu_irq_intercept_in(in, qtest_irq_handler, s, num_in);
    }
    s->irq_intercept_dev = dev;
    memset(s->irq_levels, 0, sizeof(s->irq_levels));
    qtest_send(s, "OK\n");
}

static void cmd_set_irq_in(QTestServer *s, char **w, int n)
{
    DeviceState *dev = qtest_find_device(s, w[1]);
    const char *name = strcmp(w[2], "unnamed-gpio-in") ? w[2] : NULL;
    uint64_t num;
    int64_t level;
    qemu_irq irq;

    if (!dev || !parse_u64(s, w[3], &num) || !parse_i64(s, w[4], &level)) {
        return;
    }
    irq = num <= INT_MAX ? qdev_get_gpio_in_named(dev, name, num) : NULL;
    if (!irq) {
        qtest_send(s, "FAIL No such IRQ\n");
        return;
    }
    qemu_set_irq(irq, level);
    qtest_send(s, "OK\n");
}

static CPUState *cpu_arg(QTestServer *s, const char *word)
{
    uint64_t idx;
    unsigned n;
    CPUState **cpus = machine_cpus(&n);

    if (!parse_u64(s, word, &idx)) {
        return NULL;
    }
    if (idx >= n) {
        qtest_sendf(s, "FAIL no vCPU %" PRIu64 " (the machine has %u)\n",
                    idx, n);
        return NULL;
    }
    return cpus[idx];
}

static void cmd_cpu_set(QTestServer *s, char **w, int n)
{
    CPUState *cpu = cpu_arg(s, w[1]);
    Error *err = NULL;
    uint64_t val;

    if (!cpu || !parse_u64(s, w[3], &val)) {
        return;
    }
    if (!x86_cpu_set_reg(&cpu->env, w[2], val, &err)) {
        qtest_sendf(s, "FAIL %s\n", error_get_pretty(err));
        error_free(err);
        return;
    }
    qtest_send(s, "OK\n");
}

static void cmd_cpu_get(QTestServer *s, char **w, int n)
{
    CPUState *cpu = cpu_arg(s, w[1]);
    Error *err = NULL;
    uint64_t val;

    if (!cpu) {
        return;
    }
    if (!x86_cpu_get_reg(&cpu->env, w[2], &val, &err)) {
        qtest_sendf(s, "FAIL %s\n", error_get_pretty(err));
        error_free(err);
        return;
    }
    qtest_sendf(s, "OK 0x%016" PRIx64 "\n", val);
}

static void cmd_module_load(QTestServer *s, char **w, int n)
{
    qtest_send(s, "FAIL module loading is not supported\n");
}

static const struct {
    const char *name;
    int min_words;      /* including the command */
    QTestCmdFunc *fn;
} qtest_cmds[] = {
    { "outb", 3, cmd_out }, { "outw", 3, cmd_out }, { "outl", 3, cmd_out },
    { "inb", 2, cmd_in }, { "inw", 2, cmd_in }, { "inl", 2, cmd_in },
    { "writeb", 3, cmd_write_n }, { "writew", 3, cmd_write_n },
    { "writel", 3, cmd_write_n }, { "writeq", 3, cmd_write_n },
    { "readb", 2, cmd_read_n }, { "readw", 2, cmd_read_n },
    { "readl", 2, cmd_read_n }, { "readq", 2, cmd_read_n },
    { "read", 3, cmd_read }, { "write", 4, cmd_write },
    { "b64read", 3, cmd_b64read }, { "b64write", 4, cmd_b64write },
    { "memset", 4, cmd_memset },
    { "endianness", 1, cmd_endianness },
    { "clock_step", 1, cmd_clock_step }, { "clock_set", 2, cmd_clock_set },
    { "irq_intercept_in", 2, cmd_irq_intercept },
    { "irq_intercept_out", 2, cmd_irq_intercept },
    { "set_irq_in", 5, cmd_set_irq_in },
    { "module_load", 3, cmd_module_load },
    { "cpu_set", 4, cmd_cpu_set }, { "cpu_get", 3, cmd_cpu_get },
};

/*
 * Cut @line into words at runs of spaces, in place (one pass, no
 * allocation).  Returns the number of words, or -1 if there are more than
 * QTEST_MAX_WORDS (no command takes that many).
 */
static int qtest_split_words(char *line, char **words)
{
    int n = 0;
    char *p = line;

    for (;;) {
        while (*p == ' ') {
            p++;
        }
        if (!*p) {
            break;
        }
        if (n == QTEST_MAX_WORDS) {
            return -1;
        }
        words[n++] = p;
        p += strcspn(p, " ");
        if (*p) {
            *p++ = '\0';
        }
    }
    words[n] = NULL;
    return n;
}

static void qtest_process_line(QTestServer *s, char *line)
{
    char *words[QTEST_MAX_WORDS + 1];
    int n;

    if (s->log) {
        fprintf(s->log, "[R +%.6f] %s\n", qtest_elapsed(s), line);
    }
    n = qtest_split_words(line, words);
    if (n < 0) {
        qtest_sendf(s, "FAIL too many words (limit %d)\n", QTEST_MAX_WORDS);
        return;
    }
    if (!n) {
        qtest_send(s, "FAIL empty command\n");
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(qtest_cmds); i++) {
        if (!strcmp(words[0], qtest_cmds[i].name)) {
            if (n < qtest_cmds[i].min_words) {
                qtest_sendf(s, "FAIL missing argument(s) for '%s'\n",
                            words[0]);
                return;
            }
            qtest_cmds[i].fn(s, words, n);
            return;
        }
    }
    qtest_sendf(s, "FAIL Unknown command '%.64s'\n", words[0]);
}

/* Forget the line just handled; give a large buffer back. */
static void qtest_reset_inbuf(QTestServer *s)
{
    if (s->inbuf->allocated_len > QTEST_KEEP_INBUF) {
        g_string_free(s->inbuf, true);
        s->inbuf = g_string_new("");
    } else {
        g_string_truncate(s->inbuf, 0);
    }
}

static void qtest_read(void *opaque, const uint8_t *buf, size_t len,
                       int *fds, size_t nfds)
{
    QTestServer *s = opaque;

    for (size_t i = 0; i < nfds; i++) {
        close(fds[i]);
    }
    while (len) {
        const uint8_t *nl = memchr(buf, '\n', len);
        size_t chunk = nl ? (size_t)(nl - buf) : len;

        if (s->discarding) {
            if (nl) {
                s->discarding = false;
            }
        } else if (s->inbuf->len + chunk > QTEST_MAX_LINE) {
            qtest_reset_inbuf(s);
            s->discarding = !nl;
            qtest_sendf(s, "FAIL line too long (limit %d bytes)\n",
                        QTEST_MAX_LINE);
        } else {
            g_string_append_len(s->inbuf, (const char *)buf, chunk);
            if (nl) {
                if (s->inbuf->len && s->inbuf->str[s->inbuf->len - 1] ==
                    '\r') {
                    g_string_truncate(s->inbuf, s->inbuf->len - 1);
                }
                if (memchr(s->inbuf->str, '\0', s->inbuf->len)) {
                    qtest_send(s, "FAIL NUL byte in command\n");
                } else {
                    qtest_process_line(s, s->inbuf->str);
                }
                qtest_reset_inbuf(s);
            }
        }
        if (!nl) {
            break;
        }
        len -= chunk + 1;
        buf = nl + 1;
    }
}

static void qtest_opened(void *opaque)
{
    QTestServer *s = opaque;

    if (s->log) {
        fprintf(s->log, "[I %.6f] OPENED\n", qtest_elapsed(s));
    }
}

static void qtest_closed(void *opaque)
{
    QTestServer *s = opaque;

    qtest_reset_inbuf(s);
    s->discarding = false;
    if (s->log) {
        fprintf(s->log, "[I %.6f] CLOSED\n", qtest_elapsed(s));
    }
}

static const CharHandlers qtest_handlers = {
    .opened = qtest_opened,
    .read = qtest_read,
    .closed = qtest_closed,
};

bool qtest_server_init(const char *spec, const char *logfile,
                       AddressSpace *as_mem, AddressSpace *as_io,
                       Error **errp)
{
    QTestServer *s;
    Chardev *chr;

    if (qtest) {
        error_setg(errp, "Only one instance of qtest can be created");
        return false;
    }
    chr = qemu_chr_new_compat("qtest", spec, errp);
    if (!chr) {
        return false;
    }
    s = g_new0(QTestServer, 1);
    s->chr = chr;
    s->as_mem = as_mem;
    s->as_io = as_io;
    s->inbuf = g_string_new("");
    s->log_start = g_get_monotonic_time();
    if (logfile && strcmp(logfile, "none")) {
        s->log = fopen(logfile, "a");
        if (!s->log) {
            error_setg_errno(errp, errno, "cannot open qtest log '%s'",
                             logfile);
            g_string_free(s->inbuf, true);
            g_free(s);
            return false;
        }
        setvbuf(s->log, NULL, _IOLBF, 0);
    }
    qtest = s;
    if (!qemu_chr_set_handlers(chr, &qtest_handlers, s, errp)) {
        qtest_server_cleanup();
        return false;
    }
    return true;
}

void qtest_server_cleanup(void)
{
    QTestServer *s = qtest;

    if (!s) {
        return;
    }
    if (s->log) {
        fclose(s->log);
    }
    for (int i = 0; i < s->intercepted_out_n; i++) {
        qemu_free_irq(s->intercepted_out[i]);
    }
    g_free(s->intercepted_out);
    g_string_free(s->inbuf, true);
    g_free(s);
    qtest = NULL;
}

bool qtest_enabled(void)
{
    return qtest != NULL;
}
