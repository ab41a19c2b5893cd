/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify.c: notifier lists (see notify.h). */
#include "qemu/osdep.h"
#include "qemu/notify.h"

void notifier_list_init(NotifierList *list)
{
    QTAILQ_INIT(&list->notifiers);
}

void notifier_list_add(NotifierList *list, Notifier *notifier)
{
    QTAILQ_INSERT_TAIL(&list->notifiers, notifier, node);
}

void notifier_remove(NotifierList *list, Notifier *notifier)
{
    QTAILQ_REMOVE(&list->notifiers, notifier, node);
}

void notifier_list_notify(NotifierList *list, void *data)
{
    Notifier *notifier, *next;

    QTAILQ_FOREACH_SAFE(notifier, &list->notifiers, node, next) {
        notifier->notify(notifier, data);
    }
}
