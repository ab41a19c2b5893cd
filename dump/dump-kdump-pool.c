/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-kdump-pool.c: parallel page compression with ordered output.
 *
 * The writer thread (the dump thread) fills batches of pages from the
 * page cursor and hands them to a pool of compression threads; it takes
 * them back strictly in the order it filled them.  Each batch is
 * compressed by one thread, with that thread's own compressor, and the
 * result depends only on the pages, so the file is the same whatever the
 * number of threads and however they are scheduled.
 */

/**
 * DOC: kdump compression pipeline
 *
 * A ring of 2 * N + 2 batch slots for N threads, used in fill order;
 * counters in batches since the start: done_upto <= filled and
 * filled - done_upto <= slots.  A FIFO of the QUEUED slots feeds the
 * workers.
 *
 *   slot states:  FREE --writer fills (kdump_pool_next)--> QUEUED
 *                 QUEUED --a worker pops it from the FIFO--> BUSY
 *                 BUSY --worker compressed it--> DONE
 *                 DONE --writer took it back in fill order--> FREE
 *
 * The writer refills every FREE slot before it waits, so up to 2N + 2
 * batches are queued or in work while it writes one; a batch with
 * nothing to compress (all zero pages) is DONE when filled and never
 * queued.  One pthread mutex protects the FIFO and the states (not
 * GLib's futex-based GMutex, which
 * ThreadSanitizer cannot see); a slot's batch belongs to the writer
 * while FREE or DONE and to one worker while BUSY, so its contents need
 * no lock.  kdump_pool_free() sets @stop: workers finish the batch in
 * hand and exit; the writer joins them.
 *
 * Memory: at most (2N + 2) batches of KDUMP_BATCH_PAGES pages (each
 * at most two pages of buffers per page: the compressed output and
 * copies of pages assembled from several blocks), plus one compressor
 * per thread -- kdump_pool_memory_bound().
 */
#include "qemu/osdep.h"
#include <pthread.h>
#include "dump/dump-kdump.h"

typedef enum SlotState {
    SLOT_FREE,
    SLOT_QUEUED,
    SLOT_BUSY,
    SLOT_DONE,
} SlotState;

typedef struct KdumpWorker {
    KdumpPool *pool;
    pthread_t thread;
    KdumpCompressor *comp;
} KdumpWorker;

/*
 * struct KdumpPool
 * @lock: protects @state, @queue, @qhead, @qtail and @stop.
 * @work_cond: a slot was queued, or @stop was set (workers wait).
 * @done_cond: a slot became DONE (the writer waits).
 * @queue: slot numbers to compress, a ring of @nslots; workers pop at
 *         @qhead, the writer pushes at @qtail (both count from 0).
 * @filled: batches filled (the next fills slot @filled % @nslots).
 * @done_upto: batches taken back by the writer.
 * @exhausted: the page cursor is at its end.
 */
struct KdumpPool {
    pthread_mutex_t lock;
    pthread_cond_t work_cond;
    pthread_cond_t done_cond;
    unsigned nslots;
    KdumpBatch **slots;
    SlotState *state;
    unsigned *queue;
    uint64_t qhead;
    uint64_t qtail;
    uint64_t filled;
    uint64_t done_upto;
    bool exhausted;
    bool stop;
    uint32_t flag;
    uint32_t page_size;
    unsigned nthreads;
    KdumpWorker *workers;
};

unsigned kdump_pool_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : MIN((unsigned long)n, DUMP_MAX_THREADS);
}

static unsigned pool_slots(unsigned nthreads)
{
    return 2 * nthreads + 2;
}

/* Compressor state per thread, generously (zlib's deflate is largest). */
#define KDUMP_COMPRESSOR_BOUND (512 * 1024)

size_t kdump_pool_memory_bound(unsigned nthreads, uint32_t page_size)
{
    return pool_slots(nthreads) * kdump_batch_max_bytes(page_size) +
           nthreads * (size_t)KDUMP_COMPRESSOR_BOUND;
}

