"""The deploy playbook against the emulator: create, then a no-op re-run, then real changes."""
import json
import os
import subprocess
import threading
import time

import boto3

from conftest import ROOT
from conftest import all_exports
from conftest import playbook_command
from wait_conditions import signal_wait_condition, wait_for_the_wait_condition  # scripts/, on sys.path by conftest

TEAM_TEMPLATE = os.path.join(os.path.dirname(__file__), "..", "..", "files", "dynamodb-schema.yaml")

TABLE_TYPE = "AWS::DynamoDB::Table"
TEAM_TABLES = {"ai-chef-sessions", "ai-chef-results"}
TEAM_EXPORTS = {"ai-chef-dynamodb-SessionsTable", "ai-chef-dynamodb-ResultsTable",
                "ai-chef-dynamodb-SessionsTableArn", "ai-chef-dynamodb-ResultsTableArn"}


def test_deploy_creates_the_team_stack_then_noop_reports_no_change(run_playbook, cfn, ddb):
    first = run_playbook("deploy-dynamodb.yml")
    assert first.returncode == 0, first.output
    assert first.changed >= 1

    assert cfn.describe_stacks(StackName="ai-chef-dynamodb")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert TEAM_TABLES <= set(ddb.list_tables()["TableNames"])
    results = ddb.describe_table(TableName="ai-chef-results")["Table"]
    assert [index["IndexName"] for index in results["GlobalSecondaryIndexes"]] == ["sessionId-index"]
    exports = set(all_exports(cfn))
    assert TEAM_EXPORTS <= exports

    second = run_playbook("deploy-dynamodb.yml")
    assert second.returncode == 0, second.output
    assert second.changed == 0, second.output


def test_deploy_applies_a_template_change_and_a_tag_change(run_playbook, cfn, tmp_path, endpoint):
    """The no-op shortcut (recovery reports deploy=none) must never hide a real change."""
    stack = "ai-chef-change"
    template = open(TEAM_TEMPLATE).read()
    template = template.replace("ai-chef-sessions", "ai-chef-change-sessions").replace(
        "ai-chef-results", "ai-chef-change-results").replace(
        "AI-Chef-DynamoDB-SessionsTable-Errors", "AI-Chef-Change-SessionsTable-Errors").replace(
        "/aws/dynamodb/ai-chef-tables", "/aws/dynamodb/ai-chef-change-tables")
    first = tmp_path / "first.yaml"
    first.write_text(template)
    changed = tmp_path / "changed.yaml"
    changed.write_text(template.replace("Threshold: 5", "Threshold: 9"))
    variables = dict(dynamodb_stack_name=stack, dynamodb_stack_template_path=str(first))

    assert run_playbook("deploy-dynamodb.yml", extra_vars=variables).returncode == 0
    assert run_playbook("deploy-dynamodb.yml", extra_vars=variables).changed == 0

    update = run_playbook("deploy-dynamodb.yml", extra_vars=dict(variables, dynamodb_stack_template_path=str(changed)))
    assert update.returncode == 0, update.output
    assert update.changed >= 1
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=endpoint,
                              aws_access_key_id="test", aws_secret_access_key="test")
    alarm = cloudwatch.describe_alarms(AlarmNames=["AI-Chef-Change-SessionsTable-Errors"])["MetricAlarms"][0]
    assert alarm["Threshold"] == 9

    tagged = run_playbook("deploy-dynamodb.yml", extra_vars=dict(
        variables, dynamodb_stack_template_path=str(changed), dynamodb_stack_tags={"Team": "ai-chef"}))
    assert tagged.changed >= 1, tagged.output
    tags = cfn.describe_stacks(StackName=stack)["Stacks"][0]["Tags"]
    assert {"Key": "Team", "Value": "ai-chef"} in tags


def stack_policy(cfn, stack):
    body = cfn.get_stack_policy(StackName=stack).get("StackPolicyBody")
    return json.loads(body) if body else None


