"""The deploy playbook against the emulator: create, then a no-op re-run."""

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
