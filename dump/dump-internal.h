/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump-internal.h: what the parts of dump/ share: the DumpJob an encoder
 * works on, the encoder interface and registry, the architecture
 * description (ELF class, machine, page size) and the vCPU notes, and the
 * dump destination (file: with temp-and-rename, fd:).
 *
 *   QMP/HMP (dump.c, dump-hmp.c)
 *      | validate, open the destination, stop the VM
 *      v
 *   DumpJob (dump-job.c): blocks, mappings, notes, layout  <-- main thread
 *      | encoder->prepare()
 *      v
 *   encoder->write() (dump-elf.c, dump-kdump*.c)        <-- dump thread
 *      | reads a DumpSource (dump-source.h): HOLE / ZERO / DATA extents
 *      v
 *   DumpSink (dump-sink.h): fd (holes, copy_file_range) or memory
 *      |
 *      v
 *   DumpDest (dump-dest.c): fsync + rename into place, or abort
 *
 * A new format (kdump) is one DumpEncoder: prepare() computes its layout
 * from the job on the main thread, write() emits it through job->sink
 * reading a DumpSource, counting progress with dump_job_progress() and
 * polling dump_job_cancelled(); notes come ready-made in job->notes.
 */
#ifndef DUMP_INTERNAL_H
#define DUMP_INTERNAL_H

#include "exec/memory_mapping.h"
#include "dump/dump-sink.h"
#include "dump/dump-source.h"
#include "qapi/qapi-types.h"

/* ------------------------------------------------------- architecture */

/**
 * struct DumpArchInfo: how the dump describes the machine (x86 rules of
 * QEMU's cpu_get_dump_info()).
 * @d_class: ELFCLASS64 if the first vCPU is in long mode or some block
 *           ends above 4 GiB, else ELFCLASS32.
 * @d_machine: EM_X86_64 if the first vCPU is in long mode, else EM_386.
 * @d_endian: ELFDATA2LSB.
 * @page_size: TARGET_PAGE_SIZE.
 * @phys_base: from the guest's VMCOREINFO "NUMBER(phys_base)=", else 0
 *             (kdump's sub-header wants it).
 */
typedef struct DumpArchInfo {
    int d_class;
    int d_machine;
    int d_endian;
    uint32_t page_size;
    uint64_t phys_base;
} DumpArchInfo;

void dump_arch_info_init(DumpArchInfo *info, CPUState *const *cpus,
                         unsigned ncpus, const GuestPhysBlockList *blocks);

/**
 * dump_build_notes: the ELF notes every format carries, in QEMU's order:
 * one NT_PRSTATUS "CORE" note per vCPU (pr_pid = cpu_index + 1; x86-64 or
 * i386 layout by @info->d_machine), then one "QEMU" note per vCPU
 * (QEMUCPUState version 1, 440 bytes), then @guest_note verbatim if any.
 * Returns: a new array (the caller unrefs it).
 */
GByteArray *dump_build_notes(const DumpArchInfo *info, CPUState *const *cpus,
                             unsigned ncpus, const uint8_t *guest_note,
                             size_t guest_note_size);

/* Sizes of the note parts, for layout and tests. */
#define DUMP_NOTE_NAME_SIZE 5           /* "CORE" / "QEMU" with NUL */
#define DUMP_X86_64_PRSTATUS_SIZE 336
#define DUMP_I386_PRSTATUS_SIZE 144
#define DUMP_QEMU_CPUSTATE_SIZE 440
#define DUMP_QEMU_CPUSTATE_VERSION 1

/**
 * DumpVmcoreinfoFn: where the guest said its VMCOREINFO note is (the
 * vmcoreinfo device's vmcoreinfo_guest_note(); tests pass their own).
 * Returns false if the guest provided none.
 */
typedef bool (*DumpVmcoreinfoFn)(uint16_t *format, uint32_t *size,
                                 uint64_t *paddr);

/* The only guest note format QEMU accepts (fw_cfg VMCOREINFO, ELF). */
#define DUMP_GUEST_NOTE_FORMAT_ELF 1
#define DUMP_GUEST_NOTE_MAX_SIZE (1 << 20)

