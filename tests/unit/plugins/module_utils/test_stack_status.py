"""The status table: complete against botocore's StackStatus enum, exact, and faithful to DESIGN.md section 3."""
import botocore.session
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import status as table


def botocore_stack_statuses():
    model = botocore.session.get_session().get_service_model("cloudformation")
    return set(model.shape_for("StackStatus").enum)


def test_table_covers_exactly_botocore_stack_statuses():
    assert set(table.STACK_STATUS_TABLE) - {table.ABSENT_STATUS} == botocore_stack_statuses()


@pytest.mark.parametrize("status", ["UNKNOWN_STATUS", "rollback_complete", "", "ROLLBACK"])
def test_lookup_stack_status_unknown_raises(status):
    with pytest.raises(table.UnknownStackStatusError):
        table.lookup_stack_status(status)


EXPECTED_ROWS = {
    table.ABSENT_STATUS: (table.ABSENT, table.NONE),
    "DELETE_COMPLETE": (table.ABSENT, table.NONE),
    "CREATE_COMPLETE": (table.STABLE, table.NONE),
    "UPDATE_COMPLETE": (table.STABLE, table.NONE),
    "UPDATE_ROLLBACK_COMPLETE": (table.STABLE, table.NONE),
    "IMPORT_COMPLETE": (table.STABLE, table.NONE),
    "IMPORT_ROLLBACK_COMPLETE": (table.STABLE, table.NONE),
    "ROLLBACK_COMPLETE": (table.DEAD, table.DELETE),
    "ROLLBACK_FAILED": (table.DEAD, table.DELETE_IF_EMPTY),
    "CREATE_FAILED": (table.DEAD, table.DELETE_IF_EMPTY),
    "REVIEW_IN_PROGRESS": (table.DEAD, table.DELETE),
    "UPDATE_ROLLBACK_FAILED": (table.STUCK, table.CONTINUE_UPDATE_ROLLBACK),
    "UPDATE_FAILED": (table.STUCK, table.ROLLBACK),
    "DELETE_FAILED": (table.STUCK, table.FAIL),
    "IMPORT_ROLLBACK_FAILED": (table.STUCK, table.FAIL),
}


@pytest.mark.parametrize("status", sorted(table.STACK_STATUS_TABLE), ids=str)
def test_lookup_stack_status_row_matches_design(status):
    row = table.lookup_stack_status(status)
    if status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        assert (row.phase, row.action) == (table.BUSY, table.WAIT)
    else:
        assert (row.phase, row.action) == EXPECTED_ROWS[status]


def test_update_rollback_failed_is_never_deleted():
    """Live data: the one stuck state people are tempted to delete."""
    assert table.lookup_stack_status("UPDATE_ROLLBACK_FAILED").action not in (table.DELETE, table.DELETE_IF_EMPTY)
