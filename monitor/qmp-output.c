/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-output.c: how QMP messages leave the monitor: serialisation in
 * QEMU's wire form (ASCII, CRLF) and flow control towards a client that
 * reads slowly or not at all.
 *
 * Output goes straight into the chardev's queue while that holds less
 * than QMP_OUT_HIGH_WATER bytes.  Above it, messages wait in the
 * monitor's own queue, where held-back events beyond QMP_MAX_HELD_EVENTS
 * are dropped oldest first, and the session stops reading input
 * (qmp.c), so a client cannot make us buffer replies without bound.
 * When the chardev reports its queue drained, an idle callback moves
 * held messages on and, once nothing is held back, resumes input.
 */
#include "qemu/osdep.h"
#include "monitor/monitor-internal.h"

typedef struct QmpOutMsg {
    GString *text;          /* serialised, CRLF-terminated */
    bool is_event;          /* events may be dropped, responses never */
} QmpOutMsg;

static void qmp_out_msg_free(QmpOutMsg *m)
{
    g_string_free(m->text, true);
    g_free(m);
}

/* Append UTF-8 @s (@len bytes) to @out with non-ASCII as \uXXXX. */
static void monitor_append_ascii(GString *out, const char *s, size_t len,
                                 bool crlf)
{
    const char *end = s + len;

    while (s < end) {
        gunichar c;

        if (!(*s & 0x80)) {
            if (*s == '\n' && crlf) {
                g_string_append_c(out, '\r');
            }
            g_string_append_c(out, *s++);
            continue;
        }
        c = g_utf8_get_char_validated(s, end - s);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            /* not UTF-8 (a command put raw bytes in a string) */
            g_string_append(out, "\\uFFFD");
            s++;
            continue;
        }
        if (c >= 0x10000) {
            c -= 0x10000;
            g_string_append_printf(out, "\\u%04X\\u%04X",
                                   0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF));
        } else {
            g_string_append_printf(out, "\\u%04X", c);
        }
        s = g_utf8_next_char(s);
    }
}

GString *monitor_json_text(JsonNode *node, bool pretty)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *raw = NULL;
    gsize len;
    GString *out;

    json_generator_set_root(gen, node);
    json_generator_set_pretty(gen, pretty);
    json_generator_set_indent(gen, 4);
    raw = json_generator_to_data(gen, &len);
    out = g_string_sized_new(len + 2);
    /* newlines only occur between tokens (pretty), never in strings */
    monitor_append_ascii(out, raw, len, true);
    g_string_append(out, "\r\n");
    return out;
}

bool monitor_qmp_congested(const MonitorQMP *mon)
{
    return mon->outq.length ||
           qemu_chr_outbuf_len(mon->chr) >= QMP_OUT_HIGH_WATER;
}

/* Drop the oldest held-back event. */
static void monitor_qmp_drop_oldest_event(MonitorQMP *mon)
{
    for (GList *l = mon->outq.head; l; l = l->next) {
        QmpOutMsg *m = l->data;

        if (m->is_event) {
            g_queue_delete_link(&mon->outq, l);
            qmp_out_msg_free(m);
            mon->held_events--;
            return;
        }
    }
}

void monitor_qmp_send(MonitorQMP *mon, JsonObject *msg, bool is_event)
{
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), msg);
    QmpOutMsg *m;

    if (mon->state == QMP_SESSION_CLOSED) {
        return;
    }
    m = g_new0(QmpOutMsg, 1);
    m->text = monitor_json_text(node, mon->pretty);
    m->is_event = is_event;
    if (!monitor_qmp_congested(mon)) {
        qemu_chr_write(mon->chr, m->text->str, m->text->len);
        qmp_out_msg_free(m);
        return;
    }
    g_queue_push_tail(&mon->outq, m);
    if (is_event && ++mon->held_events > QMP_MAX_HELD_EVENTS) {
        monitor_qmp_drop_oldest_event(mon);
    }
}

/* Move held messages into the chardev until it is full again. */
static void monitor_qmp_refill(MonitorQMP *mon)
{
    QmpOutMsg *m;

    while (qemu_chr_outbuf_len(mon->chr) < QMP_OUT_HIGH_WATER &&
           (m = g_queue_pop_head(&mon->outq))) {
        if (m->is_event) {
            mon->held_events--;
        }
        qemu_chr_write(mon->chr, m->text->str, m->text->len);
        qmp_out_msg_free(m);
    }
}

static gboolean monitor_qmp_pump(gpointer opaque)
{
    MonitorQMP *mon = opaque;

    mon->pump_src = 0;
    monitor_qmp_refill(mon);
    /* a deferred reply resumes input itself once it is sent */
    if (mon->input_paused && !mon->awaiting && !monitor_qmp_congested(mon)) {
        monitor_qmp_resume_input(mon);
    }
    return G_SOURCE_REMOVE;
}

void monitor_qmp_output_drained(void *opaque)
{
    MonitorQMP *mon = opaque;

    /*
     * Not from inside the chardev's write callback: the pump feeds
     * input, which may write, pause or even see the client go.
     */
    if (!mon->pump_src &&
        (mon->input_paused || !g_queue_is_empty(&mon->outq))) {
        mon->pump_src = g_idle_add(monitor_qmp_pump, mon);
    }
}

void monitor_qmp_output_reset(MonitorQMP *mon)
{
    g_queue_clear_full(&mon->outq, (GDestroyNotify)qmp_out_msg_free);
    mon->held_events = 0;
    if (mon->pump_src) {
        g_source_remove(mon->pump_src);
        mon->pump_src = 0;
    }
}

void monitor_qmp_output_flush(MonitorQMP *mon)
{
    QmpOutMsg *m;

    while ((m = g_queue_pop_head(&mon->outq))) {
        qemu_chr_write(mon->chr, m->text->str, m->text->len);
        qmp_out_msg_free(m);
    }
    mon->held_events = 0;
    qemu_chr_flush(mon->chr, 1000);
}