static void *worker_main(void *opaque)
{
    KdumpWorker *w = opaque;
    KdumpPool *pool = w->pool;

    pthread_mutex_lock(&pool->lock);
    for (;;) {
        unsigned slot;

        while (!pool->stop && pool->qhead == pool->qtail) {
            pthread_cond_wait(&pool->work_cond, &pool->lock);
        }
        if (pool->stop) {
            break;
        }
        slot = pool->queue[pool->qhead++ % pool->nslots];
        assert(pool->state[slot] == SLOT_QUEUED);
        pool->state[slot] = SLOT_BUSY;
        pthread_mutex_unlock(&pool->lock);

        kdump_batch_compress(pool->slots[slot], w->comp, pool->page_size,
                             pool->flag);

        pthread_mutex_lock(&pool->lock);
        pool->state[slot] = SLOT_DONE;
        pthread_cond_signal(&pool->done_cond);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

KdumpPool *kdump_pool_new(unsigned nthreads, uint32_t flag,
                          uint32_t page_size, int level)
{
    KdumpPool *pool = g_new0(KdumpPool, 1);

    assert(nthreads >= 1 && nthreads <= DUMP_MAX_THREADS);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work_cond, NULL);
    pthread_cond_init(&pool->done_cond, NULL);
    pool->flag = flag;
    pool->page_size = page_size;
    pool->nslots = pool_slots(nthreads);
    pool->slots = g_new0(KdumpBatch *, pool->nslots);
    pool->state = g_new0(SlotState, pool->nslots);
    pool->queue = g_new0(unsigned, pool->nslots);
    for (unsigned i = 0; i < pool->nslots; i++) {
        pool->slots[i] = kdump_batch_new(page_size);
    }
    pool->workers = g_new0(KdumpWorker, nthreads);
    for (unsigned i = 0; i < nthreads; i++) {
        KdumpWorker *w = &pool->workers[i];

        w->pool = pool;
        w->comp = kdump_compressor_new(flag, page_size, level);
        if (!w->comp || pthread_create(&w->thread, NULL, worker_main, w)) {
            kdump_compressor_free(w->comp);
            kdump_pool_free(pool);
            return NULL;
        }
        pool->nthreads++;
    }
    return pool;
}

void kdump_pool_free(KdumpPool *pool)
{
    if (!pool) {
        return;
    }
    pthread_mutex_lock(&pool->lock);
    pool->stop = true;
    pthread_cond_broadcast(&pool->work_cond);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->nthreads; i++) {
        pthread_join(pool->workers[i].thread, NULL);
        kdump_compressor_free(pool->workers[i].comp);
    }
    for (unsigned i = 0; i < pool->nslots; i++) {
        kdump_batch_free(pool->slots[i]);
    }
    pthread_cond_destroy(&pool->done_cond);
    pthread_cond_destroy(&pool->work_cond);
    pthread_mutex_destroy(&pool->lock);
    g_free(pool->workers);
    g_free(pool->state);
    g_free(pool->queue);
    g_free(pool->slots);
    g_free(pool);
}

/*
 * Fill every FREE slot (writer thread; the slots are the writer's while
 * FREE, so filling needs no lock, only the hand-over does).
 */
static void pool_refill(KdumpPool *pool, KdumpPages *pages)
{
    while (!pool->exhausted &&
           pool->filled - pool->done_upto < pool->nslots) {
        unsigned slot = pool->filled % pool->nslots;
        KdumpBatch *b = pool->slots[slot];

        if (!kdump_pages_fill(pages, b)) {
            pool->exhausted = true;
            break;
        }
        pthread_mutex_lock(&pool->lock);
        pool->filled++;
        if (b->ndata) {
            pool->state[slot] = SLOT_QUEUED;
            pool->queue[pool->qtail++ % pool->nslots] = slot;
            pthread_cond_signal(&pool->work_cond);
        } else {
            pool->state[slot] = SLOT_DONE;
        }
        pthread_mutex_unlock(&pool->lock);
    }
}

KdumpBatch *kdump_pool_next(KdumpPool *pool, KdumpPages *pages)
{
    unsigned slot;

    /* the batch returned last time is written: its slot is FREE again */
    if (pool->done_upto) {
        unsigned prev = (pool->done_upto - 1) % pool->nslots;

        pthread_mutex_lock(&pool->lock);
        assert(pool->state[prev] == SLOT_DONE);
        pool->state[prev] = SLOT_FREE;
        pthread_mutex_unlock(&pool->lock);
    }
    pool_refill(pool, pages);
    if (pool->done_upto == pool->filled) {
        return NULL;
    }
    slot = pool->done_upto % pool->nslots;
    pthread_mutex_lock(&pool->lock);
    while (pool->state[slot] != SLOT_DONE) {
        pthread_cond_wait(&pool->done_cond, &pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
    pool->done_upto++;
    return pool->slots[slot];
}
