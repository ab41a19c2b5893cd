/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostmem.h: memory backends, the -object types that own guest RAM:
 * memory-backend-ram (anonymous), memory-backend-memfd and
 * memory-backend-file.  A backend allocates its RAM region when its
 * creation completes; a consumer (the machine's RAM, a virtio-mem device)
 * maps the region and marks the backend busy so nobody else maps it too.
 *
 * Properties, as QEMU's: size, share, reserve, prealloc, prealloc-threads,
 * merge, dump, policy, x-use-canonical-path-for-ramblock-id; memfd adds
 * hugetlb, hugetlbsize, seal; file adds mem-path, align, offset,
 * discard-data, pmem, readonly, rom.  None can change once the backend
 * has its memory ("cannot change property 'X' of memory-backend-Y").
 */
#ifndef SYSEMU_HOSTMEM_H
#define SYSEMU_HOSTMEM_H

#include "exec/memory.h"
#include "qom/object.h"

#define TYPE_MEMORY_BACKEND "memory-backend"
#define TYPE_MEMORY_BACKEND_RAM "memory-backend-ram"
#define TYPE_MEMORY_BACKEND_MEMFD "memory-backend-memfd"
#define TYPE_MEMORY_BACKEND_FILE "memory-backend-file"

struct HostMemoryBackend {
    Object parent_obj;
    uint64_t size;
    bool share;
    bool reserve;
    bool prealloc;
    uint32_t prealloc_threads;
    bool merge;
    bool dump;
    char *policy;
    bool use_canonical_path;
    bool is_mapped;         /* a consumer maps the region */
    bool mr_inited;         /* complete() allocated the region */
    MemoryRegion mr;
};

/**
 * struct HostMemoryBackendClass
 * @alloc: create backend->mr with backend->size bytes; the region name is
 *         the backend's id.
 */
typedef struct HostMemoryBackendClass {
    ObjectClass parent_class;
    bool (*alloc)(HostMemoryBackend *backend, Error **errp);
} HostMemoryBackendClass;

#define MEMORY_BACKEND(obj) \
    ((HostMemoryBackend *)object_dynamic_cast_assert(OBJECT(obj), \
                                                     TYPE_MEMORY_BACKEND))
#define MEMORY_BACKEND_GET_CLASS(obj) \
    ((HostMemoryBackendClass *)object_get_class(obj))

void hostmem_register_types(void);

/** host_memory_backend_get_memory: the backend's region (borrowed). */
MemoryRegion *host_memory_backend_get_memory(HostMemoryBackend *backend);
bool host_memory_backend_is_mapped(HostMemoryBackend *backend);
void host_memory_backend_set_mapped(HostMemoryBackend *backend, bool mapped);
/** host_memory_backend_get_name: the backend's id (borrowed). */
const char *host_memory_backend_get_name(HostMemoryBackend *backend);
/** host_memory_backend_pagesize: page size of the mapping. */
size_t host_memory_backend_pagesize(HostMemoryBackend *backend);

/** hostmem_register_commands: QMP query-memdev. */
void hostmem_register_commands(void);
/**
 * host_memory_backend_set_merge_default: the "merge" of backends created
 * from now on (-machine mem-merge=, as QEMU; default true).
 */
void host_memory_backend_set_merge_default(bool merge);

#endif /* SYSEMU_HOSTMEM_H */
