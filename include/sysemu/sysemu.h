/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysemu.h: the one list of optional subsystems (softmmu/devices.c):
 * which device types exist, which subsystems offer QMP/HMP commands, and
 * the -tpmdev hook.  Adding a subsystem means adding a line there, not
 * editing vl.c.
 */
#ifndef SYSEMU_SYSEMU_H
#define SYSEMU_SYSEMU_H

/** sysemu_register_device_types: every -device type beyond the board's. */
void sysemu_register_device_types(void);
/** sysemu_register_commands: QMP/HMP commands of optional subsystems. */
void sysemu_register_commands(void);
/** sysemu_tpmdev_add: handle one -tpmdev argument. */
bool sysemu_tpmdev_add(const char *optarg, Error **errp);
/** sysemu_cleanup: stop background work (a running dump) before exit. */
void sysemu_cleanup(void);
/** vl_register_commands: query-name, answering with *@name. */
void vl_register_commands(char **name);

#endif /* SYSEMU_SYSEMU_H */
