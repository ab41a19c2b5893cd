/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostmem.c: the abstract memory-backend type: common properties, the
 * checks run when a backend's creation completes, preallocation, and
 * query-memdev.  The concrete types (hostmem-ram.c, hostmem-memfd.c,
 * hostmem-file.c) only say how to get the memory.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "exec/ramblock.h"
#include "qapi/qapi-commands.h"
#include "qemu/cutils.h"
#include "qemu/error.h"
#include "sysemu/hostmem.h"
#include "backends/hostmem-internal.h"

static const char *const hostmem_policy_values[] = {
    "default", "preferred", "bind", "interleave", NULL
};

/* Setter for every backend property: frozen once the memory exists. */
static bool backend_prop_set(Object *obj, ObjectProperty *prop,
                             const PropValue *v, Error **errp)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);

    if (backend->mr_inited) {
        error_setg(errp, "cannot change property '%s' of %s", prop->name,
                   object_get_typename(obj));
        return false;
    }
    if ((!strcmp(prop->name, "size") ||
         !strcmp(prop->name, "prealloc-threads")) && v->u == 0) {
        error_setg(errp, "property '%s' of %s doesn't take value '0'",
                   prop->name, object_get_typename(obj));
        return false;
    }
    return object_field_prop_set(obj, prop, v, errp);
}

ObjectProperty *hostmem_add_prop(Object *obj, const char *name,
                                 const char *type, PropKind kind,
                                 size_t offset, const char *desc)
{
    ObjectProperty *prop = object_property_add_field(obj, name, type, kind,
                                                     offset, 0);

    prop->set = backend_prop_set;
    object_property_set_description(prop, desc);
    return prop;
}

static bool hostmem_merge_default = true;

void host_memory_backend_set_merge_default(bool merge)
{
    hostmem_merge_default = merge;
}

static void hostmem_instance_init(Object *obj)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);
    ObjectProperty *prop;

    backend->reserve = true;
    /* as QEMU: the machine's mem-merge is every backend's default */
    backend->merge = hostmem_merge_default;
    backend->dump = true;
    backend->prealloc_threads = 1;
    backend->policy = g_strdup("default");
    hostmem_add_prop(obj, "size", "size", PROP_KIND_SIZE,
                     offsetof(HostMemoryBackend, size),
                     "Size of the memory region (ex: 500M)");
    hostmem_add_prop(obj, "merge", "bool", PROP_KIND_BOOL,
                     offsetof(HostMemoryBackend, merge),
                     "Mark memory as mergeable");
    hostmem_add_prop(obj, "dump", "bool", PROP_KIND_BOOL,
                     offsetof(HostMemoryBackend, dump),
                     "Set to 'off' to exclude from core dump");
    hostmem_add_prop(obj, "prealloc", "bool", PROP_KIND_BOOL,
                     offsetof(HostMemoryBackend, prealloc),
                     "Preallocate memory");
    hostmem_add_prop(obj, "prealloc-threads", "uint32", PROP_KIND_UINT,
                     offsetof(HostMemoryBackend, prealloc_threads),
                     "Number of CPU threads to use for prealloc")->max =
        UINT32_MAX;
    hostmem_add_prop(obj, "share", "bool", PROP_KIND_BOOL,
                     offsetof(HostMemoryBackend, share),
                     "Mark the memory as private to QEMU or shared");
    hostmem_add_prop(obj, "reserve", "bool", PROP_KIND_BOOL,
                     offsetof(HostMemoryBackend, reserve),
                     "Reserve swap space (or huge pages) if applicable");
    prop = hostmem_add_prop(obj, "policy", "HostMemPolicy", PROP_KIND_ENUM,
                            offsetof(HostMemoryBackend, policy),
                            "Set the NUMA policy");
    prop->enum_values = hostmem_policy_values;
    hostmem_add_prop(obj, "x-use-canonical-path-for-ramblock-id", "bool",
                     PROP_KIND_BOOL,
                     offsetof(HostMemoryBackend, use_canonical_path),
                     "Use the object's canonical path as RAMBlock id");
}

static void hostmem_instance_finalize(Object *obj)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);

    if (backend->mr_inited) {
        memory_region_destroy(&backend->mr);
    }
}

