"""verify-dynamodb.yml on the emulator sees what the declaration does not name: a stack deployed with three tables
passes against those three, and fails against two of them, naming the third table (its resource, outputs and
exports). Own stack, table names, alarm prefix and log group, so no other test's stack is touched."""
import re

import boto3

from conftest import ENDPOINT, REGION

STACK = "it-verify-undeclared"
PREFIX = "vud-"
THIRD = PREFIX + "third"


def own_settings(tables):
    # dynamodb_stack_verify_report_dir "" = unset (the local inventory sets one): no report files are written.
    return dict(dynamodb_stack_name=STACK, dynamodb_stack_tables=tables, dynamodb_stack_table_name_prefix=PREFIX,
                dynamodb_stack_alarm_name_prefix="VUD-", dynamodb_stack_log_group_name="/aws/dynamodb/vud-tables",
                dynamodb_stack_verify_report_dir="")


TABLES = [
    dict(name=PREFIX + "sessions", hash_key=dict(name="sessionId", type="S")),
    dict(name=PREFIX + "results", hash_key=dict(name="resultId", type="S")),
    dict(name=THIRD, hash_key=dict(name="id", type="S")),
]


def flat(text):
    """The output with every run of whitespace made one space (the callback may wrap long messages)."""
    return " ".join(text.split())


def test_verify_fails_on_a_table_the_declaration_does_not_name(run_playbook):
    deployed = run_playbook("deploy-dynamodb.yml", extra_vars=own_settings(TABLES))
    assert deployed.returncode == 0, deployed.output
    cfn = boto3.client("cloudformation", region_name=REGION, endpoint_url=ENDPOINT, aws_access_key_id="test",
                       aws_secret_access_key="test")
    resources = cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    third = [r["LogicalResourceId"] for r in resources if r.get("PhysicalResourceId") == THIRD]
    assert len(third) == 1, resources

    same = run_playbook("verify-dynamodb.yml", extra_vars=own_settings(TABLES))
    assert same.returncode == 0, same.output
    assert "is in the stack but not declared" not in same.output
    assert "resources all declared" in same.output and "exports all declared" in same.output

    two = run_playbook("verify-dynamodb.yml", extra_vars=own_settings(TABLES[:2]))
    assert two.returncode != 0, two.output
    output = flat(two.output)
    assert "table %s (%s) is in the stack but not declared" % (THIRD, third[0]) in output, two.output
    assert "is in the stack but not declared: expected not in the stack, actual CREATE_COMPLETE" in output, two.output
    assert "output Third" in output and "export %s-Third" % STACK in output, two.output
    # The third table, its five alarms, its two outputs and its two exports.
    counts = re.findall(r"\d+ passed, (\d+) failed", output)
    assert counts and int(counts[-1]) == 10, output
