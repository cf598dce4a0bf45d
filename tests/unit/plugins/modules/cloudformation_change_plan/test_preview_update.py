"""preview_update(): the changes of an update, from a throwaway change set that is deleted in every case."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.preview import ChangeRefused
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.preview import preview_update
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import CHANGE_SET_ID
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import NO_CHANGES_REASON
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import property_detail
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import resource_change
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE

DELETE = "cloudformation:DeleteChangeSet"


def preview(cloudformation, clock, params):
    return preview_update(cloudformation.wrapped(), params, sleep=clock.sleep, clock=clock)


def test_preview_update_complete_change_set_normalizes_and_deletes(cloudformation, api_calls, clock, plan_params):
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE, tags={"Service": "ai-chef"})
    cfn.stub_describe_change_set(cloudformation.stubber, "CREATE_IN_PROGRESS")
    cfn.stub_describe_change_set(cloudformation.stubber, changes=[resource_change(
        "AiChefResultsTable", "Modify", "False", physical_id="ai-chef-results",
        details=[property_detail("GlobalSecondaryIndexes")])])
    cfn.stub_delete_change_set(cloudformation.stubber)

    changes = preview(cloudformation, clock, plan_params(tags={"Service": "ai-chef"}))

    assert changes == [dict(action="Modify", logical_resource_id="AiChefResultsTable",
                            physical_resource_id="ai-chef-results", resource_type="AWS::DynamoDB::Table",
                            replacement="False", properties=["GlobalSecondaryIndexes"], replacement_causes=[])]
    assert api_calls == ["cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet",
                         "cloudformation:DescribeChangeSet", DELETE]
    assert clock.sleeps == [1.0]


def test_preview_update_paginated_change_set_collects_all_changes(cloudformation, clock, plan_params):
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_describe_change_set(cloudformation.stubber, changes=[resource_change("AiChefSessionsTable")],
                                 next_token="page-2")
    cfn.stub_describe_change_set(cloudformation.stubber, changes=[resource_change("AiChefResultsTable")],
                                 expected_token="page-2")
    cfn.stub_delete_change_set(cloudformation.stubber)

    changes = preview(cloudformation, clock, plan_params())

    assert [change["logical_resource_id"] for change in changes] == ["AiChefSessionsTable", "AiChefResultsTable"]


def test_preview_update_non_resource_change_is_dropped(cloudformation, clock, plan_params):
    """Only Type Resource changes are resource changes; anything else (here a change without a Type) is left out."""
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_describe_change_set(cloudformation.stubber, changes=[
        {"HookInvocationCount": 1}, resource_change("SessionsTableErrorAlarm", resource_type=cfn.CLOUDWATCH_ALARM)])
    cfn.stub_delete_change_set(cloudformation.stubber)

    changes = preview(cloudformation, clock, plan_params())

    assert [change["logical_resource_id"] for change in changes] == ["SessionsTableErrorAlarm"]


def test_preview_update_empty_change_set_returns_none(cloudformation, api_calls, clock, plan_params):
    """FAILED "didn't contain changes": CloudFormation would do nothing (None, not an update without changes)."""
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_describe_change_set(cloudformation.stubber, "FAILED", status_reason=NO_CHANGES_REASON)
    cfn.stub_delete_change_set(cloudformation.stubber)

    assert preview(cloudformation, clock, plan_params()) is None
    assert api_calls[-1] == DELETE


def test_preview_update_executable_without_resource_changes_returns_empty_list(cloudformation, clock, plan_params):
    """CREATE_COMPLETE with no Changes (AWS, when only outputs differ): an update that changes no resource."""
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_describe_change_set(cloudformation.stubber, "CREATE_COMPLETE", changes=[])
    cfn.stub_delete_change_set(cloudformation.stubber)

    assert preview(cloudformation, clock, plan_params()) == []


def test_preview_update_failed_for_another_reason_raises_with_reason(cloudformation, api_calls, clock, plan_params):
    reason = "Parameters: [Environment] must have values"
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_describe_change_set(cloudformation.stubber, "FAILED", status_reason=reason)
    cfn.stub_delete_change_set(cloudformation.stubber)

    with pytest.raises(CloudFormationError) as e:
        preview(cloudformation, clock, plan_params())

    assert not isinstance(e.value, ChangeRefused)
    assert e.value.message == "CloudFormation could not compute the update of stack %s: %s" % (STACK_NAME, reason)
    assert api_calls[-1] == DELETE


def test_preview_update_describe_fails_still_deletes(cloudformation, api_calls, clock, plan_params):
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_describe_change_set(cloudformation.stubber, error_code="AccessDenied",
                                 error_message="not authorized to perform cloudformation:DescribeChangeSet")
    cfn.stub_delete_change_set(cloudformation.stubber)

    with pytest.raises(CloudFormationError) as e:
        preview(cloudformation, clock, plan_params())

    assert e.value.message == "Failed to read change set %s" % CHANGE_SET_ID
    assert api_calls[-1] == DELETE


def test_preview_update_wait_times_out_still_deletes(cloudformation, api_calls, clock, plan_params):
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE)
    for dummy in range(4):  # at t = 0, 1, 2.5, 3
        cfn.stub_describe_change_set(cloudformation.stubber, "CREATE_IN_PROGRESS")
    cfn.stub_delete_change_set(cloudformation.stubber)

    with pytest.raises(CloudFormationError) as e:
        preview(cloudformation, clock, plan_params(wait_timeout=3))

    assert e.value.message == "Change set %s still CREATE_IN_PROGRESS after 3 s" % CHANGE_SET_ID
    assert api_calls.count(DELETE) == 1 and api_calls[-1] == DELETE
    assert clock.slept == 3


def test_preview_update_wait_times_out_and_delete_refused_reports_timeout(cloudformation, api_calls, clock,
                                                                          plan_params):
    """AWS refuses to delete a change set still CREATE_IN_PROGRESS: that must not hide why the preview failed."""
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE)
    for dummy in range(2):  # at t = 0, 1
        cfn.stub_describe_change_set(cloudformation.stubber, "CREATE_IN_PROGRESS")
    cfn.stub_delete_change_set(cloudformation.stubber, error_code="InvalidChangeSetStatus",
                               error_message="Cannot delete ChangeSet in status CREATE_IN_PROGRESS")

    with pytest.raises(CloudFormationError) as e:
        preview(cloudformation, clock, plan_params(wait_timeout=1))

    assert e.value.message == "Change set %s still CREATE_IN_PROGRESS after 1 s" % CHANGE_SET_ID
    assert api_calls[-1] == DELETE


def test_preview_update_delete_refused_after_success_raises(cloudformation, clock, plan_params):
    """Without a wait error to report, a failed clean-up is itself the failure (no change set left behind silently)."""
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_describe_change_set(cloudformation.stubber, changes=[resource_change("AiChefSessionsTable")])
    cfn.stub_delete_change_set(cloudformation.stubber, error_code="AccessDenied",
                               error_message="not authorized to perform cloudformation:DeleteChangeSet")

    with pytest.raises(CloudFormationError) as e:
        preview(cloudformation, clock, plan_params())

    assert e.value.message == "Failed to delete preview change set %s" % CHANGE_SET_ID


def test_preview_update_create_rejected_raises_without_delete(cloudformation, api_calls, clock, plan_params):
    """No change set was made, so there is none to delete."""
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE, error_code="InsufficientCapabilities",
                               error_message="Requires capabilities : [CAPABILITY_NAMED_IAM]")

    with pytest.raises(CloudFormationError) as e:
        preview(cloudformation, clock, plan_params())

    assert e.value.message == "Failed to create a change set to preview stack %s" % STACK_NAME
    assert api_calls == ["cloudformation:CreateChangeSet"]
