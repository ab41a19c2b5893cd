/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw_cfg.c: QEMU's firmware configuration device, I/O-port flavour with
 * the DMA interface (what QEMU's pc and microvm boards map at 0x510).
 * Items are byte arrays selected by a 16-bit key; files are items from
 * FW_CFG_FILE_FIRST on, listed in the FW_CFG_FILE_DIR item.  The guest
 * reads an item a byte at a time through the data port, or moves whole
 * ranges with a DMA descriptor it places in its own memory; writable
 * files (etc/vmcoreinfo) accept DMA writes.  The wire ABI is in
 * include/standard-headers/linux/qemu_fw_cfg.h.
 *
 * What is left out: kernel/initrd/cmdline loading and the boot-order
 * and ACPI table files (there is no firmware that would read them), the
 * MMIO flavour (other architectures' boards) and migration.
 *
 * Guest input: every DMA descriptor is hostile.  The descriptor, the
 * buffer it names and the status word are accessed only through the
 * address space (unmapped, discarded or wrapping ranges fail the
 * transfer with FW_CFG_DMA_CTL_ERROR, never touch host memory outside
 * guest RAM); a write must fit entirely in a writable file; a transfer
 * of an unknown item reads as zeros, as in QEMU.  Nothing here asserts
 * on what the guest does.
 */
#include "qemu/osdep.h"
#include "hw/boards.h"
#include "hw/nvram/fw_cfg.h"
#include "qemu/error.h"
#include "qemu/log.h"
#include "standard-headers/linux/qemu_fw_cfg.h"

#define FW_CFG_FILE_SLOTS 0x20          /* QEMU's default */
#define FW_CFG_MAX_ENTRY (FW_CFG_FILE_FIRST + FW_CFG_FILE_SLOTS)
#define FW_CFG_INVALID 0xffff           /* cur_entry: nothing selected */
#define FW_CFG_DMA_CHUNK 4096           /* bounce buffer of one DMA step */

typedef struct FWCfgEntry {
    uint32_t len;
    bool allow_write;
    uint8_t *data;                  /* borrowed, or owned if @owned */
    bool owned;
    void *callback_opaque;
    FWCfgWriteCallback write_cb;
} FWCfgEntry;

/*
 * struct FWCfgState: @entries[key] for keys below FW_CFG_MAX_ENTRY;
 * @files is the directory's contents (count + entries, big-endian),
 * rebuilt on every file change; @cur_entry/@cur_offset are the
 * selection the data port and DMA continue from; @dma_addr the high
 * half of the descriptor address latched by the first DMA write.
 */
struct FWCfgState {
    DeviceState parent_obj;
    MemoryRegion comb_io;           /* selector + data, 2 bytes */
    MemoryRegion dma_io;            /* DMA address, 8 bytes */
    MemoryRegion *io;               /* the container they are mapped in */
    AddressSpace *dma_as;
    FWCfgEntry entries[FW_CFG_MAX_ENTRY];
    uint8_t *files;                 /* owned; FW_CFG_FILE_DIR's data */
    uint32_t nfiles;
    uint16_t cur_entry;
    uint32_t cur_offset;
    uint64_t dma_addr;
};

#define FW_CFG(obj) \
    ((FWCfgState *)object_dynamic_cast_assert(OBJECT(obj), TYPE_FW_CFG_IO))

/* a file entry's name, or NULL */
static const char *file_name(FWCfgState *s, uint32_t i)
{
    struct fw_cfg_file *f = (struct fw_cfg_file *)(s->files + 4) + i;

    return f->name;
}

static FWCfgEntry *fw_cfg_entry(FWCfgState *s)
{
    if (s->cur_entry == FW_CFG_INVALID) {
        return NULL;
    }
    return &s->entries[s->cur_entry];
}

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    uint16_t k = key & FW_CFG_ENTRY_MASK;

    s->cur_offset = 0;
    /* arch-local keys and keys past the table select nothing */
    if ((key & FW_CFG_ARCH_LOCAL) || k >= FW_CFG_MAX_ENTRY) {
        s->cur_entry = FW_CFG_INVALID;
    } else {
        s->cur_entry = k;
    }
}

static uint8_t fw_cfg_read_byte(FWCfgState *s)
{
    FWCfgEntry *e = fw_cfg_entry(s);

    if (!e || !e->data || s->cur_offset >= e->len) {
        return 0;
    }
    return e->data[s->cur_offset++];
}

/* ------------------------------------------------- selector and data */

/*
 * QEMU's rules: any 1-byte read is the data port; a 2-byte write selects,
 * a 1-byte write is the data port (ignored since QEMU 2.4: use DMA).
 */
static uint64_t fw_cfg_comb_read(void *opaque, hwaddr addr, unsigned size)
{
    if (size != 1) {
        qemu_log_mask(LOG_GUEST_ERROR, "fw_cfg: %u-byte read of the data "
                      "port ignored\n", size);
        return 0;
    }
    return fw_cfg_read_byte(opaque);
}

static void fw_cfg_comb_write(void *opaque, hwaddr addr, uint64_t value,
                              unsigned size)
{
    if (size == 2) {
        fw_cfg_select(opaque, value);
    }
}

static const MemoryRegionOps fw_cfg_comb_ops = {
    .read = fw_cfg_comb_read,
    .write = fw_cfg_comb_write,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
};

/* ------------------------------------------------------------------ DMA */

static bool dma_range_ok(uint64_t addr, uint64_t len)
{
    return addr + len >= addr;
}

/* Zero @len bytes of guest memory at @addr; false on any failure. */
static bool dma_zero(FWCfgState *s, uint64_t addr, uint32_t len)
{
    return dma_range_ok(addr, len) &&
           address_space_set(s->dma_as, addr, 0, len) == MEMTX_OK;
}

/*
 * Run the descriptor at @desc_addr: QEMU's fw_cfg_dma_transfer() rules.
 * The status written back is 0, or FW_CFG_DMA_CTL_ERROR.
 */
static void fw_cfg_dma_transfer(FWCfgState *s, uint64_t desc_addr)
{
    struct fw_cfg_dma_access dma;
    uint32_t control, length, status;
    uint64_t address;
    bool read = false, write = false;

    if (!dma_range_ok(desc_addr, sizeof(dma)) ||
        address_space_read(s->dma_as, desc_addr, &dma, sizeof(dma)) !=
        MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "fw_cfg: DMA descriptor at 0x%"
                      PRIx64 " is not in guest RAM\n", desc_addr);
        status = GUINT32_TO_BE(FW_CFG_DMA_CTL_ERROR);
        if (dma_range_ok(desc_addr, sizeof(status))) {
            address_space_write(s->dma_as, desc_addr, &status,
                                sizeof(status));
        }
        return;
    }
    control = GUINT32_FROM_BE(dma.control);
    length = GUINT32_FROM_BE(dma.length);
    address = GUINT64_FROM_BE(dma.address);

    if (control & FW_CFG_DMA_CTL_SELECT) {
        fw_cfg_select(s, control >> 16);
    }
    if (control & FW_CFG_DMA_CTL_READ) {
        read = true;
    } else if (control & FW_CFG_DMA_CTL_WRITE) {
        write = true;
    } else if (!(control & FW_CFG_DMA_CTL_SKIP)) {
        length = 0;
    }
    control &= ~FW_CFG_DMA_CTL_ERROR;

    while (length && !(control & FW_CFG_DMA_CTL_ERROR)) {
        FWCfgEntry *e = fw_cfg_entry(s);
        uint32_t len;

        if (!e || !e->data || s->cur_offset >= e->len) {
            /* past the end or no item: reads give zeros, writes fail */
            len = length;
            if (read && !dma_zero(s, address, len)) {
                control |= FW_CFG_DMA_CTL_ERROR;
            }
            if (write) {
                control |= FW_CFG_DMA_CTL_ERROR;
            }
        } else {
            len = MIN(length, e->len - s->cur_offset);
            if (!dma_range_ok(address, len)) {
                control |= FW_CFG_DMA_CTL_ERROR;
            } else if (read) {
                if (address_space_write(s->dma_as, address,
                                        e->data + s->cur_offset, len) !=
                    MEMTX_OK) {
                    control |= FW_CFG_DMA_CTL_ERROR;
                }
            } else if (write) {
                /* all or nothing: a write must fit in the file */
                if (!e->allow_write || len != length ||
                    address_space_read(s->dma_as, address,
                                       e->data + s->cur_offset, len) !=
                    MEMTX_OK) {
                    control |= FW_CFG_DMA_CTL_ERROR;
                } else if (e->write_cb) {
                    e->write_cb(e->callback_opaque, s->cur_offset, len);
                }
            }
            s->cur_offset += len;
        }
        address += len;
        length -= len;
    }
    status = GUINT32_TO_BE(control & FW_CFG_DMA_CTL_ERROR);
    address_space_write(s->dma_as, desc_addr, &status, sizeof(status));
}

