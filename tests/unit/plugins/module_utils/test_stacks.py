"""stacks.py: thin CloudFormation wrappers (Stubber on the client that RetryingBotoClientWrapper wraps)."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import stacks
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import ABSENT_STATUS
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME


class TestDescribeStack:
    def test_describe_stack_exists_returns_stack(self, cloudformation):
        cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE", termination_protection=True)
        stack = stacks.describe_stack(cloudformation.wrapped(), STACK_NAME)
        assert (stack["StackStatus"], stack["EnableTerminationProtection"]) == ("CREATE_COMPLETE", True)

    def test_describe_stack_does_not_exist_returns_none(self, cloudformation):
        cfn.stub_describe_stacks(cloudformation.stubber, ABSENT_STATUS)
        assert stacks.describe_stack(cloudformation.wrapped(), STACK_NAME) is None

    def test_describe_stack_empty_list_returns_none(self, cloudformation):
        cloudformation.stubber.add_response("describe_stacks", {"Stacks": []}, {"StackName": STACK_NAME})
        assert stacks.describe_stack(cloudformation.wrapped(), STACK_NAME) is None

    def test_describe_stack_other_validation_error_raises(self, cloudformation):
        """Only "does not exist" means absent; another ValidationError is a failure."""
        cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE", error_code="ValidationError",
                                 error_message="1 validation error detected: Value at 'stackName' failed")
        with pytest.raises(CloudFormationError) as e:
            stacks.describe_stack(cloudformation.wrapped(), STACK_NAME)
        assert e.value.message == "Failed to describe stack %s" % STACK_NAME

    def test_describe_stack_access_denied_raises_with_exception(self, cloudformation):
        cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE", error_code="AccessDenied",
                                 error_message="not authorized to perform cloudformation:DescribeStacks")
        with pytest.raises(CloudFormationError) as e:
            stacks.describe_stack(cloudformation.wrapped(), STACK_NAME)
        assert e.value.exception.response["Error"]["Code"] == "AccessDenied"


class TestStackStatus:
    def test_stack_status_none_returns_absent(self):
        assert stacks.stack_status(None) == ABSENT_STATUS

    def test_stack_status_stack_returns_its_status(self):
        assert stacks.stack_status(cfn.stack_description("UPDATE_FAILED")) == "UPDATE_FAILED"


class TestDescribeStackEvents:
    def test_describe_stack_events_without_stop_at_reads_one_page(self, cloudformation):
        """Callers that want the newest event need the first page only."""
        history = cfn.StackHistory().failed_create()
        cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first()[:2], next_token="page-2")
        events = stacks.describe_stack_events(cloudformation.wrapped(), STACK_NAME)
        assert len(events) == 2
        assert cloudformation.calls == ["DescribeStackEvents"]

    def test_describe_stack_events_stop_at_follows_next_token_to_the_page_holding_it(self, cloudformation):
        history = cfn.StackHistory().failed_create()
        newest_first = history.newest_first()
        oldest_id = newest_first[-1]["EventId"]
        cfn.stub_describe_stack_events(cloudformation.stubber, newest_first[:4], next_token="page-2")
        cfn.stub_describe_stack_events(cloudformation.stubber, newest_first[4:], expected_token="page-2",
                                       next_token="page-3")
        events = stacks.describe_stack_events(cloudformation.wrapped(), STACK_NAME,
                                              stop_at=lambda event: event["event_id"] == oldest_id)
        assert [e["event_id"] for e in events] == [e["EventId"] for e in newest_first]
        assert events[0]["resource_status"] == "ROLLBACK_COMPLETE"
        assert cloudformation.calls == ["DescribeStackEvents"] * 2  # page-3 is never asked for

    def test_describe_stack_events_stop_at_never_true_stops_at_max_pages(self, cloudformation):
        history = cfn.StackHistory().failed_create()
        newest_first = history.newest_first()
        cfn.stub_describe_stack_events(cloudformation.stubber, newest_first[:2], next_token="page-2")
        cfn.stub_describe_stack_events(cloudformation.stubber, newest_first[2:4], expected_token="page-2",
                                       next_token="page-3")
        events = stacks.describe_stack_events(cloudformation.wrapped(), STACK_NAME, max_pages=2,
                                              stop_at=lambda event: False)
        assert len(events) == 4
        assert cloudformation.calls == ["DescribeStackEvents"] * 2

    def test_describe_last_operation_events_reads_back_to_its_start_oldest_first(self, cloudformation):
        history = cfn.StackHistory().successful_create().failed_update("Alarm update failed")
        newest_first = history.newest_first()
        start = max(index for index, event in enumerate(history.events)
                    if event["ResourceStatus"] == "UPDATE_IN_PROGRESS" and event["LogicalResourceId"] == STACK_NAME)
        split = len(history.events) - start - 1  # the start event is the first one of the second page
        cfn.stub_describe_stack_events(cloudformation.stubber, newest_first[:split], next_token="page-2")
        cfn.stub_describe_stack_events(cloudformation.stubber, newest_first[split:], expected_token="page-2")
        events = stacks.describe_last_operation_events(cloudformation.wrapped(), STACK_NAME)
        assert [e["event_id"] for e in events] == [e["EventId"] for e in history.events[start:]]

    def test_describe_stack_events_stack_gone_returns_events_so_far(self, cloudformation):
        cfn.stub_describe_stack_events(cloudformation.stubber, [], error_code="ValidationError",
                                       error_message="Stack [%s] does not exist" % STACK_NAME)
        assert stacks.describe_stack_events(cloudformation.wrapped(), STACK_NAME) == []

    def test_describe_stack_events_error_raises(self, cloudformation):
        cfn.stub_describe_stack_events(cloudformation.stubber, [], error_code="AccessDenied")
        with pytest.raises(CloudFormationError, match="Failed to read the events of stack %s" % STACK_NAME):
            stacks.describe_stack_events(cloudformation.wrapped(), STACK_NAME)


class TestListStackResources:
    def test_list_stack_resources_two_pages_returns_all(self, cloudformation):
        first = [cfn.resource_summary("AiChefSessionsTable", "ai-chef-sessions")]
        second = [cfn.resource_summary("SessionsTableErrorAlarm", "alarm", resource_type=cfn.CLOUDWATCH_ALARM)]
        cfn.stub_list_stack_resources(cloudformation.stubber, first, next_token="t2")
        cfn.stub_list_stack_resources(cloudformation.stubber, second, expected_token="t2")
        summaries = stacks.list_stack_resources(cloudformation.wrapped(), STACK_NAME)
        assert [s["LogicalResourceId"] for s in summaries] == ["AiChefSessionsTable", "SessionsTableErrorAlarm"]

    def test_list_stack_resources_error_raises(self, cloudformation):
        cfn.stub_list_stack_resources(cloudformation.stubber, [], error_code="AccessDenied")
        with pytest.raises(CloudFormationError, match="Failed to list the resources of stack"):
            stacks.list_stack_resources(cloudformation.wrapped(), STACK_NAME)


class TestStackOperations:
    def test_delete_stack_sends_stack_name_only(self, cloudformation):
        cfn.stub_delete_stack(cloudformation.stubber)
        assert stacks.delete_stack(cloudformation.wrapped(), STACK_NAME) is None

    def test_delete_stack_termination_protected_raises(self, cloudformation):
        cfn.stub_delete_stack(cloudformation.stubber, error_code="ValidationError", error_message=(
            "Stack [%s] cannot be deleted while TerminationProtection is enabled" % STACK_NAME))
        with pytest.raises(CloudFormationError) as e:
            stacks.delete_stack(cloudformation.wrapped(), STACK_NAME)
        assert e.value.message == "Failed to delete stack %s" % STACK_NAME
        assert "TerminationProtection" in str(e.value.exception)

    def test_continue_update_rollback_without_skip_omits_resources_to_skip(self, cloudformation):
        cfn.stub_continue_update_rollback(cloudformation.stubber)
        stacks.continue_update_rollback(cloudformation.wrapped(), STACK_NAME, [])

    def test_continue_update_rollback_with_skip_sends_logical_ids(self, cloudformation):
        cfn.stub_continue_update_rollback(cloudformation.stubber, resources_to_skip=["SessionsTableErrorAlarm", "X"])
        stacks.continue_update_rollback(cloudformation.wrapped(), STACK_NAME, ("SessionsTableErrorAlarm", "X"))

    def test_continue_update_rollback_error_raises(self, cloudformation):
        cfn.stub_continue_update_rollback(cloudformation.stubber, error_code="ValidationError")
        with pytest.raises(CloudFormationError, match="Failed to continue the update rollback of stack"):
            stacks.continue_update_rollback(cloudformation.wrapped(), STACK_NAME, None)

    def test_rollback_stack_sends_stack_name(self, cloudformation):
        cfn.stub_rollback_stack(cloudformation.stubber)
        stacks.rollback_stack(cloudformation.wrapped(), STACK_NAME)

    def test_rollback_stack_error_raises(self, cloudformation):
        cfn.stub_rollback_stack(cloudformation.stubber, error_code="ValidationError")
        with pytest.raises(CloudFormationError, match="Failed to roll back stack %s" % STACK_NAME):
            stacks.rollback_stack(cloudformation.wrapped(), STACK_NAME)


class TestGetTemplate:
    def test_get_template_yaml_returns_text(self, cloudformation):
        cfn.stub_get_template(cloudformation.stubber, "Resources:\n  T: {Type: AWS::SNS::Topic}\n")
        assert stacks.get_template(cloudformation.wrapped(), STACK_NAME) == "Resources:\n  T: {Type: AWS::SNS::Topic}\n"

    def test_get_template_json_returns_dict(self, cloudformation):
        """botocore decodes a JSON TemplateBody itself."""
        cfn.stub_get_template(cloudformation.stubber, '{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')
        assert stacks.get_template(cloudformation.wrapped(), STACK_NAME) == {
            "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}

    def test_get_template_error_raises(self, cloudformation):
        cfn.stub_get_template(cloudformation.stubber, "", error_code="AccessDenied")
        with pytest.raises(CloudFormationError, match="Failed to read the template of stack %s" % STACK_NAME):
            stacks.get_template(cloudformation.wrapped(), STACK_NAME)
