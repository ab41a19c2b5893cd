/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostmem-memfd.c: memory-backend-memfd, RAM in an anonymous memfd
 * (shared by default, so another process can map it; sealed against
 * resizing unless seal=off; hugetlbfs pages with hugetlb=on).  Being
 * fd-backed, its populated parts are visible through SEEK_DATA, and
 * discarding punches holes that st_blocks shows.
 */
#include "qemu/osdep.h"
#include <linux/memfd.h>
#include <sys/mman.h>
#include "backends/hostmem-internal.h"
#include "exec/ramblock.h"
#include "qemu/error.h"

typedef struct HostMemoryBackendMemfd {
    HostMemoryBackend parent_obj;
    bool hugetlb;
    uint64_t hugetlbsize;
    bool seal;
} HostMemoryBackendMemfd;

#define MEMFD_BACKEND(obj) ((HostMemoryBackendMemfd *)(obj))

static bool memfd_backend_alloc(HostMemoryBackend *backend, Error **errp)
{
    HostMemoryBackendMemfd *m = MEMFD_BACKEND(backend);
    unsigned int flags = MFD_CLOEXEC;
    size_t page_size = qemu_real_host_page_size();
    const char *name = host_memory_backend_get_name(backend);
    int fd;

    if (m->hugetlb) {
        flags |= MFD_HUGETLB;
        if (m->hugetlbsize) {
            if (!is_power_of_2(m->hugetlbsize)) {
                error_setg(errp, "'hugetlbsize' must be a power of two");
                return false;
            }
            flags |= ctz64(m->hugetlbsize) << MFD_HUGE_SHIFT;
            page_size = m->hugetlbsize;
        } else {
            page_size = 2 * 1024 * 1024;
        }
    } else if (m->hugetlbsize) {
        error_setg(errp, "'hugetlbsize' requires 'hugetlb=on'");
        return false;
    }
    if (m->seal) {
        flags |= MFD_ALLOW_SEALING;
    }
    if (!hostmem_check_size(backend, page_size, errp)) {
        return false;
    }
    fd = memfd_create("memory-backend-memfd", flags);
    if (fd < 0) {
        error_setg_errno(errp, errno, "failed to create memfd");
        return false;
    }
    if (ftruncate(fd, backend->size) < 0) {
        error_setg_errno(errp, errno, "failed to resize memfd to 0x%" PRIx64,
                         backend->size);
        close(fd);
        return false;
    }
    if (m->seal && fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK |
                         F_SEAL_SEAL) < 0) {
        error_setg_errno(errp, errno, "failed to seal memfd");
        close(fd);
        return false;
    }
    if (!memory_region_init_ram_from_fd(&backend->mr, OBJECT(backend), name,
                                        backend->size,
                                        hostmem_ram_flags(backend) |
                                        RAM_ANON_FD, fd, 0, errp)) {
        close(fd);
        return false;
    }
    return true;
}

static void memfd_backend_instance_init(Object *obj)
{
    HostMemoryBackendMemfd *m = MEMFD_BACKEND(obj);

    /* memfd exists to be shared: share defaults to on. */
    m->parent_obj.share = true;
    m->seal = true;
    hostmem_add_prop(obj, "hugetlb", "bool", PROP_KIND_BOOL,
                     offsetof(HostMemoryBackendMemfd, hugetlb),
                     "Use huge pages");
    hostmem_add_prop(obj, "hugetlbsize", "size", PROP_KIND_SIZE,
                     offsetof(HostMemoryBackendMemfd, hugetlbsize),
                     "Huge pages size (ex: 2M, 1G)");
    hostmem_add_prop(obj, "seal", "bool", PROP_KIND_BOOL,
                     offsetof(HostMemoryBackendMemfd, seal),
                     "Seal growing & shrinking");
}

static void memfd_backend_class_init(ObjectClass *klass)
{
    ((HostMemoryBackendClass *)klass)->alloc = memfd_backend_alloc;
}

void hostmem_memfd_register_types(void);
void hostmem_memfd_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_MEMORY_BACKEND_MEMFD,
        .parent = TYPE_MEMORY_BACKEND,
        .instance_size = sizeof(HostMemoryBackendMemfd),
        .instance_init = memfd_backend_instance_init,
        .class_init = memfd_backend_class_init,
    };

    type_register_static(&info);
}