def denied_table_actions(policy):
    return sorted(action for statement in (policy or {}).get("Statement", []) if statement["Effect"] == "Deny"
                  and statement.get("Condition", {}).get("StringEquals", {}).get("ResourceType") == [TABLE_TYPE]
                  for action in statement["Action"])


def test_deploy_protects_the_tables_with_a_stack_policy_new_and_existing_stacks(run_playbook, cfn, tmp_path):
    """A new stack gets the policy with its create; a stack made without one (by hand, or by an older deploy) gets it
    on the next run, then the run after changes nothing. The emulator stores policies but does not enforce them:
    that CloudFormation refuses the denied updates is AWS's part."""
    template = open(TEAM_TEMPLATE).read()
    for stack in ("ai-chef-policy-new", "ai-chef-policy-old"):
        body = template.replace("ai-chef-sessions", stack + "-sessions").replace(
            "ai-chef-results", stack + "-results").replace(
            "AI-Chef-DynamoDB-SessionsTable-Errors", stack + "-SessionsTable-Errors").replace(
            "/aws/dynamodb/ai-chef-tables", "/aws/dynamodb/%s-tables" % stack)
        path = tmp_path / (stack + ".yaml")
        path.write_text(body)
        variables = dict(dynamodb_stack_name=stack, dynamodb_stack_template_path=str(path))
        if stack.endswith("old"):
            cfn.create_stack(StackName=stack, TemplateBody=body, Capabilities=["CAPABILITY_IAM"])
            assert stack_policy(cfn, stack) is None

        first = run_playbook("deploy-dynamodb.yml", extra_vars=variables)
        assert first.returncode == 0, first.output
        assert denied_table_actions(stack_policy(cfn, stack)) == ["Update:Delete", "Update:Replace"], stack
        if stack.endswith("old"):
            assert first.changed == 1, first.output  # the policy task alone: the template already matched
            assert "Protect with a stack policy the tables" in first.output
        again = run_playbook("deploy-dynamodb.yml", extra_vars=variables)
        assert again.changed == 0, again.output


def test_the_follow_prints_each_stack_event_within_seconds_while_the_operation_runs(cfn, stack_name, render_template):
    """The stack waits on a wait condition nobody has signalled yet: its events must show in the deploy's output while
    it is still CREATE_IN_PROGRESS, each a few seconds at most after CloudFormation wrote it (the follow runs the
    progress module in the worker, 1 s at a time), not when a longer window or the operation ends."""
    template = render_template("create-adds-vpc-then-waits.yaml")
    command, env = playbook_command("deploy-dynamodb.yml", extra_vars=dict(
        dynamodb_stack_name=stack_name, dynamodb_stack_template_path=template, dynamodb_stack_wait_timeout=60),
        env=dict(PYTHONUNBUFFERED="1"))
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, read_at = [], []  # each output line, and the time it was read

    def read():
        for line in process.stdout:
            read_at.append(time.time())
            lines.append(line)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    wait_event = " Wait AWS::CloudFormation::WaitCondition CREATE_IN_PROGRESS"
    try:
        deadline = time.monotonic() + 30
        while not any(wait_event in line for line in list(lines)):
            assert process.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.05)
        shown_at = read_at[next(number for number, line in enumerate(list(lines)) if wait_event in line)]
        assert cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"] == "CREATE_IN_PROGRESS"
        events = cfn.describe_stack_events(StackName=stack_name)["StackEvents"]
        written_at = next(event["Timestamp"].timestamp() for event in events if event["LogicalResourceId"] == "Wait"
                          and event["ResourceStatus"] == "CREATE_IN_PROGRESS")
        assert shown_at - written_at < 4, (shown_at - written_at, "".join(lines))
    finally:
        signal_wait_condition(wait_for_the_wait_condition(cfn, stack_name)["Handle"], "SUCCESS")
        process.wait(timeout=60)
        reader.join(timeout=10)
    assert process.returncode == 0, "".join(lines)
