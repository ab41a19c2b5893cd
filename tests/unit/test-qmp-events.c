/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qmp-events.c: QMP events: wire format, QEMU's per-event rate
 * limits (stepped with the virtual clock, plus one real-time check), and
 * events sent from other threads.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "qapi/qmp-registry.h"
#include "monitor/monitor.h"
#include "qmp-test-client.h"

#define SECOND_NS (1000 * 1000 * 1000LL)

typedef QmpTestFixture Fixture;

static void fixture_teardown(Fixture *f, gconstpointer id)
{
    qmp_test_fixture_teardown(f, id);
    monitor_set_event_clock(QEMU_CLOCK_REALTIME);
}

static void emit(const char *name, const char *key, const char *value,
                 int64_t n)
{
    JsonObject *data = json_object_new();

    if (key) {
        json_object_set_string_member(data, key, value);
    }
    json_object_set_int_member(data, "n", n);
    qapi_event_send(name, data);
}

/* The next event, which must be @name with data member n == @n. */
static void expect(Fixture *f, const char *name, int64_t n)
{
    g_autoptr(JsonNode) ev = qmp_test_event(f->c, 2000);
    JsonObject *o;

    g_assert_nonnull(ev);
    o = json_node_get_object(ev);
    g_assert_cmpstr(json_object_get_string_member(o, "event"), ==, name);
    g_assert_cmpint(json_object_get_int_member(
        json_object_get_object_member(o, "data"), "n"), ==, n);
}

static void expect_none(Fixture *f)
{
    g_autoptr(JsonNode) ev = qmp_test_event(f->c, 50);

    if (ev) {
        g_autofree char *s = json_to_string(ev, false);

        g_error("unexpected event %s", s);
    }
}

static void test_format(Fixture *f, gconstpointer data)
{
    JsonObject *d = json_object_new();
    g_autofree char *line = NULL, *line2 = NULL;
    int64_t sec, usec, now = g_get_real_time() / G_USEC_PER_SEC;
    char tail[64];

    json_object_set_string_member(d, "k", "v");
    qapi_event_send("TEST_EV", d);
    line = qmp_test_recv_line(f->c);
    g_assert_cmpint(sscanf(line, "{\"timestamp\":{\"seconds\":%" SCNd64
                           ",\"microseconds\":%" SCNd64 "},%63s", &sec,
                           &usec, tail), ==, 3);
    g_assert_cmpint(llabs(sec - now), <=, 5);
    g_assert_cmpint(usec, >=, 0);
    g_assert_cmpint(usec, <, G_USEC_PER_SEC);
    g_assert_cmpstr(tail, ==, "\"event\":\"TEST_EV\",\"data\":{\"k\":\"v\"}}");
    /* no data: no "data" member */
    qapi_event_send("TEST_EV2", NULL);
    line2 = qmp_test_recv_line(f->c);
    g_assert_true(g_str_has_suffix(line2, "},\"event\":\"TEST_EV2\"}"));
}

static void step(int64_t ns)
{
    g_assert_true(qemu_clock_set_virtual(
        qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + ns));
    qmp_test_pump(0);
}

static void test_rate_limit(Fixture *f, gconstpointer data)
{
    const char *msc = "MEMORY_DEVICE_SIZE_CHANGE";

    monitor_set_event_clock(QEMU_CLOCK_VIRTUAL);
    emit(msc, "qom-path", "/machine/peripheral/vm0", 1);
    expect(f, msc, 1);
    emit(msc, "qom-path", "/machine/peripheral/vm0", 2);
    emit(msc, "qom-path", "/machine/peripheral/vm0", 3);
    expect_none(f);
    /* another device has its own window; unlimited events pass */
    emit(msc, "qom-path", "/machine/peripheral/vm1", 10);
    expect(f, msc, 10);
    emit("RESET", NULL, NULL, 20);
    emit("RESET", NULL, NULL, 21);
    expect(f, "RESET", 20);
    expect(f, "RESET", 21);
    /* the window ends: the last delayed one goes, the one before not */
    step(SECOND_NS - 1);
    expect_none(f);
    step(1);
    expect(f, msc, 3);
    expect_none(f);
    /* that started a new window ... */
    emit(msc, "qom-path", "/machine/peripheral/vm0", 4);
    expect_none(f);
    step(SECOND_NS);
    expect(f, msc, 4);
    /* ... and a quiet window closes the state: sent at once again */
    step(SECOND_NS);
    expect_none(f);
    emit(msc, "qom-path", "/machine/peripheral/vm0", 5);
    expect(f, msc, 5);
}

