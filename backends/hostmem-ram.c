/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostmem-ram.c: memory-backend-ram, anonymous memory: private by
 * default, shared (MAP_SHARED) with share=on.  With reserve=off the mapping
 * is MAP_NORESERVE, which is what makes a terabyte-sized sparse backend
 * possible on a host that could never commit it.
 */
#include "qemu/osdep.h"
#include "backends/hostmem-internal.h"

static bool ram_backend_alloc(HostMemoryBackend *backend, Error **errp)
{
    g_autofree char *name = NULL;

    if (!hostmem_check_size(backend, qemu_real_host_page_size(), errp)) {
        return false;
    }
    name = backend->use_canonical_path ?
           object_get_canonical_path(OBJECT(backend)) :
           g_strdup(host_memory_backend_get_name(backend));
    return memory_region_init_ram_flags(&backend->mr, OBJECT(backend), name,
                                        backend->size,
                                        hostmem_ram_flags(backend), errp);
}

static void ram_backend_class_init(ObjectClass *klass)
{
    ((HostMemoryBackendClass *)klass)->alloc = ram_backend_alloc;
}

void hostmem_ram_register_types(void);
void hostmem_ram_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_MEMORY_BACKEND_RAM,
        .parent = TYPE_MEMORY_BACKEND,
        .class_init = ram_backend_class_init,
    };

    type_register_static(&info);
}
