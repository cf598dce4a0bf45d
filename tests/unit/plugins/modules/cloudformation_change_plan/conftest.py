"""Fixtures for the cloudformation_change_plan tests: the module's options and a queued preview of an update."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_change_plan as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_EXPORTS
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE


@pytest.fixture
def plan_params():
    """callable(**overrides) -> the module's option values as AnsibleAWSModule hands them over."""
    def make(**overrides):
        # The module's own defaults (read from its argument spec, so that they cannot drift), then an update of
        # the team's template with quick retries.
        params = dict((name, spec.get("default")) for name, spec in module.ARGUMENT_SPEC.items())
        params.update(stack_name=STACK_NAME, template_body=TEAM_TEMPLATE, operation="update",
                      differences=["template"], backoff_retries=3, backoff_delay=1, backoff_max_delay=1)
        params.update(overrides)
        return params
    return make


@pytest.fixture
def stub_preview(cloudformation):
    """callable(changes, ...) queueing a whole update preview, in call order: DescribeStacks, GetTemplate, CreateChangeSet,
    DescribeChangeSet, DeleteChangeSet, then ListExports (the team stack's four unless exports says otherwise;
    exports=None queues no ListExports)."""
    def queue(changes=(), status="CREATE_COMPLETE", status_reason=None, template_body=TEAM_TEMPLATE,
              exports=TEAM_EXPORTS, tags=None):
        cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
        cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
        cfn.stub_create_change_set(cloudformation.stubber, template_body, tags=tags)
        cfn.stub_describe_change_set(cloudformation.stubber, status, changes, status_reason)
        cfn.stub_delete_change_set(cloudformation.stubber)
        if exports is not None:
            cfn.stub_list_exports(cloudformation.stubber, exports)
    return queue


@pytest.fixture
def stub_last_event(cloudformation):
    """callable(history=None) queueing the one DescribeStackEvents page that an update reads once the guard has
    passed (after the preview and any ListImports); default: a created stack's history. Returns the id of the
    newest event, the expected last_event_id ("" for a history without events)."""
    def queue(history=None):
        history = StackHistory().successful_create() if history is None else history
        cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
        return history.events[-1]["EventId"] if history.events else ""
    return queue