static uint64_t fw_cfg_dma_read(void *opaque, hwaddr addr, unsigned size)
{
    static const char sig[] = FW_CFG_DMA_SIGNATURE;
    uint64_t v = 0;

    /* the bytes of "QEMU CFG" at @addr, as a little-endian access sees them */
    for (unsigned i = 0; i < size && addr + i < 8; i++) {
        v |= (uint64_t)(uint8_t)sig[addr + i] << (8 * i);
    }
    return v;
}

static void fw_cfg_dma_write(void *opaque, hwaddr addr, uint64_t value,
                             unsigned size)
{
    FWCfgState *s = opaque;
    uint64_t desc;

    /* the register is big-endian; accesses arrive little-endian */
    if (size == 4 && addr == 0) {
        s->dma_addr = (uint64_t)GUINT32_SWAP_LE_BE((uint32_t)value) << 32;
    } else if (size == 4 && addr == 4) {
        desc = s->dma_addr | GUINT32_SWAP_LE_BE((uint32_t)value);
        s->dma_addr = 0;
        fw_cfg_dma_transfer(s, desc);
    } else if (size == 8 && addr == 0) {
        s->dma_addr = 0;
        fw_cfg_dma_transfer(s, GUINT64_SWAP_LE_BE(value));
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "fw_cfg: %u-byte DMA register "
                      "write at offset %" PRIu64 " ignored\n", size, addr);
    }
}