/**
 * dump_guest_note_load: copy the guest's VMCOREINFO note (@size bytes at
 * @paddr, format @format) out of guest RAM through @blocks, with QEMU's
 * checks; on any problem warn (QEMU's texts, plus one for a note outside
 * guest RAM) and return NULL: the dump goes on without it.  Updates
 * @info->phys_base from "NUMBER(phys_base)=" on x86-64.
 * Returns: the note (g_free it), its padded size in *@note_size.
 */
uint8_t *dump_guest_note_load(DumpArchInfo *info,
                              const GuestPhysBlockList *blocks,
                              uint16_t format, uint32_t size, uint64_t paddr,
                              size_t *note_size);

/**
 * dump_guest_note_fetch: ask @provider (NULL: the machine has no
 * vmcoreinfo device) and load the note with dump_guest_note_load(); if
 * there is a provider but no note, warn "guest note is not present" as
 * QEMU does.
 * Returns: true with *@note (g_free it) and *@note_size set, or false.
 */
bool dump_guest_note_fetch(DumpArchInfo *info,
                           const GuestPhysBlockList *blocks,
                           DumpVmcoreinfoFn provider,
                           uint8_t **note, size_t *note_size);

/**
 * dump_guest_utsname: the kdump header's struct new_utsname (6 fields of
 * 65 bytes at @uts) for a guest that published VMCOREINFO in @notes:
 * the guest's own init_uts_ns.name, read through @blocks at
 * SYMBOL(init_uts_ns) + OFFSET(uts_namespace.name) in the x86-64 kernel
 * mapping (with NUMBER(phys_base)), if it looks sane (every field
 * NUL-terminated, sysname "Linux", release, version and machine set);
 * else "Linux", OSRELEASE, "unknown", "x86_64".  libkdumpfile (and so
 * drgn) takes the architecture from this; QEMU fills only the machine.
 * Returns: false (@uts untouched) without VMCOREINFO or OSRELEASE.
 */
bool dump_guest_utsname(const DumpArchInfo *info,
                        const GuestPhysBlockList *blocks,
                        const GByteArray *notes, uint8_t *uts);

/* ------------------------------------------------------------ the job */

typedef struct DumpEncoder DumpEncoder;

/**
 * struct DumpJob: one dump being made.  Set up on the main thread by
 * dump_job_prepare() while the VM is stopped; from then on read-only,
 * except @encoder_state (the encoder's), @completed and @cancel.
 * @encoder: the format.
 * @blocks: the snapshot of guest RAM (holds region references).
 * @mappings: the PT_LOAD mappings (ELF: simple, or paging), filtered.
 * @arch: class, machine, page size.
 * @notes: all notes (see dump_build_notes()).
 * @nr_cpus: number of vCPUs.
 * @filter_begin, @filter_length: begin/length; length 0 means none.
 * @total_size: guest bytes to dump (blocks within the filter).
 * @threads: compression threads (kdump; 1 to DUMP_MAX_THREADS); 0: one
 *           per online CPU.
 * @kdump: the kdump options.
 * @sink: where bytes go (borrowed from the caller).
 * @file_size: the size of the output, set by the encoder's prepare() --
 *             or, for kdump, whose size depends on compression, by its
 *             write() once everything is written.
 * @encoder_state: owned by the encoder (freed by its cleanup()).
 * @completed: guest bytes done so far (atomic; the QMP thread reads it).
 * @cancel: set (atomically) by dump-cancel or at exit: a DumpCancel.
 * @tracker: a live dump's write tracker (owned; NULL for a paused dump):
 *           the snapshot the page source reads.
 * @discard_frozen: the job holds a ram_discard_freeze() (taken before the
 *                  block list is built, released by dump_job_cleanup()),
 *                  so no RamDiscardManager changes what @blocks says.
 */
/** The most compression threads a dump may use (x-dump-threads). */
#define DUMP_MAX_THREADS 64

