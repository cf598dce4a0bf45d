"""The deploy playbook against the emulator: create, then a no-op re-run, then real changes."""
import os

import boto3

TEAM_TEMPLATE = os.path.join(os.path.dirname(__file__), "..", "..", "files", "dynamodb-schema.yaml")

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
    exports = {export["Name"] for export in cfn.list_exports()["Exports"]}
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
