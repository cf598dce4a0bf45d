"""The plan step on the emulator: the table guard, --check --diff, root-cause-first failures, exports in use."""
import json
import re

import pytest

# Own stack and tables for every test (stack_name fixture); tables rendered from data, prefixed with the stack name.
SESSIONS_KEY = "sessionId"


def tables(prefix, sessions_key=SESSIONS_KEY, sessions_indexes=None):
    sessions = dict(name=prefix + "-sessions", hash_key=dict(name=sessions_key), ttl_attribute="TTL")
    if sessions_indexes:
        sessions["global_secondary_indexes"] = sessions_indexes
    return [sessions, dict(name=prefix + "-results", hash_key=dict(name="resultId"),
                           global_secondary_indexes=[dict(name="sessionId-index", hash_key=dict(name="sessionId"))])]


def own(stack_name, **overrides):
    variables = dict(dynamodb_stack_name=stack_name, dynamodb_stack_tables=tables(stack_name),
                     dynamodb_stack_table_name_prefix=stack_name + "-", dynamodb_stack_alarms=[],
                     dynamodb_stack_log_group_name="/aws/dynamodb/" + stack_name)
    variables.update(overrides)
    return variables


def snapshot(cfn, ddb, stack_name):
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    described = [ddb.describe_table(TableName=name)["Table"] for name in (stack_name + "-sessions",
                                                                          stack_name + "-results")]
    for table in described:
        table.pop("ItemCount", None), table.pop("TableSizeBytes", None)
    return json.loads(json.dumps(dict(stack=stack, tables=described), default=str))


def put_sessions(ddb, stack_name, count=5):
    for number in range(count):
        ddb.put_item(TableName=stack_name + "-sessions", Item={SESSIONS_KEY: {"S": "s-%d" % number}})


def test_key_change_is_refused_naming_the_table_and_the_safe_path_items_untouched(deploy, cfn, ddb, stack_name):
    assert deploy(extra_vars=own(stack_name)).returncode == 0
    put_sessions(ddb, stack_name)
    before = snapshot(cfn, ddb, stack_name)

    run = deploy(extra_vars=own(stack_name, dynamodb_stack_tables=tables(stack_name, sessions_key="sessionKey")))

    assert run.returncode != 0
    message = run.failures[0]
    assert message.startswith("Refusing to update stack %s: table %s-sessions" % (stack_name, stack_name)), message
    assert "would be REPLACED" in message and "KeySchema" in message
    assert "playbooks/migrate-dynamodb-table.yml" in message
    assert "dynamodb_stack_allow_table_replacement: [%s-sessions]" % stack_name in message
    assert snapshot(cfn, ddb, stack_name) == before
    assert ddb.scan(TableName=stack_name + "-sessions", Select="COUNT")["Count"] == 5
    assert not cfn.list_change_sets(StackName=stack_name)["Summaries"]  # the preview change set was cleaned up

    allowed = deploy("--check", "--diff", extra_vars=own(
        stack_name, dynamodb_stack_tables=tables(stack_name, sessions_key="sessionKey"),
        dynamodb_stack_allow_table_replacement=[stack_name + "-sessions"]))
    assert allowed.returncode == 0, allowed.output
    assert "AiChef" not in stack_name  # logical ids below come from the table names
    assert "replacement: Conditional" in allowed.output and "the table's items would be lost" in allowed.output
    assert snapshot(cfn, ddb, stack_name) == before


def test_check_diff_after_adding_a_gsi_shows_it_and_leaves_the_stack_exactly_as_it_was(deploy, cfn, ddb, stack_name):
    assert deploy(extra_vars=own(stack_name)).returncode == 0
    before = snapshot(cfn, ddb, stack_name)

    run = deploy("--check", "--diff", extra_vars=own(stack_name, dynamodb_stack_tables=tables(
        stack_name, sessions_indexes=[dict(name="userId-index", hash_key=dict(name="userId"))])))

    assert run.returncode == 0, run.output
    assert "update with 1 change (1 modify)" in run.output
    assert "~ Modify" in run.output and "GlobalSecondaryIndexes" in run.output
    assert snapshot(cfn, ddb, stack_name) == before
    assert not cfn.list_change_sets(StackName=stack_name)["Summaries"]


def test_a_resource_failing_during_update_fails_the_task_with_that_resource_and_reason_first(
        deploy, cfn, stack_name, render_template):
    assert deploy(extra_vars=dict(dynamodb_stack_name=stack_name,
                                  dynamodb_stack_template_path=render_template("good.yaml"))).returncode == 0

    run = deploy(extra_vars=dict(dynamodb_stack_name=stack_name,
                                 dynamodb_stack_template_path=render_template("failing-last-resource.yaml")))

    assert run.returncode != 0
    first_line = run.failures[-1].splitlines()[0]
    # AWS logs a resource added by the update as CREATE_FAILED, the emulator as UPDATE_FAILED.
    assert re.match(r"Deploy of stack %s failed \(UPDATE_ROLLBACK_COMPLETE\): FailingParameter AWS::SSM::Parameter "
                    r"(CREATE|UPDATE)_FAILED: .*SecureString" % stack_name, first_line), first_line
    assert "Traceback" not in run.output


def test_dropping_an_export_that_another_stack_imports_is_refused(deploy, cfn, stack_name, render_template, tmp_path,
                                                                  settle):
    good = render_template("good.yaml")
    assert deploy(extra_vars=dict(dynamodb_stack_name=stack_name, dynamodb_stack_template_path=good)).returncode == 0
    importer = stack_name + "-importer"
    cfn.create_stack(StackName=importer, TemplateBody=json.dumps({"Resources": {"Group": {
        "Type": "AWS::Logs::LogGroup", "Properties": {
            "LogGroupName": {"Fn::Join": ["", ["/imports/", {"Fn::ImportValue": stack_name + "-SessionsTable"}]]}}}}}))
    assert settle(importer) == "CREATE_COMPLETE"
    without_export = tmp_path / "without-export.yaml"
    text = open(good).read()
    without_export.write_text(text[:text.index("  SessionsTableName:")] + text[text.index("  ResultsTableArn:"):])

    run = deploy(extra_vars=dict(dynamodb_stack_name=stack_name, dynamodb_stack_template_path=str(without_export)))

    assert run.returncode != 0
    assert "export %s-SessionsTable is imported by stack(s) %s" % (stack_name, importer) in run.failures[0]
    cfn.delete_stack(StackName=importer)


@pytest.mark.parametrize("flag", ["--check"])
def test_check_mode_on_a_new_stack_lists_what_it_would_create_and_creates_nothing(flag, deploy, cfn, stack_name):
    run = deploy(flag, extra_vars=own(stack_name))
    assert run.returncode == 0, run.output
    assert "Stack %s: create with" % stack_name in run.output
    assert stack_name not in [s["StackName"] for s in cfn.list_stacks()["StackSummaries"]
                              if s["StackStatus"] != "DELETE_COMPLETE"]
