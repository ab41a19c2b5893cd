/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostmem-file.c: memory-backend-file, RAM mapped from a file (mem-path),
 * or from an unlinked temporary file when mem-path is a directory (a
 * hugetlbfs mount, typically).  share=off (the default, as in QEMU) maps
 * it privately: the guest's writes never reach the file.  pmem=on marks
 * the region nonvolatile, which keeps it out of dumps and memory clearing.
 */
#include "qemu/osdep.h"
#include "backends/hostmem-internal.h"
#include "exec/ramblock.h"
#include "qemu/error.h"

typedef struct HostMemoryBackendFile {
    HostMemoryBackend parent_obj;
    char *mem_path;
    uint64_t align;
    uint64_t offset;
    bool discard_data;
    bool pmem;
    bool readonly;
    char *rom;
} HostMemoryBackendFile;

#define FILE_BACKEND(obj) ((HostMemoryBackendFile *)(obj))

static const char *const on_off_auto[] = { "on", "off", "auto", NULL };

/* Open mem-path: a file, or a new unlinked file inside a directory. */
static int file_backend_open(HostMemoryBackendFile *f, bool *created,
                             Error **errp)
{
    struct stat st;
    int fd;

    *created = false;
    if (stat(f->mem_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        g_autofree char *tmpl = g_build_filename(f->mem_path,
                                                 "sparsevm_back_mem.XXXXXX",
                                                 NULL);

        fd = g_mkstemp_full(tmpl, O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) {
            error_setg_errno(errp, errno, "unable to create backing store "
                             "for guest memory in '%s'", f->mem_path);
            return -1;
        }
        unlink(tmpl);
        *created = true;
        return fd;
    }
    fd = open(f->mem_path, (f->readonly ? O_RDONLY : O_RDWR | O_CREAT) |
              O_CLOEXEC, 0644);
    if (fd < 0) {
        error_setg_errno(errp, errno, "can't open backing store %s for "
                         "guest RAM", f->mem_path);
    }
    return fd;
}

static bool file_backend_alloc(HostMemoryBackend *backend, Error **errp)
{
    HostMemoryBackendFile *f = FILE_BACKEND(backend);
    uint32_t flags = hostmem_ram_flags(backend);
    bool created;
    struct stat st;
    int fd;

    if (!f->mem_path || !*f->mem_path) {
        error_setg(errp, "mem-path property not set");
        return false;
    }
    if (f->rom && !strcmp(f->rom, "on") && !f->readonly) {
        error_setg(errp, "property 'rom' = 'on' is not supported with "
                   "'readonly' = 'off'");
        return false;
    }
    if (f->rom && !strcmp(f->rom, "off") && f->readonly && backend->share) {
        error_setg(errp, "property 'rom' = 'off' is incompatible with "
                   "'readonly' = 'on' and 'share' = 'on'");
        return false;
    }
    if (f->align % qemu_real_host_page_size()) {
        error_setg(errp, "alignment 0x%" PRIx64 " must be multiples of "
                   "page size 0x%zx", f->align, qemu_real_host_page_size());
        return false;
    }
    if (f->align && (f->align & (f->align - 1))) {
        error_setg(errp, "alignment 0x%" PRIx64 " must be a power of two",
                   f->align);
        return false;
    }
    fd = file_backend_open(f, &created, errp);
    if (fd < 0) {
        return false;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "cannot stat '%s'", f->mem_path);
        goto fail;
    }
    if (S_ISREG(st.st_mode)) {
        uint64_t need = f->offset + backend->size;

        if (st.st_size && (uint64_t)st.st_size < need) {
            if (f->offset) {
                error_setg(errp, "backing store '%s' is 0x%" PRIx64 " bytes,"
                           " too small for 'offset' 0x%" PRIx64 " plus "
                           "'size' 0x%" PRIx64, f->mem_path,
                           (uint64_t)st.st_size, f->offset, backend->size);
            } else {
                error_setg(errp, "backing store size 0x%" PRIx64 " does not "
                           "match 'size' option 0x%" PRIx64,
                           (uint64_t)st.st_size, backend->size);
            }
            goto fail;
        }
        if (!st.st_size && (f->readonly || ftruncate(fd, need) < 0)) {
            error_setg_errno(errp, f->readonly ? EINVAL : errno,
                             "cannot size backing store '%s' to 0x%" PRIx64,
                             f->mem_path, need);
            goto fail;
        }
    }
    if (f->pmem) {
        flags |= RAM_PMEM;
    }
    if (f->readonly) {
        flags |= RAM_READONLY_FD;
        flags &= ~RAM_SHARED;   /* writable private view of a RO file */
    }
    if (!memory_region_init_ram_from_fd(&backend->mr, OBJECT(backend),
                                        host_memory_backend_get_name(backend),
                                        backend->size, flags, fd, f->offset,
                                        errp)) {
        goto fail;
    }
    if (f->rom && (!strcmp(f->rom, "on") ||
                   (!strcmp(f->rom, "auto") && f->readonly))) {
        backend->mr.readonly = true;
    }
    return true;
fail:
    close(fd);
    return false;
}

static void file_backend_instance_init(Object *obj)
{
    HostMemoryBackendFile *f = FILE_BACKEND(obj);
    ObjectProperty *prop;

    f->rom = g_strdup("auto");
    hostmem_add_prop(obj, "mem-path", "str", PROP_KIND_STR,
                     offsetof(HostMemoryBackendFile, mem_path),
                     "Path to the file that backs the memory");
    hostmem_add_prop(obj, "align", "size", PROP_KIND_SIZE,
                     offsetof(HostMemoryBackendFile, align),
                     "Mapping alignment");
    hostmem_add_prop(obj, "offset", "size", PROP_KIND_SIZE,
                     offsetof(HostMemoryBackendFile, offset),
                     "Offset into the target file (ex: 1G)");
    hostmem_add_prop(obj, "discard-data", "bool", PROP_KIND_BOOL,
                     offsetof(HostMemoryBackendFile, discard_data),
                     "Discard the file contents when the backend goes away");
    hostmem_add_prop(obj, "pmem", "bool", PROP_KIND_BOOL,
                     offsetof(HostMemoryBackendFile, pmem),
                     "The backing file is persistent memory");
    hostmem_add_prop(obj, "readonly", "bool", PROP_KIND_BOOL,
                     offsetof(HostMemoryBackendFile, readonly),
                     "Open the file read-only");
    prop = hostmem_add_prop(obj, "rom", "OnOffAuto", PROP_KIND_ENUM,
                            offsetof(HostMemoryBackendFile, rom),
                            "Whether to create Read Only Memory (ROM)");
    prop->enum_values = on_off_auto;
}

static void file_backend_instance_finalize(Object *obj)
{
    HostMemoryBackendFile *f = FILE_BACKEND(obj);
    HostMemoryBackend *backend = &f->parent_obj;

    if (f->discard_data && backend->mr_inited) {
        RAMBlock *rb = memory_region_get_ram_block(&backend->mr);

        ram_block_discard_range(rb, 0, rb->used_length);
    }
}

static void file_backend_class_init(ObjectClass *klass)
{
    ((HostMemoryBackendClass *)klass)->alloc = file_backend_alloc;
}

void hostmem_file_register_types(void);
void hostmem_file_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_MEMORY_BACKEND_FILE,
        .parent = TYPE_MEMORY_BACKEND,
        .instance_size = sizeof(HostMemoryBackendFile),
        .instance_init = file_backend_instance_init,
        .instance_finalize = file_backend_instance_finalize,
        .class_init = file_backend_class_init,
    };

    type_register_static(&info);
}