static const MemoryRegionOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_read,
    .write = fw_cfg_dma_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

/* --------------------------------------------------------------- items */

static void fw_cfg_set_entry(FWCfgState *s, uint16_t key, void *data,
                             size_t len, bool owned)
{
    FWCfgEntry *e;

    assert(key < FW_CFG_MAX_ENTRY && len <= UINT32_MAX);
    e = &s->entries[key];
    if (e->owned) {
        g_free(e->data);
    }
    *e = (FWCfgEntry) { .data = data, .len = len, .owned = owned };
}

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, void *data, size_t len)
{
    assert(key < FW_CFG_FILE_FIRST);
    fw_cfg_set_entry(s, key, data, len, false);
}

void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value)
{
    uint16_t *p = g_new(uint16_t, 1);

    *p = GUINT16_TO_LE(value);
    fw_cfg_set_entry(s, key, p, sizeof(*p), true);
}

void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    uint32_t *p = g_new(uint32_t, 1);

    *p = GUINT32_TO_LE(value);
    fw_cfg_set_entry(s, key, p, sizeof(*p), true);
}

void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    uint64_t *p = g_new(uint64_t, 1);

    *p = GUINT64_TO_LE(value);
    fw_cfg_set_entry(s, key, p, sizeof(*p), true);
}

/* Rebuild the directory from the file entries (sorted, as they are). */
static void fw_cfg_update_dir(FWCfgState *s, char (*names)[FW_CFG_MAX_FILE_PATH])
{
    size_t dsize = 4 + s->nfiles * sizeof(struct fw_cfg_file);
    uint8_t *dir = g_malloc0(dsize);
    struct fw_cfg_file *f = (struct fw_cfg_file *)(dir + 4);
    uint32_t count = GUINT32_TO_BE(s->nfiles);

    g_assert(names || !s->nfiles);
    memcpy(dir, &count, 4);
    for (uint32_t i = 0; i < s->nfiles; i++) {
        f[i].size = GUINT32_TO_BE(s->entries[FW_CFG_FILE_FIRST + i].len);
        f[i].select = GUINT16_TO_BE(FW_CFG_FILE_FIRST + i);
        memcpy(f[i].name, names[i], FW_CFG_MAX_FILE_PATH);
    }
    g_free(s->files);
    s->files = dir;
    /* the directory entry borrows s->files */
    s->entries[FW_CFG_FILE_DIR] = (FWCfgEntry) { .data = dir, .len = dsize };
}

/* the current names, one slot per file, for a rebuild */
static char (*fw_cfg_names(FWCfgState *s))[FW_CFG_MAX_FILE_PATH]
{
    char (*names)[FW_CFG_MAX_FILE_PATH] =
        g_malloc0(sizeof(*names) * (s->nfiles + 1));

    for (uint32_t i = 0; i < s->nfiles; i++) {
        memcpy(names[i], file_name(s, i), FW_CFG_MAX_FILE_PATH);
    }
    return names;
}

bool fw_cfg_add_file_callback(FWCfgState *s, const char *filename,
                              FWCfgWriteCallback write_cb, void *opaque,
                              void *data, size_t len, bool read_only,
                              Error **errp)
{
    g_autofree char (*names)[FW_CFG_MAX_FILE_PATH] = NULL;
    uint32_t at;

    if (strlen(filename) >= FW_CFG_MAX_FILE_PATH) {
        error_setg(errp, "fw_cfg: file name '%s' is too long", filename);
        return false;
    }
    if (s->nfiles >= FW_CFG_FILE_SLOTS) {
        error_setg(errp, "fw_cfg: no free file slot for '%s'", filename);
        return false;
    }
    names = fw_cfg_names(s);
    for (at = 0; at < s->nfiles; at++) {
        int c = strcmp(filename, names[at]);

        if (!c) {
            error_setg(errp, "duplicate fw_cfg file name: %s", filename);
            return false;
        }
        if (c < 0) {
            break;
        }
    }
    /* keep the files sorted: shift the later ones up one selector */
    memmove(&s->entries[FW_CFG_FILE_FIRST + at + 1],
            &s->entries[FW_CFG_FILE_FIRST + at],
            (s->nfiles - at) * sizeof(FWCfgEntry));
    memmove(names[at + 1], names[at],
            (s->nfiles - at) * sizeof(names[0]));
    memset(names[at], 0, sizeof(names[0]));
    g_strlcpy(names[at], filename, FW_CFG_MAX_FILE_PATH);
    s->entries[FW_CFG_FILE_FIRST + at] = (FWCfgEntry) {
        .data = data, .len = len, .allow_write = !read_only,
        .write_cb = write_cb, .callback_opaque = opaque,
    };
    s->nfiles++;
    fw_cfg_update_dir(s, names);
    return true;
}

