"""main(): the module end to end, with AnsibleAWSModule.client returning the Stubber-backed client.

Bad input must fail with a one-line msg before any AWS call: nothing is queued on the Stubber (any call would
raise), the client factory records whether a client was even asked for, and api_calls stays empty.
"""
import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_change_plan as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import NO_CHANGES_REASON
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import property_detail
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import resource_change
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import run_module_main
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE

DOCUMENTED_KEYS = set(yaml.safe_load(module.RETURN))
# Keys every Ansible module result may carry besides its documented ones (diff: shown with --diff).
ANSIBLE_KEYS = {"changed", "msg", "invocation", "warnings", "deprecations", "diff"}
DELETE = "cloudformation:DeleteChangeSet"


def run_main(capsys, **args):
    """(rc, result) of main() updating the team stack in us-east-1, unless args say otherwise."""
    params = dict(stack_name=STACK_NAME, region="us-east-1", template_body=TEAM_TEMPLATE, operation="update")
    params.update(args)
    return run_module_main(module.main, capsys, **params)


@pytest.mark.parametrize("args, start", [
    (dict(stack_name="1-stack"), "Invalid stack name '1-stack'"),
    (dict(stack_name="my_stack"), "Invalid stack name 'my_stack'"),
    (dict(template_body="Resources: [unclosed"), "template_body is neither valid JSON nor valid YAML: "),
    (dict(template_body="just text"), "template_body must be a mapping"),
    (dict(template_body="Outputs: {}\n"), "template_body has no Resources section"),
    (dict(region="moon-1"), "Unknown AWS region 'moon-1'"),
    (dict(region="moon-1", operation="create"), "Unknown AWS region 'moon-1'"),
], ids=["digit-first", "underscore", "invalid-yaml", "scalar-template", "no-resources", "unknown-region",
        "unknown-region-create"])
def test_main_bad_input_fails_one_line_before_any_aws_call(args, start, capsys, requested_clients, api_calls):
    rc, result = run_main(capsys, **args)
    assert rc == 1
    assert result["failed"] is True
    assert result["msg"].startswith(start)
    assert "\n" not in result["msg"]
    assert (requested_clients, api_calls) == ([], [])


def test_main_create_lists_additions_without_client(capsys, requested_clients, api_calls):
    rc, result = run_main(capsys, operation="create", _ansible_check_mode=True)
    assert rc == 0
    assert DOCUMENTED_KEYS <= set(result) and set(result) - DOCUMENTED_KEYS <= ANSIBLE_KEYS
    assert (result["operation"], result["changed"], result["last_event_id"]) == ("create", True, "")
    assert result["msg"] == result["summary"] == "Stack %s: create with 4 changes (4 add)" % STACK_NAME
    assert result["diff"]["prepared"].startswith(result["summary"] + "\n+ Add     DynamoDBLogGroup")
    assert (requested_clients, api_calls) == ([], [])


def test_main_none_reports_unchanged_without_client(capsys, requested_clients, api_calls):
    rc, result = run_main(capsys, operation="none")
    assert (rc, result["operation"], result["changed"], result["changes"]) == (0, "none", False, [])
    assert (requested_clients, api_calls) == ([], [])


def test_main_update_gsi_change_reports_changed_with_diff(capsys, requested_clients, stub_preview, stub_last_event,
                                                          api_calls):
    stub_preview([resource_change("AiChefResultsTable", "Modify", "False", physical_id="ai-chef-results",
                                  details=[property_detail("GlobalSecondaryIndexes")])])
    last_event_id = stub_last_event()
    rc, result = run_main(capsys, _ansible_check_mode=True)
    assert rc == 0
    assert DOCUMENTED_KEYS <= set(result) and set(result) - DOCUMENTED_KEYS <= ANSIBLE_KEYS
    assert (result["operation"], result["changed"]) == ("update", True)
    assert result["last_event_id"] == last_event_id
    assert result["msg"] == "Stack %s: update with 1 change (1 modify)" % STACK_NAME
    assert "~ Modify  AiChefResultsTable" in result["diff"]["prepared"]
    assert requested_clients == ["cloudformation"]
    assert DELETE in api_calls


def test_main_update_empty_change_set_reports_unchanged(capsys, requested_clients, stub_preview, api_calls):
    """Nothing will be deployed, so no deploy's progress will be followed: the events are not read."""
    stub_preview(status="FAILED", status_reason=NO_CHANGES_REASON)
    rc, result = run_main(capsys)
    assert (rc, result["operation"], result["changed"], result["last_event_id"]) == (0, "none", False, "")
    assert "cloudformation:DescribeStackEvents" not in api_calls
    assert result["msg"] == "Stack %s: nothing to change" % STACK_NAME


def test_main_table_replacement_fails_with_refusal_and_changes(capsys, requested_clients, stub_preview, api_calls):
    stub_preview([resource_change("AiChefSessionsTable", "Modify", "True", physical_id="ai-chef-sessions",
                                  details=[property_detail("KeySchema", "Always")])])
    rc, result = run_main(capsys)
    assert (rc, result["failed"]) == (1, True)
    assert result["msg"].startswith("Refusing to update stack %s: table ai-chef-sessions (AiChefSessionsTable) "
                                    "would be REPLACED (Replacement: True)" % STACK_NAME)
    assert "playbooks/migrate-dynamodb-table.yml" in result["msg"]
    assert [change["replacement_causes"] for change in result["changes"]] == [["KeySchema"]]
    assert DELETE in api_calls


def test_main_access_denied_fails_with_aws_error(capsys, cloudformation, requested_clients):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE, error_code="AccessDenied",
                               error_message="User is not authorized to perform: cloudformation:CreateChangeSet")
    rc, result = run_main(capsys)
    assert rc == 1
    assert result["msg"].startswith("Failed to create a change set to preview stack %s: An error occurred "
                                    "(AccessDenied)" % STACK_NAME)
    assert result["error"]["code"] == "AccessDenied"
