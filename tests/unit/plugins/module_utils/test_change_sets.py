"""change_sets.py: thin change set wrappers (Stubber on the client that RetryingBotoClientWrapper wraps)."""
import re

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import change_sets
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import CHANGE_SET_ID
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import CHANGE_SET_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import NO_CHANGES_REASON
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import resource_change

TEMPLATE = "Resources:\n  Log:\n    Type: AWS::Logs::LogGroup\n"
EXPORT = STACK_NAME + "-SessionsTable"


class TestNewChangeSetName:
    def test_new_change_set_name_valid_and_unique(self):
        """CloudFormation's pattern [a-zA-Z][-a-zA-Z0-9]*, and a fresh name per preview."""
        names = set(change_sets.new_change_set_name() for dummy in range(20))
        assert len(names) == 20
        assert all(re.match(r"^aichef-plan-[0-9a-f]{12}\Z", name) for name in names)


class TestCreateChangeSet:
    def test_create_change_set_update_with_tags_returns_id(self, cloudformation):
        """An UPDATE change set; tag keys and values are sent as strings."""
        cfn.stub_create_change_set(cloudformation.stubber, TEMPLATE, CHANGE_SET_NAME,
                                   capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
                                   tags={"Service": "ai-chef", "CostCenter": "42"})
        change_set_id = change_sets.create_change_set(
            cloudformation.wrapped(), STACK_NAME, CHANGE_SET_NAME, TEMPLATE,
            ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"), {"Service": "ai-chef", "CostCenter": 42})
        assert change_set_id == CHANGE_SET_ID

    def test_create_change_set_no_tags_sends_no_tags_key(self, cloudformation):
        cfn.stub_create_change_set(cloudformation.stubber, TEMPLATE, CHANGE_SET_NAME, capabilities=[])
        assert change_sets.create_change_set(cloudformation.wrapped(), STACK_NAME, CHANGE_SET_NAME, TEMPLATE, [],
                                             {}) == CHANGE_SET_ID

    def test_create_change_set_rejected_raises_naming_stack(self, cloudformation):
        cfn.stub_create_change_set(cloudformation.stubber, TEMPLATE, CHANGE_SET_NAME, error_code="ValidationError",
                                   error_message="Template format error: Unresolved resource dependencies [X]")
        with pytest.raises(CloudFormationError) as e:
            change_sets.create_change_set(cloudformation.wrapped(), STACK_NAME, CHANGE_SET_NAME, TEMPLATE,
                                          ["CAPABILITY_IAM"], {})
        assert e.value.message == "Failed to create a change set to preview stack %s" % STACK_NAME
        assert e.value.exception.response["Error"]["Code"] == "ValidationError"


class TestDescribeChangeSet:
    def test_describe_change_set_paginated_collects_every_page(self, cloudformation, api_calls):
        first = [resource_change("AiChefSessionsTable"), resource_change("AiChefResultsTable")]
        second = [resource_change("SessionsTableErrorAlarm", resource_type=cfn.CLOUDWATCH_ALARM)]
        cfn.stub_describe_change_set(cloudformation.stubber, changes=first, next_token="page-2")
        cfn.stub_describe_change_set(cloudformation.stubber, changes=second, expected_token="page-2")

        change_set = change_sets.describe_change_set(cloudformation.wrapped(), CHANGE_SET_ID)

        assert change_set["Changes"] == first + second
        assert change_set["Status"] == "CREATE_COMPLETE"
        assert api_calls == ["cloudformation:DescribeChangeSet"] * 2

    def test_describe_change_set_not_found_raises(self, cloudformation):
        cfn.stub_describe_change_set(cloudformation.stubber, error_code="ChangeSetNotFound",
                                     error_message="ChangeSet [%s] does not exist" % CHANGE_SET_ID)
        with pytest.raises(CloudFormationError) as e:
            change_sets.describe_change_set(cloudformation.wrapped(), CHANGE_SET_ID)
        assert e.value.message == "Failed to read change set %s" % CHANGE_SET_ID


class TestWaitForChangeSet:
    def test_wait_for_change_set_pending_then_complete_backs_off(self, cloudformation, clock):
        cfn.stub_describe_change_set(cloudformation.stubber, status="CREATE_PENDING")
        cfn.stub_describe_change_set(cloudformation.stubber, status="CREATE_IN_PROGRESS")
        cfn.stub_describe_change_set(cloudformation.stubber, status="CREATE_COMPLETE",
                                     changes=[resource_change("AiChefSessionsTable")])

        change_set = change_sets.wait_for_change_set(cloudformation.wrapped(), CHANGE_SET_ID, 300,
                                                     sleep=clock.sleep, clock=clock)

        assert change_set["Status"] == "CREATE_COMPLETE" and len(change_set["Changes"]) == 1
        assert clock.sleeps == [1.0, 1.5]

    def test_wait_for_change_set_failed_returns_at_once(self, cloudformation, clock):
        cfn.stub_describe_change_set(cloudformation.stubber, status="FAILED", status_reason=NO_CHANGES_REASON)
        change_set = change_sets.wait_for_change_set(cloudformation.wrapped(), CHANGE_SET_ID, 300,
                                                     sleep=clock.sleep, clock=clock)
        assert change_set["Status"] == "FAILED"
        assert clock.sleeps == []

    def test_wait_for_change_set_never_computed_raises_at_timeout(self, cloudformation, clock):
        for dummy in range(5):  # at t = 0, 1, 2.5, 4.75, 5
            cfn.stub_describe_change_set(cloudformation.stubber, status="CREATE_IN_PROGRESS")
        with pytest.raises(CloudFormationError) as e:
            change_sets.wait_for_change_set(cloudformation.wrapped(), CHANGE_SET_ID, 5, sleep=clock.sleep,
                                            clock=clock)
        assert e.value.message == "Change set %s still CREATE_IN_PROGRESS after 5 s" % CHANGE_SET_ID
        assert clock.sleeps == [1.0, 1.5, 2.25, 0.25]
        assert clock.slept == 5


class TestIsEmptyChangeSet:
    @pytest.mark.parametrize("change_set, empty", [
        (dict(Status="FAILED", StatusReason=NO_CHANGES_REASON), True),
        (dict(Status="FAILED", StatusReason="No updates are to be performed."), True),
        (dict(Status="FAILED", StatusReason="Template error: instance of Fn::GetAtt references undefined resource"),
         False),
        (dict(Status="FAILED"), False),
        (dict(Status="CREATE_COMPLETE", StatusReason=NO_CHANGES_REASON), False),
        (dict(Status="CREATE_COMPLETE", Changes=[]), False),
    ], ids=["aws-no-changes", "no-updates", "template-error", "no-reason", "complete-with-reason", "complete"])
    def test_is_empty_change_set_only_failed_for_no_changes_is_empty(self, change_set, empty):
        assert change_sets.is_empty_change_set(change_set) is empty


class TestDeleteChangeSet:
    def test_delete_change_set_deletes_by_id(self, cloudformation, api_calls):
        cfn.stub_delete_change_set(cloudformation.stubber)
        assert change_sets.delete_change_set(cloudformation.wrapped(), CHANGE_SET_ID) is None
        assert api_calls == ["cloudformation:DeleteChangeSet"]

    def test_delete_change_set_already_gone_is_fine(self, cloudformation):
        cfn.stub_delete_change_set(cloudformation.stubber, error_code="ChangeSetNotFound",
                                   error_message="ChangeSet [%s] does not exist" % CHANGE_SET_ID)
        assert change_sets.delete_change_set(cloudformation.wrapped(), CHANGE_SET_ID) is None

    def test_delete_change_set_invalid_status_raises(self, cloudformation):
        cfn.stub_delete_change_set(cloudformation.stubber, error_code="InvalidChangeSetStatus",
                                   error_message="Cannot delete ChangeSet in status CREATE_IN_PROGRESS")
        with pytest.raises(CloudFormationError) as e:
            change_sets.delete_change_set(cloudformation.wrapped(), CHANGE_SET_ID)
        assert e.value.message == "Failed to delete preview change set %s" % CHANGE_SET_ID


class TestListImportingStacks:
    def test_list_importing_stacks_paginated_returns_every_stack(self, cloudformation):
        cfn.stub_list_imports(cloudformation.stubber, EXPORT, ["api-stack"], next_token="page-2")
        cfn.stub_list_imports(cloudformation.stubber, EXPORT, ["worker-stack"], expected_token="page-2")
        assert change_sets.list_importing_stacks(cloudformation.wrapped(), EXPORT) == ["api-stack", "worker-stack"]

    def test_list_importing_stacks_not_imported_returns_empty(self, cloudformation):
        """CloudFormation answers an export nobody imports with ValidationError "... is not imported by any stack"."""
        cfn.stub_list_imports(cloudformation.stubber, EXPORT)
        assert change_sets.list_importing_stacks(cloudformation.wrapped(), EXPORT) == []

    def test_list_importing_stacks_access_denied_raises(self, cloudformation):
        cfn.stub_list_imports(cloudformation.stubber, EXPORT, error_code="AccessDenied",
                              error_message="not authorized to perform cloudformation:ListImports")
        with pytest.raises(CloudFormationError) as e:
            change_sets.list_importing_stacks(cloudformation.wrapped(), EXPORT)
        assert e.value.message == "Failed to list the imports of export %s" % EXPORT
