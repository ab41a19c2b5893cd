/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify.h: notifier lists.  A Notifier is embedded by its owner, added to a
 * list and called with the list's @data when notifier_list_notify() runs.
 * Notifiers run in the order they were added.
 */
#ifndef QEMU_NOTIFY_H
#define QEMU_NOTIFY_H

#include "qemu/queue.h"

struct Notifier {
    void (*notify)(Notifier *notifier, void *data);
    QTAILQ_ENTRY(Notifier) node;
};

struct NotifierList {
    QTAILQ_HEAD(, Notifier) notifiers;
};

#define NOTIFIER_LIST_INITIALIZER(head) \
    { QTAILQ_HEAD_INITIALIZER((head).notifiers) }

void notifier_list_init(NotifierList *list);
/** notifier_list_add: append @notifier; it is called after earlier ones. */
void notifier_list_add(NotifierList *list, Notifier *notifier);
void notifier_remove(NotifierList *list, Notifier *notifier);
/** notifier_list_notify: call every notifier; a notifier may remove itself. */
void notifier_list_notify(NotifierList *list, void *data);

#endif /* QEMU_NOTIFY_H */