static void test_rate_limit_keys(Fixture *f, gconstpointer data)
{
    monitor_set_event_clock(QEMU_CLOCK_VIRTUAL);
    /* before QEMU 6.2 the device was named by "id" only */
    emit("MEMORY_DEVICE_SIZE_CHANGE", "id", "vm0", 1);
    emit("MEMORY_DEVICE_SIZE_CHANGE", "id", "vm0", 2);
    emit("MEMORY_DEVICE_SIZE_CHANGE", "id", "vm1", 3);
    /* one window for all RTC_CHANGE, whatever the data */
    emit("RTC_CHANGE", "offset", "a", 4);
    emit("RTC_CHANGE", "offset", "b", 5);
    /* per id / per node-name */
    emit("VSERPORT_CHANGE", "id", "p0", 6);
    emit("VSERPORT_CHANGE", "id", "p1", 7);
    emit("VSERPORT_CHANGE", "id", "p0", 8);
    emit("QUORUM_REPORT_BAD", "node-name", "n0", 9);
    emit("QUORUM_REPORT_BAD", "node-name", "n0", 10);
    emit("WATCHDOG", NULL, NULL, 11);
    emit("WATCHDOG", NULL, NULL, 12);
    expect(f, "MEMORY_DEVICE_SIZE_CHANGE", 1);
    expect(f, "MEMORY_DEVICE_SIZE_CHANGE", 3);
    expect(f, "RTC_CHANGE", 4);
    expect(f, "VSERPORT_CHANGE", 6);
    expect(f, "VSERPORT_CHANGE", 7);
    expect(f, "QUORUM_REPORT_BAD", 9);
    expect(f, "WATCHDOG", 11);
    expect_none(f);
    step(SECOND_NS);
    for (int i = 0; i < 5; i++) {
        g_autoptr(JsonNode) ev = qmp_test_event(f->c, 2000);
        int64_t n;

        g_assert_nonnull(ev);
        n = json_object_get_int_member(json_object_get_object_member(
            json_node_get_object(ev), "data"), "n");
        /* timers of one instant fire in any order */
        g_assert_true(n == 2 || n == 5 || n == 8 || n == 10 || n == 12);
    }
    expect_none(f);
}

static void test_rate_limit_realtime(Fixture *f, gconstpointer data)
{
    gint64 start = g_get_monotonic_time(), waited;

    emit("BALLOON_CHANGE", NULL, NULL, 1);
    expect(f, "BALLOON_CHANGE", 1);
    emit("BALLOON_CHANGE", NULL, NULL, 2);
    expect(f, "BALLOON_CHANGE", 2);
    waited = g_get_monotonic_time() - start;
    g_assert_cmpint(waited, >=, G_USEC_PER_SEC * 9 / 10);
    g_assert_cmpint(waited, <, G_USEC_PER_SEC * 3);
}

#define THREADS 4
#define PER_THREAD 500

static gpointer sender(gpointer opaque)
{
    int t = GPOINTER_TO_INT(opaque);

    for (int i = 0; i < PER_THREAD; i++) {
        JsonObject *data = json_object_new();

        json_object_set_int_member(data, "t", t);
        json_object_set_int_member(data, "n", i);
        qapi_event_send("TEST_THREAD", data);
    }
    return NULL;
}

static void test_threads(Fixture *f, gconstpointer data)
{
    GThread *threads[THREADS];
    int64_t next[THREADS] = { 0 };

    for (int t = 0; t < THREADS; t++) {
        threads[t] = g_thread_new("sender", sender, GINT_TO_POINTER(t));
    }
    for (int got = 0; got < THREADS * PER_THREAD; got++) {
        g_autoptr(JsonNode) ev = qmp_test_event(f->c, 5000);
        JsonObject *d;
        int64_t t;

        g_assert_nonnull(ev);
        d = json_object_get_object_member(json_node_get_object(ev), "data");
        t = json_object_get_int_member(d, "t");
        /* each thread's events arrive complete and in order */
        g_assert_cmpint(json_object_get_int_member(d, "n"), ==, next[t]++);
    }
    for (int t = 0; t < THREADS; t++) {
        g_thread_join(threads[t]);
    }
    expect_none(f);
}

static gint handed_over;

static gpointer sender_then_signal(gpointer opaque)
{
    emit("TEST_FROM_THREAD", NULL, NULL, 1);
    g_atomic_int_set(&handed_over, 1);
    return NULL;
}

static void test_thread_order(Fixture *f, gconstpointer data)
{
    GThread *t;

    g_atomic_int_set(&handed_over, 0);
    t = g_thread_new("sender", sender_then_signal, NULL);
    /* wait without running the main loop: the event is still queued */
    while (!g_atomic_int_get(&handed_over)) {
        g_usleep(100);
    }
    emit("TEST_FROM_MAIN", NULL, NULL, 2);
    expect(f, "TEST_FROM_THREAD", 1);
    expect(f, "TEST_FROM_MAIN", 2);
    g_thread_join(t);
}

static void test_after_cleanup(void)
{
    g_autofree char *path = NULL;

    qmp_test_server("late", false, &path);
    qmp_test_teardown();
    /* no emitter any more: the data is freed, nothing is sent */
    emit("TEST_LATE", "k", "v", 1);
    sender(GINT_TO_POINTER(0));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) \
    g_test_add("/monitor/qmp/events/" path, Fixture, "ev", \
               qmp_test_fixture_setup, fn, fixture_teardown)
    ADD("format", test_format);
    ADD("rate-limit", test_rate_limit);
    ADD("rate-limit-keys", test_rate_limit_keys);
    ADD("rate-limit-realtime", test_rate_limit_realtime);
    ADD("threads", test_threads);
    ADD("thread-order", test_thread_order);
    g_test_add_func("/monitor/qmp/events/after-cleanup", test_after_cleanup);
    return g_test_run();
}
