"""main(): the module end to end, with AnsibleAWSModule.client returning Stubber-backed clients.

Bad input must fail with a one-line msg before any AWS call: the Stubbers have no responses queued (any call
would raise), the client factory records whether a client was even asked for, and api_calls stays empty.
"""
import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import preview as preview_module
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import status as status_table
from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_recovery as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory
from ansible_collections.aichef.dynamodb.tests.unit.utils.dynamodb_stubs import stub_describe_table
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import patch_aws_client_with_stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import run_module_main
from ansible_collections.aichef.dynamodb.tests.unit.utils.stubber import READ_OPERATIONS
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TABLES
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE

DOCUMENTED_KEYS = set(yaml.safe_load(module.RETURN))
# Keys every Ansible module result may carry besides its documented ones.
ANSIBLE_KEYS = {"changed", "msg", "invocation", "warnings", "deprecations"}


@pytest.fixture
def requested_clients(monkeypatch, cloudformation, dynamodb):
    """AnsibleAWSModule.client returns the stubbed clients, wrapped as the real one wraps them (this module also
    reads tables, so it overrides the CloudFormation-only fixture of tests/unit/conftest.py)."""
    return patch_aws_client_with_stubs(monkeypatch, cloudformation=cloudformation, dynamodb=dynamodb)


@pytest.mark.parametrize("args, start", [
    (dict(stack_name="1-stack"), "Invalid stack name '1-stack'"),
    (dict(stack_name="my_stack"), "Invalid stack name 'my_stack'"),
    (dict(stack_name="a" * 129), "Invalid stack name 'aaaa"),
    (dict(region="moon-1"), "Unknown AWS region 'moon-1'"),
    (dict(region="us-east-7"), "Unknown AWS region 'us-east-7'"),
    (dict(template_body="Resources: [unclosed"), "template_body is neither valid JSON nor valid YAML: "),
    (dict(template_body='{"Resources": '), "template_body is neither valid JSON nor valid YAML: "),
    (dict(template_body="just text"), "template_body must be a mapping"),
    (dict(template_body=""), "template_body is empty"),
    (dict(template_body="Outputs: {}\n"), "template_body has no Resources section"),
], ids=["digit-first", "underscore", "129-chars", "unknown-region", "typo-region", "invalid-yaml", "invalid-json",
        "scalar-template", "empty-template", "no-resources"])
def test_main_bad_input_fails_one_line_before_any_aws_call(args, start, capsys, requested_clients, api_calls):
    params = dict(stack_name=STACK_NAME, region="us-east-1", template_body=TEAM_TEMPLATE)
    params.update(args)
    rc, result = run_module_main(module.main, capsys, **params)
    assert rc == 1
    assert result["failed"] is True
    assert result["msg"].startswith(start)
    assert "\n" not in result["msg"]
    assert requested_clients == []
    assert api_calls == []


def test_main_no_region_fails_before_any_aws_call(capsys, monkeypatch, requested_clients, api_calls):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME)
    assert (rc, result["msg"]) == (1, "No AWS region given: set region (or AWS_REGION) for stack operations")
    assert (requested_clients, api_calls) == ([], [])


def test_main_healthy_stack_returns_documented_keys_unchanged(capsys, cloudformation, requested_clients, api_calls):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE",
                             outputs={"SessionsTableName": "ai-chef-sessions"})
    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME, region="us-east-1")
    assert rc == 0
    assert DOCUMENTED_KEYS <= set(result)
    assert set(result) - DOCUMENTED_KEYS <= ANSIBLE_KEYS
    assert {key: result[key] for key in ("stack_name", "status_before", "phase_before", "action", "actions",
                                         "status_after", "deploy", "events", "failures", "changed")} == dict(
        stack_name=STACK_NAME, status_before="UPDATE_COMPLETE", phase_before="stable", action="none", actions=[],
        status_after="UPDATE_COMPLETE", deploy="update", events=[], failures=[], changed=False)
    assert result["stack_outputs"] == {"SessionsTableName": "ai-chef-sessions"}
    assert result["msg"] == "Stack %s is UPDATE_COMPLETE: nothing to recover; the deploy will update it" % STACK_NAME
    assert requested_clients == ["cloudformation"]  # the DynamoDB client is made only when a table is read
    assert api_calls == ["cloudformation:DescribeStacks"]


def test_main_matching_template_reports_nothing_to_deploy(capsys, cloudformation, requested_clients, api_calls):
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE")
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME, region="us-east-1",
                                 template_body=TEAM_TEMPLATE)
    assert (rc, result["changed"], result["deploy"], result["differences"]) == (0, False, "none", [])
    assert result["msg"] == ("Stack %s is CREATE_COMPLETE and matches the declaration: nothing to deploy"
                             % STACK_NAME)