/**
 * struct DumpKdumpOptions: our extensions of the kdump formats.
 * @zero_descs: give never-touched and all-zero pages a descriptor to the
 *              shared zero page, as QEMU does (dump-guest-memory's
 *              x-kdump-zero-descriptors); by default they are excluded
 *              from the dumpable (2nd) bitmap, as makedumpfile's dump
 *              level 1 does.
 * @zlib_level, @zstd_level: compression levels (-machine
 *                           x-kdump-zlib-level, x-kdump-zstd-level);
 *                           0: the default.
 */
typedef struct DumpKdumpOptions {
    bool zero_descs;
    int64_t zlib_level;
    int64_t zstd_level;
} DumpKdumpOptions;

typedef struct DumpJob {
    const DumpEncoder *encoder;
    GuestPhysBlockList blocks;
    MemoryMappingList mappings;
    DumpArchInfo arch;
    GByteArray *notes;
    unsigned nr_cpus;
    hwaddr filter_begin;
    uint64_t filter_length;
    uint64_t total_size;
    unsigned threads;
    DumpKdumpOptions kdump;
    DumpSink *sink;
    uint64_t file_size;
    void *encoder_state;
    uint64_t completed;
    int cancel;
    WriteTracker *tracker;
    bool discard_frozen;
} DumpJob;

/**
 * struct DumpJobConfig: what dump_job_prepare() builds a job from.
 * @as: the address space to dump (the machine's as_memory).
 * @block_flags: GUEST_PHYS_BLOCKS_* (x-ignore-discard-manager).
 * @cpus, @ncpus: the vCPUs (their state is copied into the notes).
 * @paging: walk the guest page tables for the mappings.
 * @has_filter, @begin, @length: the begin/length arguments.
 * @threads: x-dump-threads; 0 for the default.
 * @kdump: the kdump options.
 * @vmcoreinfo: where the guest's VMCOREINFO note is; NULL without a
 *              vmcoreinfo device.
 * @tracker: live dump: a started tracker from dump_live_tracker_new()
 *           (ownership passes to the job, even if prepare fails), whose
 *           snapshot prepare takes (dump_live_protect()); NULL otherwise.
 */
typedef struct DumpJobConfig {
    AddressSpace *as;
    unsigned block_flags;
    CPUState *const *cpus;
    unsigned ncpus;
    bool paging;
    bool has_filter;
    int64_t begin;
    int64_t length;
    unsigned threads;
    DumpKdumpOptions kdump;
    DumpVmcoreinfoFn vmcoreinfo;
    WriteTracker *tracker;
} DumpJobConfig;

/**
 * dump_job_prepare: build the job: the block list, the size to dump, the
 * architecture, the notes (with the guest's VMCOREINFO if a provider gives
 * a valid one), the mappings, then the encoder's layout -- with QEMU's
 * errors in QEMU's order ("parameter 'length' expects a non-zero size",
 * "dump: no guest memory to dump", ...).  From its start until
 * dump_job_cleanup() the job holds a discard freeze (see
 * ram_discard_freeze()): plug requests are refused meanwhile.
 * Context: main thread, VM stopped.  On failure the job is cleaned up.
 */
bool dump_job_prepare(DumpJob *job, const DumpEncoder *encoder,
                      const DumpJobConfig *cfg, DumpSink *sink,
                      Error **errp);

/**
 * struct DumpLiveScope: what the job will dump, known before the VM
 * stops: the DumpJobConfig fields of the same names.
 */
typedef struct DumpLiveScope {
    unsigned block_flags;
    bool has_filter;
    int64_t begin;
    int64_t length;
} DumpLiveScope;

/**
 * dump_live_tracker_new: a live dump's write tracker with every RAM block
 * of @as registered and its fault thread started, before the VM stops;
 * fd-backed RAM within @scope is already write-protected (the early
 * phase, if the host can tell afterwards what was written since).
 * @buffer_size: the copy buffer (the machine's live-dump-copy-buffer).
 * Errors: the tracker's, naming the backend and the missing feature.
 * Context: main thread, VM running, on the main-loop turn that then
 * stops it and calls dump_job_prepare().
 */
WriteTracker *dump_live_tracker_new(AddressSpace *as, uint64_t buffer_size,
                                    const DumpLiveScope *scope,
                                    Error **errp);

