# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every CloudFormation StackStatus mapped to one phase and one recovery action.

This table is the contract of DESIGN.md section 3. Lookups are exact: a status that is not listed raises,
so a status AWS adds later is noticed (a unit test compares the keys with botocore's StackStatus enum)
instead of falling through a suffix match.
"""

from collections import namedtuple
from types import MappingProxyType

ABSENT_STATUS = "ABSENT"  # our name for "describe_stacks says the stack does not exist"

# Phases: a closed vocabulary.
ABSENT = "absent"  # no stack: the deploy creates it
STABLE = "stable"  # settled and healthy: the deploy updates it
BUSY = "busy"  # an operation runs: wait until it settles, then decide again
STUCK = "stuck"  # a failed operation left live resources behind
DEAD = "dead"  # a failed first create: nothing worth keeping, unless a table survived with items

# Recovery actions, taken before the deploy.
NONE = "none"
WAIT = "wait"
DELETE = "delete"  # the stack holds no resources: delete it, then the deploy creates it
DELETE_IF_EMPTY = "delete_if_empty"  # resources may remain: delete only when no table holds items
CONTINUE_UPDATE_ROLLBACK = "continue_update_rollback"
ROLLBACK = "rollback"
FAIL = "fail"  # a person must look; change nothing

MUTATING_ACTIONS = frozenset([DELETE, DELETE_IF_EMPTY, CONTINUE_UPDATE_ROLLBACK, ROLLBACK])

StackStatusRow = namedtuple("StackStatusRow", ["phase", "action", "meaning"])

STACK_STATUS_TABLE = MappingProxyType({
    ABSENT_STATUS: StackStatusRow(ABSENT, NONE, "no stack"),
    "DELETE_COMPLETE": StackStatusRow(ABSENT, NONE, "no stack"),
    "CREATE_COMPLETE": StackStatusRow(STABLE, NONE, "healthy"),
    "UPDATE_COMPLETE": StackStatusRow(STABLE, NONE, "healthy"),
    "UPDATE_ROLLBACK_COMPLETE": StackStatusRow(STABLE, NONE, "healthy: the last update was rolled back"),
    "IMPORT_COMPLETE": StackStatusRow(STABLE, NONE, "healthy"),
    "IMPORT_ROLLBACK_COMPLETE": StackStatusRow(STABLE, NONE, "healthy: the last import was rolled back"),
    "ROLLBACK_COMPLETE": StackStatusRow(
        DEAD, DELETE, "the first create failed and its resources were removed; AWS accepts no update"),
    "ROLLBACK_FAILED": StackStatusRow(
        DEAD, DELETE_IF_EMPTY, "the first create failed and so did its rollback; resources may remain"),
    "CREATE_FAILED": StackStatusRow(
        DEAD, DELETE_IF_EMPTY, "the first create failed with rollback disabled; resources may remain"),
    "REVIEW_IN_PROGRESS": StackStatusRow(
        DEAD, DELETE, "a change set was created but never executed; the stack holds no resources"),
    "UPDATE_ROLLBACK_FAILED": StackStatusRow(
        STUCK, CONTINUE_UPDATE_ROLLBACK, "an update failed and so did its rollback; live data, never delete"),
    "UPDATE_FAILED": StackStatusRow(
        STUCK, ROLLBACK, "an update failed with rollback disabled; the stack is kept as it is"),
    "DELETE_FAILED": StackStatusRow(STUCK, FAIL, "a delete failed; a person must decide what to keep"),
    "IMPORT_ROLLBACK_FAILED": StackStatusRow(STUCK, FAIL, "an import rollback failed; a person must look"),
    "CREATE_IN_PROGRESS": StackStatusRow(BUSY, WAIT, "being created"),
    "ROLLBACK_IN_PROGRESS": StackStatusRow(BUSY, WAIT, "a failed create is rolling back"),
    "DELETE_IN_PROGRESS": StackStatusRow(BUSY, WAIT, "being deleted"),
    "UPDATE_IN_PROGRESS": StackStatusRow(BUSY, WAIT, "being updated"),
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": StackStatusRow(BUSY, WAIT, "an update is cleaning up"),
    "UPDATE_ROLLBACK_IN_PROGRESS": StackStatusRow(BUSY, WAIT, "a failed update is rolling back"),
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": StackStatusRow(BUSY, WAIT, "a rollback is cleaning up"),
    "IMPORT_IN_PROGRESS": StackStatusRow(BUSY, WAIT, "resources are being imported"),
    "IMPORT_ROLLBACK_IN_PROGRESS": StackStatusRow(BUSY, WAIT, "a failed import is rolling back"),
})


class UnknownStackStatusError(ValueError):
    pass


def lookup_stack_status(status):
    """Return the StackStatusRow for an exact status; raise UnknownStackStatusError otherwise."""
    try:
        return STACK_STATUS_TABLE[status]
    except KeyError:
        raise UnknownStackStatusError(
            "Stack status %r is not in this collection's status table; refusing to guess what to do" % (status,))
