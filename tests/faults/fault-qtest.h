/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fault-qtest.h: what the fault-loop qtests share: the operations that
 * can be failed, and arming and reading faults in a running
 * sparsevm-faults over QMP (x-debug-fault, x-query-debug-faults; see
 * docs/devel/fault-injection.md).  Test side only: speaks QMP, shares no
 * code with the wrappers.
 */
#ifndef TESTS_FAULTS_FAULT_QTEST_H
#define TESTS_FAULTS_FAULT_QTEST_H

#include "../qtest/libqtest.h"

/* Every operation faults.h wraps, by its SPARSEVM_FAULT name. */
extern const char *const fault_all_ops[];
extern const size_t fault_n_ops;
/* What only a live dump calls: its write tracker's userfaultfd, ioctls
 * and thread. */
extern const char *const fault_live_ops[];
extern const size_t fault_n_live_ops;

/**
 * fault_qmp_arm: fail call @nth of @op, once, with @err (a name such as
 * "EIO", or NULL for the operation's default); @nth 0 disarms @op.
 */
void fault_qmp_arm(QTestState *qts, const char *op, unsigned nth,
                   const char *err);
/** fault_qmp_disarm_all: disarm every operation. */
void fault_qmp_disarm_all(QTestState *qts);
/** fault_qmp_injected: faults injected into @op since it was armed. */
int64_t fault_qmp_injected(QTestState *qts, const char *op);

/**
 * FaultTally: faults injected (in all and per operation), and how many
 * of them the test saw the program survive; fault_tally_report() prints
 * "faults injected = N, survived = N (op xN, ...)" for @what and fails
 * unless the two are equal.
 */
typedef struct FaultTally {
    unsigned injected;
    unsigned survived;
    unsigned per_op[32];        /* injected, by index in fault_all_ops */
} FaultTally;

/** fault_tally_hit: a fault of fault_all_ops[@op] was injected. */
void fault_tally_hit(FaultTally *t, size_t op);
void fault_tally_report(const char *what, const FaultTally *t);

#endif /* TESTS_FAULTS_FAULT_QTEST_H */