/**
 * dump_live_protect: take the snapshot: record and write-protect the
 * populated extents of job->blocks within the filter, then seal.
 * Context: main thread, VM stopped, inside dump_job_prepare().
 */
bool dump_live_protect(DumpJob *job, Error **errp);

/**
 * dump_job_write: emit the dump into job->sink and finish the sink.
 * Context: the dump thread (or the main thread for a synchronous dump).
 * Errors: the encoder's ("dump: failed to write ...: <strerror>"), or
 * "dump: cancelled by dump-cancel", or for a live dump whose tracking
 * failed, "dump: live dump write tracking failed: ...".  A live dump's
 * tracker is stopped on return (nothing left protected, no writer
 * waiting), whatever the outcome.
 */
bool dump_job_write(DumpJob *job, Error **errp);

/**
 * dump_job_cleanup: free everything the job holds (not the sink).
 * Idempotent: a job cleaned up by a failed dump_job_prepare() may be
 * cleaned up again.
 */
void dump_job_cleanup(DumpJob *job);

static inline void dump_job_progress(DumpJob *job, uint64_t bytes)
{
    __atomic_add_fetch(&job->completed, bytes, __ATOMIC_RELAXED);
}

static inline uint64_t dump_job_completed(const DumpJob *job)
{
    return __atomic_load_n(&job->completed, __ATOMIC_RELAXED);
}

static inline bool dump_job_cancelled(const DumpJob *job)
{
    return __atomic_load_n(&job->cancel, __ATOMIC_RELAXED);
}

/** Who cancelled a dump (DumpJob.cancel). */
typedef enum DumpCancel {
    DUMP_CANCEL_NONE,
    DUMP_CANCEL_COMMAND,        /* dump-cancel */
    DUMP_CANCEL_EXIT,           /* quit, a signal */
} DumpCancel;

/**
 * dump_job_request_cancel: ask the writer to stop at the next extent, and
 * interrupt a write stalled on a slow reader.  Any thread.
 */
void dump_job_request_cancel(DumpJob *job, DumpCancel why);

/**
 * dump_job_cancel_error: the error of a cancelled dump: "dump: cancelled
 * by dump-cancel" or "dump: cancelled by the VMM's exit".
 */
void dump_job_cancel_error(const DumpJob *job, Error **errp);

/** The longest ZERO/DATA extent encoders get: one write, one cancel poll. */
#define DUMP_MAX_EXTENT (4 * 1024 * 1024)

/* --------------------------------------------------------- encoders */

/**
 * struct DumpEncoder: a dump format.
 * @format: the QAPI DumpGuestMemoryFormat name ("elf", "kdump-zlib", ...).
 * @supports_filter: paging, begin and length are allowed (ELF only; the
 *   others get "kdump-compressed format doesn't support paging or
 *   filter").
 * @needs_seekable: refuse an fd that cannot seek ("kdump-raw formats
 *   require a seekable file").
 * @needs_mappings: build job->mappings (ELF's PT_LOADs).
 * @prepare: compute the layout into job->encoder_state and set
 *   job->file_size; main thread.
 * @write: write everything but the final dump_sink_finish(); dump thread.
 *   Counts progress (total: job->total_size) and polls cancellation.
 * @cleanup: free job->encoder_state.
 */
struct DumpEncoder {
    const char *format;
    bool supports_filter;
    bool needs_seekable;
    bool needs_mappings;
    bool (*prepare)(DumpJob *job, Error **errp);
    bool (*write)(DumpJob *job, Error **errp);
    void (*cleanup)(DumpJob *job);
};

/** dump_encoder_register: offer a format (once, at start-up). */
void dump_encoder_register(const DumpEncoder *enc);
/** dump_encoder_find: the encoder of @format, or NULL. */
const DumpEncoder *dump_encoder_find(const char *format);
/** dump_register_encoders: register every built-in format. */
void dump_register_encoders(void);

/** The ELF encoder (dump-elf.c). */
extern const DumpEncoder dump_elf_encoder;

/**
 * dump_kdump_register_encoders: the kdump-* and kdump-raw-* formats
 * whose compression library is built in (dump-kdump.c).
 */
