/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostmem-internal.h: helpers shared by the backends/ files only. */
#ifndef BACKENDS_HOSTMEM_INTERNAL_H
#define BACKENDS_HOSTMEM_INTERNAL_H

#include "sysemu/hostmem.h"

/** hostmem_add_prop: a backend property frozen once memory exists. */
ObjectProperty *hostmem_add_prop(Object *obj, const char *name,
                                 const char *type, PropKind kind,
                                 size_t offset, const char *desc);
/** hostmem_check_size: size must be a multiple of @page_size. */
bool hostmem_check_size(HostMemoryBackend *backend, size_t page_size,
                        Error **errp);
/** hostmem_ram_flags: RAM_SHARED / RAM_NORESERVE from the properties. */
uint32_t hostmem_ram_flags(HostMemoryBackend *backend);

#endif /* BACKENDS_HOSTMEM_INTERNAL_H */
