/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-job.c: build a DumpJob from the machine's state (on the main
 * thread, VM stopped), run its encoder, and the registry of encoders.
 *
 * Everything the dump thread needs is computed here first -- block list,
 * mappings, notes, the encoder's layout -- so the thread touches neither
 * vCPU state nor the memory tree, only host memory through the blocks.
 * A job holds a discard freeze from dump_job_prepare() to
 * dump_job_cleanup(), so those blocks stay plugged while it reads them.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "qemu/error.h"
#include "qemu/trace.h"
#include "dump/dump-internal.h"

/* ------------------------------------------------------------ registry */

#define DUMP_MAX_ENCODERS 16
static const DumpEncoder *encoders[DUMP_MAX_ENCODERS];
static unsigned nr_encoders;

void dump_encoder_register(const DumpEncoder *enc)
{
    assert(!dump_encoder_find(enc->format));
    assert(nr_encoders < DUMP_MAX_ENCODERS);
    encoders[nr_encoders++] = enc;
}

const DumpEncoder *dump_encoder_find(const char *format)
{
    for (unsigned i = 0; i < nr_encoders; i++) {
        if (!strcmp(encoders[i]->format, format)) {
            return encoders[i];
        }
    }
    return NULL;
}

void dump_register_encoders(void)
{
    if (!dump_encoder_find(dump_elf_encoder.format)) {
        dump_encoder_register(&dump_elf_encoder);
    }
    dump_kdump_register_encoders();
}

/* ----------------------------------------------------------------- job */

void dump_job_cleanup(DumpJob *job)
{
    /* first: un-protect guest memory and join the fault thread */
    write_tracker_free(job->tracker);
    job->tracker = NULL;
    if (job->encoder && job->encoder->cleanup) {
        job->encoder->cleanup(job);
    }
    job->encoder_state = NULL;
    guest_phys_blocks_free(&job->blocks);
    memory_mapping_list_free(&job->mappings);
    if (job->notes) {
        g_byte_array_unref(job->notes);
        job->notes = NULL;
    }
    /* Last: nothing reads the blocks any more (the writer was joined). */
    if (job->discard_frozen) {
        job->discard_frozen = false;
        ram_discard_thaw();
    }
}

bool dump_job_prepare(DumpJob *job, const DumpEncoder *encoder,
                      const DumpJobConfig *cfg, DumpSink *sink,
                      Error **errp)
{
    uint8_t *guest_note = NULL;
    size_t guest_note_size = 0;

    memset(job, 0, sizeof(*job));
    job->encoder = encoder;
    job->sink = sink;
    job->nr_cpus = cfg->ncpus;
    job->threads = cfg->threads;
    job->kdump = cfg->kdump;
    job->tracker = cfg->tracker;
    guest_phys_blocks_init(&job->blocks);
    memory_mapping_list_init(&job->mappings);
    /*
     * Before the block list: what replay_populated reports must stay true
     * until the last block is read (dump_job_cleanup() thaws).
     */
    ram_discard_freeze();
    job->discard_frozen = true;

    if (cfg->has_filter) {
        if (!cfg->length) {
            error_setg(errp, "parameter 'length' expects a non-zero size");
            goto fail;
        }
        if (cfg->length < 0) {
            error_setg(errp, "parameter 'length' expects a positive size");
            goto fail;
        }
        if (cfg->begin < 0) {
            error_setg(errp, "parameter 'begin' expects a non-negative "
                       "guest-physical address");
            goto fail;
        }
        job->filter_begin = cfg->begin;
        job->filter_length = cfg->length;
    }

    guest_phys_blocks_append(&job->blocks, cfg->as, cfg->block_flags);
    job->total_size = guest_phys_blocks_total_size(&job->blocks,
                                                   job->filter_begin,
                                                   job->filter_length);
    trace_event("dump_job_prepare", "blocks=%u total=%" PRIu64,
                job->blocks.num, job->total_size);
    if (!job->total_size) {
        error_setg(errp, "dump: no guest memory to dump");
        goto fail;
    }

    dump_arch_info_init(&job->arch, cfg->cpus, cfg->ncpus, &job->blocks);
    dump_guest_note_fetch(&job->arch, &job->blocks, cfg->vmcoreinfo,
                          &guest_note, &guest_note_size);
    job->notes = dump_build_notes(&job->arch, cfg->cpus, cfg->ncpus,
                                  guest_note, guest_note_size);
    g_free(guest_note);

    if (encoder->needs_mappings) {
        if (cfg->paging) {
            if (!qemu_get_guest_memory_mapping(&job->mappings, &job->blocks,
                                               cfg->cpus, cfg->ncpus,
                                               cfg->as, errp)) {
                goto fail;
            }
        } else {
            qemu_get_guest_simple_memory_mapping(&job->mappings,
                                                 &job->blocks);
        }
    }
    if (!encoder->prepare(job, errp)) {
        goto fail;
    }
    if (job->tracker && !dump_live_protect(job, errp)) {
        goto fail;
    }
    return true;

fail:
    dump_job_cleanup(job);
    return false;
}

void dump_job_request_cancel(DumpJob *job, DumpCancel why)
{
    __atomic_store_n(&job->cancel, why, __ATOMIC_RELAXED);
    if (job->sink) {
        dump_sink_interrupt(job->sink);
    }
}

void dump_job_cancel_error(const DumpJob *job, Error **errp)
{
    error_setg(errp, "dump: cancelled by %s",
               __atomic_load_n(&job->cancel, __ATOMIC_RELAXED) ==
               DUMP_CANCEL_EXIT ? "the VMM's exit" : "dump-cancel");
}

bool dump_job_write(DumpJob *job, Error **errp)
{
    Error *err = NULL;
    bool ok;
    int ret;

    ok = job->encoder->write(job, &err);
    if (job->tracker) {
        const char *why = write_tracker_error(job->tracker);

        /* wake and release the guest now, not when the job is freed */
        write_tracker_stop(job->tracker);
        if (!ok && why) {
            error_free(err);
            err = NULL;
            error_setg(&err, "dump: live dump write tracking failed: %s",
                       why);
        }
    }
    if (!ok) {
        error_propagate(errp, err);
        return false;
    }
    ret = dump_sink_finish(job->sink, job->file_size);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "dump: failed to complete the file");
        return false;
    }
    return true;
}