def test_main_check_mode_rollback_complete_plans_delete_reads_only(capsys, cloudformation, dynamodb,
                                                                   requested_clients, api_calls):
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, StackHistory().failed_create().newest_first())
    for name in TEAM_TABLES:
        stub_describe_table(dynamodb.stubber, name, exists=False)
    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME, region="us-east-1",
                                 template_body=TEAM_TEMPLATE, _ansible_check_mode=True)
    assert rc == 0
    assert (result["action"], result["deploy"], result["changed"], result["status_after"]) == (
        "delete", "create", True, "ROLLBACK_COMPLETE")
    assert result["msg"] == "Stack %s is ROLLBACK_COMPLETE: would delete, then create it" % STACK_NAME
    assert (result["recovers"], result["deploy_needed"]) == (True, True)  # the role shows no preview then
    assert set(api_calls) <= READ_OPERATIONS


def test_main_delete_failed_fails_with_root_cause_and_events(capsys, cloudformation, requested_clients, api_calls):
    history = StackHistory().successful_create()
    history.stack("DELETE_IN_PROGRESS", "User Initiated")
    history.resource("AiChefResultsTable", "DELETE_FAILED", "Resource deletion cancelled")
    history.resource("AiChefSessionsTable", "DELETE_FAILED", "Table has deletion protection enabled")
    history.stack("DELETE_FAILED")
    cfn.stub_describe_stacks(cloudformation.stubber, "DELETE_FAILED")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME, region="us-east-1")
    root = "AiChefSessionsTable AWS::DynamoDB::Table DELETE_FAILED: Table has deletion protection enabled"
    assert (rc, result["failed"]) == (1, True)
    assert "Root cause: %s." % root in result["msg"]
    assert result["failures"][0] == root
    assert [event["resource_status"] for event in result["events"]] == [
        "DELETE_IN_PROGRESS", "DELETE_FAILED", "DELETE_FAILED", "DELETE_FAILED"]
    assert api_calls == ["cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"]


def test_main_busy_past_timeout_fails_without_delete(capsys, cloudformation, requested_clients, api_calls):
    """wait_timeout=0 times out at the first busy read, so the real clock costs nothing."""
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_IN_PROGRESS")
    cfn.stub_describe_stack_events(cloudformation.stubber, [])
    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME, region="us-east-1", wait_timeout=0)
    assert rc == 1
    assert result["msg"].startswith("Stack %s did not settle within wait_timeout=0s: still ROLLBACK_IN_PROGRESS"
                                    % STACK_NAME)
    assert "cloudformation:DeleteStack" not in api_calls


def test_main_access_denied_fails_with_aws_error(capsys, cloudformation, requested_clients):
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE", error_code="AccessDenied",
                             error_message="User is not authorized to perform: cloudformation:DescribeStacks")
    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME, region="us-east-1")
    assert rc == 1
    assert result["msg"].startswith("Failed to describe stack %s: An error occurred (AccessDenied)" % STACK_NAME)
    assert result["error"]["code"] == "AccessDenied"
    assert "boto3_version" in result


def test_main_unknown_stack_status_fails_one_line_without_acting(capsys, monkeypatch, requested_clients, cloudformation,
                                                                 api_calls):
    """A status AWS adds after this release: a clear refusal, not a traceback and not a guess."""
    cloudformation.stubber.add_response("describe_stacks", {"Stacks": [{
        "StackName": STACK_NAME, "CreationTime": "2026-01-01T00:00:00Z", "StackStatus": "UPDATE_COMPLETE"}]},
        {"StackName": STACK_NAME})
    monkeypatch.setattr(status_table, "STACK_STATUS_TABLE", {})
    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME, region="us-east-1")
    assert rc == 1
    assert result["msg"].startswith("Stack status 'UPDATE_COMPLETE' is not in this collection's status table")
    assert api_calls == ["cloudformation:DescribeStacks"]


def test_main_absent_stack_returns_the_create_plan_the_change_plan_module_would(capsys, cloudformation, dynamodb,
                                                                                requested_clients, api_calls):
    """A create is planned from the template alone: the role runs no change-plan module for it, so this plan must be
    the one that module returns for operation=create (same summary, changes, single step)."""
    cfn.stub_describe_stacks(cloudformation.stubber, cfn.ABSENT_STATUS)
    for name in TEAM_TABLES:
        stub_describe_table(dynamodb.stubber, name, exists=False)
    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME, region="us-east-1",
                                 template_body=TEAM_TEMPLATE)
    assert (rc, result["deploy"], result["stack_policy_differs"]) == (0, "create", False)
    assert (result["deploy_needed"], result["recovers"], result["plan"]["changes_stack"]) == (True, False, True)
    planned = preview_module.plan_change(None, dict(stack_name=STACK_NAME, template_body=TEAM_TEMPLATE,
                                                    operation="create", differences=[]))
    assert result["plan"] == planned
    assert result["plan"]["summary"].startswith("Stack %s: create with " % STACK_NAME)
    assert [step["description"] for step in result["plan"]["steps"]] == ["step 1/1: the declared template"]
    assert api_calls == ["cloudformation:DescribeStacks"] + ["dynamodb:DescribeTable"] * len(TEAM_TABLES)


def test_main_settled_stack_returns_no_plan(capsys, cloudformation, requested_clients):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME, region="us-east-1")
    assert (rc, result["deploy"], result["plan"], result["stack_policy_differs"]) == (0, "update", {}, False)