void dump_kdump_register_encoders(void);

/* ------------------------------------------------------- destinations */

/**
 * struct DumpDest: where a dump is written.
 * @fd: the output (owned).
 * @path: file: the final path (symlinks resolved); NULL for fd:.
 * @tmp_path: a named temporary next to @path, if one was created.
 * @unlinked_tmp: @fd is an O_TMPFILE that has no name yet.
 * @direct: file: writing @path in place (a FIFO or a device, which
 *          cannot be replaced by renaming).
 */
typedef struct DumpDest {
    int fd;
    char *path;
    char *tmp_path;
    bool unlinked_tmp;
    bool direct;
    /* a replaced file's permission bits, owner and group, kept */
    bool keep_attrs;
    mode_t mode;
    uid_t uid;
    gid_t gid;
} DumpDest;

/**
 * dump_dest_check_file: everything dump_dest_open_file() checks before
 * it creates anything, without creating anything: a name (not empty, at
 * most NAME_MAX bytes, the temporary's path within PATH_MAX), an existing
 * directory we may write, an existing target we may write (not a
 * directory).
 */
bool dump_dest_check_file(const char *path, Error **errp);

/**
 * dump_dest_open_file: prepare to write @path: resolve symlinks, refuse
 * what QEMU's open(O_WRONLY|O_CREAT|O_TRUNC) would refuse (a directory, a
 * missing directory, no permission) with "Could not open 'PATH': ...",
 * and create an unnamed temporary file (O_TMPFILE, else a hidden named
 * one) in the target's directory.  @path itself is not touched.
 */
bool dump_dest_open_file(DumpDest *d, const char *path, Error **errp);
/** dump_dest_open_fd: write to @fd (ownership taken). */
void dump_dest_open_fd(DumpDest *d, int fd);
/**
 * dump_dest_commit: the dump is complete: for file:, fsync it and rename
 * it over @path (then fsync the directory); for fd:, close it.
 */
bool dump_dest_commit(DumpDest *d, Error **errp);
/** dump_dest_abort: drop the temporary file (or close the fd). */
void dump_dest_abort(DumpDest *d);

/* ------------------------------------------------------ control plane */

/** struct DumpRequest: the arguments of dump-guest-memory (QMP or HMP). */
typedef struct DumpRequest {
    bool paging;
    const char *protocol;       /* "file:PATH" or "fd:NAME" */
    bool detach;
    bool has_begin;
    int64_t begin;
    bool has_length;
    int64_t length;
    const char *format;         /* NULL: elf */
    unsigned threads;           /* x-dump-threads; 0: default */
    bool kdump_zero_descs;      /* x-kdump-zero-descriptors */
    bool live;                  /* live (our extension) */
} DumpRequest;

/**
 * DumpDoneFn: a synchronous dump is over; @err (owned by the callee) is
 * its error, or NULL.  Called on the main loop thread, after
 * DUMP_COMPLETED and RESUME, never from inside dump_guest_memory().
 */
typedef void DumpDoneFn(void *opaque, Error *err);

/**
 * dump_guest_memory: start a dump, with QEMU's validation order and
 * messages.  Detached (@req->detach): returns once it runs.  Synchronous
 * with @done: returns true once it runs, and @done(@opaque, error) says
 * how it ended.  Synchronous without @done: runs it on this thread and
 * returns how it ended.
 * Returns: false with @errp set if the dump did not start (or, in the
 * last case, failed).  Context: main loop thread.
 */
bool dump_guest_memory(const DumpRequest *req, DumpDoneFn *done,
                       void *opaque, Error **errp);

/* DumpStatus: the QMP values, from qapi/dump.json (qapi-types.h) */

/** dump_status_name: "none", "active", "completed", "failed". */
const char *dump_status_name(DumpStatus status);

/** dump_query: what query-dump reports. */
void dump_query(DumpStatus *status, uint64_t *completed, uint64_t *total);

/** dump_hmp_register_commands: HMP dump-guest-memory, info dump. */
void dump_hmp_register_commands(void);

#endif /* DUMP_INTERNAL_H */