static bool hostmem_complete(Object *obj, Error **errp)
{
    HostMemoryBackend *backend = MEMORY_BACKEND(obj);
    HostMemoryBackendClass *bc = MEMORY_BACKEND_GET_CLASS(obj);
    RAMBlock *rb;
    int ret;

    if (!backend->size) {
        error_setg(errp, "can't create backend with size 0");
        return false;
    }
    if (backend->prealloc && !backend->reserve) {
        error_setg(errp, "'prealloc=on' and 'reserve=off' are incompatible");
        return false;
    }
    if (strcmp(backend->policy, "default") != 0) {
        /* QEMU's check; sparsevm has no host-nodes (no NUMA binding). */
        error_setg(errp, "host-nodes must be set for policy %s",
                   backend->policy);
        error_append_hint(errp, "sparsevm does not bind guest memory to "
                          "host NUMA nodes; use policy=default\n");
        return false;
    }
    if (!bc->alloc(backend, errp)) {
        return false;
    }
    backend->mr_inited = true;
    /*
     * dump=off, as QEMU: keep this memory out of the host's core dumps
     * of sparsevm (guest dumps, dump-guest-memory, still include it).  A
     * hint: a kernel without MADV_DONTDUMP still runs the guest.
     */
    if (!backend->dump &&
        madvise(memory_region_get_ram_ptr(&backend->mr),
                memory_region_size(&backend->mr), MADV_DONTDUMP)) {
        warn_report("%s: dump=off: madvise: %s",
                    host_memory_backend_get_name(backend), g_strerror(errno));
    }
    if (backend->merge) {
        memory_region_ram_mergeable(&backend->mr);
    }
    if (backend->prealloc) {
        rb = memory_region_get_ram_block(&backend->mr);
        ret = qemu_ram_prealloc(rb, 0, rb->used_length);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "preallocating memory failed");
            memory_region_destroy(&backend->mr);
            backend->mr_inited = false;
            return false;
        }
    }
    return true;
}

/*
 * The size every concrete type must accept: a multiple of the host page
 * size (QEMU rounds up silently; we refuse, so the guest gets exactly
 * what was asked for).
 */
bool hostmem_check_size(HostMemoryBackend *backend, size_t page_size,
                        Error **errp)
{
    if (!QEMU_IS_ALIGNED(backend->size, page_size)) {
        error_setg(errp, "'size' (0x%" PRIx64 ") of %s '%s' must be a "
                   "multiple of the page size (0x%zx)", backend->size,
                   object_get_typename(OBJECT(backend)),
                   host_memory_backend_get_name(backend), page_size);
        return false;
    }
    return true;
}

uint32_t hostmem_ram_flags(HostMemoryBackend *backend)
{
    return (backend->share ? RAM_SHARED : 0) |
           (backend->reserve ? 0 : RAM_NORESERVE);
}

/* In use while a device or the machine maps it (QEMU's rule). */
static bool hostmem_can_be_deleted(Object *obj)
{
    return !host_memory_backend_is_mapped(MEMORY_BACKEND(obj));
}

static void hostmem_class_init(ObjectClass *klass)
{
    klass->complete = hostmem_complete;
    klass->can_be_deleted = hostmem_can_be_deleted;
    klass->user_creatable = true;
}

MemoryRegion *host_memory_backend_get_memory(HostMemoryBackend *backend)
{
    return backend->mr_inited ? &backend->mr : NULL;
}

bool host_memory_backend_is_mapped(HostMemoryBackend *backend)
{
    return backend->is_mapped;
}

void host_memory_backend_set_mapped(HostMemoryBackend *backend, bool mapped)
{
    backend->is_mapped = mapped;
}

const char *host_memory_backend_get_name(HostMemoryBackend *backend)
{
    const char *name = object_get_canonical_path_component(OBJECT(backend));

    return name ? name : "";
}

size_t host_memory_backend_pagesize(HostMemoryBackend *backend)
{
    RAMBlock *rb = backend->mr_inited ?
                   memory_region_get_ram_block(&backend->mr) : NULL;

    return rb ? rb->page_size : qemu_real_host_page_size();
}

void hostmem_ram_register_types(void);
void hostmem_memfd_register_types(void);
void hostmem_file_register_types(void);

void hostmem_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_MEMORY_BACKEND,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(HostMemoryBackend),
        .class_size = sizeof(HostMemoryBackendClass),
        .class_init = hostmem_class_init,
        .instance_init = hostmem_instance_init,
        .instance_finalize = hostmem_instance_finalize,
    };

    type_register_static(&info);
    hostmem_ram_register_types();
    hostmem_memfd_register_types();
    hostmem_file_register_types();
}

/* ------------------------------------------------------------ query-memdev */

static int memdev_collect(Object *obj, void *opaque)
{
    MemdevList ***tail = opaque;
    HostMemoryBackend *backend;
    MemdevList *elem;
    Memdev *m;

    if (!object_dynamic_cast(obj, TYPE_MEMORY_BACKEND)) {
        return 0;
    }
    backend = MEMORY_BACKEND(obj);
    m = g_new0(Memdev, 1);
    m->id = g_strdup(host_memory_backend_get_name(backend));
    m->size = backend->size;
    m->merge = backend->merge;
    m->dump = backend->dump;
    m->prealloc = backend->prealloc;
    m->share = backend->share;
    m->has_reserve = true;
    m->reserve = backend->reserve;
    /* the "policy" property accepts only HostMemPolicy's values */
    m->policy = HostMemPolicy_parse(backend->policy);
    assert((int)m->policy >= 0);
    elem = g_new0(MemdevList, 1);
    elem->value = m;
    **tail = elem;
    *tail = &elem->next;
    return 0;
}

static MemdevList *qmp_query_memdev(Error **errp)
{
    MemdevList *head = NULL, **tail = &head;

    object_child_foreach(object_get_objects_root(), memdev_collect, &tail);
    return head;
}

void hostmem_register_commands(void)
{
    qmp_register_query_memdev(qmp_query_memdev);
}