void fw_cfg_remove_file(FWCfgState *s, const char *filename)
{
    g_autofree char (*names)[FW_CFG_MAX_FILE_PATH] = fw_cfg_names(s);

    for (uint32_t at = 0; at < s->nfiles; at++) {
        if (!strcmp(names[at], filename)) {
            memmove(&s->entries[FW_CFG_FILE_FIRST + at],
                    &s->entries[FW_CFG_FILE_FIRST + at + 1],
                    (s->nfiles - at - 1) * sizeof(FWCfgEntry));
            memmove(names[at], names[at + 1],
                    (s->nfiles - at - 1) * sizeof(names[0]));
            s->nfiles--;
            s->entries[FW_CFG_FILE_FIRST + s->nfiles] = (FWCfgEntry) { 0 };
            fw_cfg_update_dir(s, names);
            fw_cfg_select(s, FW_CFG_SIGNATURE);
            return;
        }
    }
}

bool fw_cfg_dma_enabled(FWCfgState *s)
{
    return true;
}

/* --------------------------------------------------------------- device */

static void fw_cfg_reset(DeviceState *dev)
{
    FWCfgState *s = FW_CFG(dev);

    fw_cfg_select(s, FW_CFG_SIGNATURE);
    s->dma_addr = 0;
}

static void fw_cfg_finalize(Object *obj)
{
    FWCfgState *s = FW_CFG(obj);

    for (unsigned i = 0; i < FW_CFG_MAX_ENTRY; i++) {
        if (s->entries[i].owned) {
            g_free(s->entries[i].data);
        }
    }
    g_free(s->files);
}

FWCfgState *fw_cfg_find(void)
{
    Object *o = object_resolve_path_type("fw_cfg", TYPE_FW_CFG_IO, NULL);

    return o ? FW_CFG(o) : NULL;
}

FWCfgState *fw_cfg_io_new(Object *machine, MemoryRegion *io, hwaddr iobase,
                          AddressSpace *dma_as, Error **errp)
{
    static char signature[FW_CFG_SIG_SIZE] = "QEMU";
    MachineState *ms = MACHINE(machine);
    FWCfgState *s = FW_CFG(qdev_new(TYPE_FW_CFG_IO));

    object_property_add_child(machine, "fw_cfg", OBJECT(s));
    object_unref(OBJECT(s));
    s->io = io;
    s->dma_as = dma_as;
    if (!qdev_realize(DEVICE(s), errp)) {
        object_unparent(OBJECT(s));
        return NULL;
    }
    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, signature, sizeof(signature));
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_VERSION | FW_CFG_VERSION_DMA);
    fw_cfg_add_i16(s, FW_CFG_NB_CPUS, ms->smp_cpus);
    fw_cfg_add_i16(s, FW_CFG_MAX_CPUS, ms->smp_cpus);
    fw_cfg_add_i64(s, FW_CFG_RAM_SIZE, ms->ram_size);
    fw_cfg_update_dir(s, NULL);

    memory_region_init_io(&s->comb_io, OBJECT(s), &fw_cfg_comb_ops, s,
                          "fwcfg", 2);
    memory_region_init_io(&s->dma_io, OBJECT(s), &fw_cfg_dma_ops, s,
                          "fwcfg.dma", 8);
    memory_region_transaction_begin();
    memory_region_add_subregion(io, iobase + FW_CFG_IO_CTL, &s->comb_io);
    memory_region_add_subregion(io, iobase + FW_CFG_IO_DMA, &s->dma_io);
    memory_region_transaction_commit();
    fw_cfg_reset(DEVICE(s));
    return s;
}

static void fw_cfg_class_init(ObjectClass *klass)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->reset = fw_cfg_reset;
    dc->desc = "QEMU firmware configuration device (I/O port, DMA)";
    dc->user_creatable = false;
}

void fw_cfg_register_types(void)
{
    static const TypeInfo info = {
        .name = TYPE_FW_CFG_IO,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(FWCfgState),
        .instance_finalize = fw_cfg_finalize,
        .class_init = fw_cfg_class_init,
    };

    type_register_static(&info);
}
