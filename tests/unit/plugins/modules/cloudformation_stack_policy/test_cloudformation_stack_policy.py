"""cloudformation_stack_policy: the policy read, compared and replaced only when it differs; check mode reads only;
bad input and a missing stack fail before any write."""
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import ABSENT_STATUS
from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_policy as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import module_runner

PROTECTION = cfn.TABLE_PROTECTION_POLICY
ALLOW_ALL = {"Statement": [PROTECTION["Statement"][0]]}
DOCUMENTED_KEYS = set(yaml.safe_load(module.RETURN))


def run(capsys, check=False, **args):
    args = dict(dict(stack_name=STACK_NAME, policy=PROTECTION, region="us-east-1"), **args)
    if check:
        args["_ansible_check_mode"] = True
    return module_runner(module.main, capsys)(**args)


def test_policy_differs_is_replaced_with_diff(capsys, cloudformation, requested_clients, api_calls):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_stack_policy(cloudformation.stubber, ALLOW_ALL)
    cfn.stub_set_stack_policy(cloudformation.stubber, PROTECTION)

    rc, result = run(capsys, _ansible_diff=True)

    assert (rc, result["changed"], result["policy"], result["previous_policy"]) == (0, True, PROTECTION, ALLOW_ALL)
    assert result["msg"] == "Stack %s: replaced its stack policy" % STACK_NAME
    assert '"Update:Replace"' in result["diff"]["after"] and '"Update:Replace"' not in result["diff"]["before"]
    assert api_calls[-1] == "cloudformation:SetStackPolicy"
    assert DOCUMENTED_KEYS <= set(result)


def test_stack_without_policy_gets_it(capsys, cloudformation, requested_clients):
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE")
    cfn.stub_get_stack_policy(cloudformation.stubber, None)
    cfn.stub_set_stack_policy(cloudformation.stubber, PROTECTION)

    rc, result = run(capsys)

    assert (rc, result["changed"], result["previous_policy"]) == (0, True, {})


def test_policy_equal_changes_nothing(capsys, cloudformation, requested_clients, api_calls):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_stack_policy(cloudformation.stubber, PROTECTION)

    rc, result = run(capsys)

    assert (rc, result["changed"]) == (0, False)
    assert result["msg"] == "Stack %s: already has its stack policy" % STACK_NAME
    assert "cloudformation:SetStackPolicy" not in api_calls


def test_check_mode_reads_and_reports_without_setting(capsys, cloudformation, requested_clients, api_calls):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_stack_policy(cloudformation.stubber, None)

    rc, result = run(capsys, check=True)

    assert (rc, result["changed"]) == (0, True)
    assert result["msg"] == "Stack %s: would replace its stack policy" % STACK_NAME
    assert api_calls == ["cloudformation:DescribeStacks", "cloudformation:GetStackPolicy"]


def test_missing_stack_fails_clearly_before_reading_or_setting(capsys, cloudformation, requested_clients, api_calls):
    cfn.stub_describe_stacks(cloudformation.stubber, ABSENT_STATUS)

    rc, result = run(capsys)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"] == "Stack %s does not exist: a new stack gets its policy with its create" % STACK_NAME
    assert api_calls == ["cloudformation:DescribeStacks"]


def test_policy_without_statements_fails_before_any_call(capsys, cloudformation, requested_clients, api_calls):
    rc, result = run(capsys, policy={"Statement": []})

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"] == "policy: a stack policy needs a non-empty Statement list"
    assert api_calls == []


def test_set_refused_by_aws_fails_with_the_error(capsys, cloudformation, requested_clients):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_stack_policy(cloudformation.stubber, None)
    cfn.stub_set_stack_policy(cloudformation.stubber, PROTECTION, error_code="AccessDenied",
                              error_message="not authorized to perform: cloudformation:SetStackPolicy")

    rc, result = run(capsys)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"].startswith("Failed to set the stack policy of stack %s" % STACK_NAME)
