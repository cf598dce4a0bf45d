"""AWS's own rules through the strict proxy: big templates through S3, index changes in steps, refusals before
any write, every bad setting refused before any AWS call (issue 15's acceptance)."""
import json
import os
import subprocess
import sys

import pytest
import yaml

from conftest import PORT, ROOT, PlaybookRun, aws_client, playbook_command

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from counting_proxy import CountingProxy  # noqa: E402

TEMPLATE_BODY_LIMIT = 51200


def settings(stack, tables, prefix):
    """A stack of its own: tables, alarms and log group named after it, so other tests are never touched."""
    return dict(dynamodb_stack_name=stack, dynamodb_stack_tables=tables, dynamodb_stack_table_name_prefix=prefix,
                dynamodb_stack_alarm_name_prefix=stack + "-", dynamodb_stack_log_group_name="/aws/dynamodb/" + stack)


def twenty_tables(prefix):
    return [dict(name="%st%02d" % (prefix, number), hash_key=dict(name="pk", type="S"),
                 range_key=dict(name="sk", type="S"),
                 global_secondary_indexes=[dict(name="byOwner", hash_key=dict(name="ownerId", type="S"))])
            for number in range(20)]


def stack_status(stack):
    return aws_client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]


def stack_template_size(stack):
    body = aws_client("cloudformation").get_template(StackName=stack)["TemplateBody"]
    return len((body if isinstance(body, str) else json.dumps(body)).encode("utf-8"))


def test_twenty_tables_over_51200_bytes_deploy_through_s3_from_a_file_or_as_data_then_rerun_unchanged(
        deploy, tmp_path):
    """Twenty tables render a template over CloudFormation's 51,200-byte TemplateBody limit: created from a template
    file, it goes through S3 (the strict proxy refuses it inline); a re-run from the file, then one from the same
    tables as data (rendered to the same template), change nothing."""
    stack, prefix = "it-rules-twenty", "rt20-"
    extra = settings(stack, twenty_tables(prefix), prefix)
    sys.path.insert(0, os.path.join(ROOT, ".collections"))
    from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body
    with open(os.path.join(ROOT, "roles", "dynamodb_stack", "defaults", "main.yml")) as handle:
        role_defaults = yaml.safe_load(handle)
    # As the role renders the tables as data: its default table tags, the names derived from the stack.
    render_settings = dict(name_prefix=prefix, alarm_name_prefix=stack + "-", log_group_name="/aws/dynamodb/" + stack,
                           table_tags=role_defaults["dynamodb_stack_table_tags"])
    body = render_template_body(twenty_tables(prefix), render_settings)
    assert len(body.encode("utf-8")) > TEMPLATE_BODY_LIMIT
    path = tmp_path / "twenty.yaml"
    path.write_text(body)
    from_file = dict(dynamodb_stack_name=stack, dynamodb_stack_template_path=str(path),
                     dynamodb_stack_table_name_prefix=prefix)

    first = deploy(extra_vars=from_file)
    assert first.returncode == 0, first.output
    assert stack_status(stack) == "CREATE_COMPLETE"
    assert stack_template_size(stack) > TEMPLATE_BODY_LIMIT  # so it went through S3: the proxy refuses it inline
    again = deploy(extra_vars=from_file)
    assert again.returncode == 0, again.output
    assert again.changed == 0, again.output
    as_data = deploy(extra_vars=extra)
    assert as_data.returncode == 0, as_data.output
    assert as_data.changed == 0, as_data.output


def results_tables(prefix, extra_indexes=()):
    indexes = [dict(name="sessionId-index", hash_key=dict(name="sessionId", type="S"), projection="ALL")]
    indexes += list(extra_indexes)
    return [dict(name=prefix + "sessions", hash_key=dict(name="sessionId", type="S")),
            dict(name=prefix + "results", hash_key=dict(name="resultId", type="S"), global_secondary_indexes=indexes)]


THREE_MORE_INDEXES = [
    dict(name="userId-index", hash_key=dict(name="userId", type="S")),
    dict(name="recipeId-index", hash_key=dict(name="recipeId", type="S"), projection="KEYS_ONLY"),
    dict(name="createdAt-index", hash_key=dict(name="sessionId", type="S"), range_key=dict(name="createdAt", type="N")),
]


def test_three_indexes_added_at_once_deploy_in_three_steps_keeping_the_table_and_its_items(deploy):
    stack, prefix = "it-rules-gsi", "rgsi-"
    assert deploy(extra_vars=settings(stack, results_tables(prefix), prefix)).returncode == 0
    ddb = aws_client("dynamodb")
    table = prefix + "results"
    for number in range(30):
        ddb.put_item(TableName=table, Item=dict(resultId=dict(S="r%d" % number), sessionId=dict(S="s%d" % (number % 3)),
                                                userId=dict(S="u"), recipeId=dict(S="c"), createdAt=dict(N=str(number))))
    before = ddb.describe_table(TableName=table)["Table"]

    check = deploy("--check", "--diff", extra_vars=settings(stack, results_tables(prefix, THREE_MORE_INDEXES), prefix))
    assert check.returncode == 0, check.output
    for step in ("step 1/3: create index userId-index", "step 2/3: create index recipeId-index",
                 "step 3/3: create index createdAt-index"):
        assert step in check.output, check.output
    assert len(ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]) == 1  # check mode

    run = deploy(extra_vars=settings(stack, results_tables(prefix, THREE_MORE_INDEXES), prefix))
    assert run.returncode == 0, run.output
    after = ddb.describe_table(TableName=table)["Table"]
    assert sorted(index["IndexName"] for index in after["GlobalSecondaryIndexes"]) == [
        "createdAt-index", "recipeId-index", "sessionId-index", "userId-index"]
    assert all(index.get("IndexStatus", "ACTIVE") == "ACTIVE" for index in after["GlobalSecondaryIndexes"])
    assert (after["TableArn"], after["CreationDateTime"]) == (before["TableArn"], before["CreationDateTime"])
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 30
    assert stack_status(stack) == "UPDATE_COMPLETE"
    again = deploy(extra_vars=settings(stack, results_tables(prefix, THREE_MORE_INDEXES), prefix))
    assert again.changed == 0, again.output


def writes_through(deploy, extra):
    """(run, AWS calls by operation) of a deploy whose every request goes through a counting proxy."""
    proxy = CountingProxy(PORT)
    try:
        run = deploy(extra_vars=extra, env=dict(AICHEF_EMULATOR_PORT=str(proxy.port)))
        calls = proxy.take_counts()
    finally:
        proxy.close()
    return run, calls


READ_ONLY = ("Describe", "Get", "List")


def writes(calls):
    return dict((operation, count) for operation, count in calls.items()
                if not operation.split(":")[-1].startswith(READ_ONLY))


REFUSAL_STACK, REFUSAL_PREFIX = "it-rules-refuse", "rref-"


@pytest.fixture(scope="module")
def refusal_stack(endpoint):
    """One stack deployed once for every refusal case: each must leave it exactly as it was."""
    command, env = playbook_command("deploy-dynamodb.yml", extra_vars=settings(
        REFUSAL_STACK, results_tables(REFUSAL_PREFIX), REFUSAL_PREFIX))
    run = PlaybookRun(subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                                     check=False))
    assert run.returncode == 0, run.output
    return REFUSAL_STACK


@pytest.mark.xdist_group("aws-rules-refusals")  # the cases share refusal_stack (make integration: loadgroup)
@pytest.mark.parametrize("change, words", [
    pytest.param(dict(index=dict(name="sessionId-index", hash_key=dict(name="sessionId", type="N"))),
                 ["sessionId-index", "dynamodb_stack_allow_index_recreation"], id="gsi-key-type"),
    pytest.param(dict(index=dict(name="sessionId-index", hash_key=dict(name="sessionId", type="S"),
                                 projection="KEYS_ONLY")),
                 ["sessionId-index", "projection"], id="gsi-projection"),
    pytest.param(dict(key=dict(name="resultId", type="N")), ["REPLACED", "KeySchema", "resultId (S) to resultId (N)"],
                 id="table-key-type"),
])
def test_changes_aws_cannot_make_in_place_are_refused_with_no_stack_write(change, words, deploy, refusal_stack):
    tables = results_tables(REFUSAL_PREFIX)
    before = aws_client("cloudformation").get_template(StackName=refusal_stack)["TemplateBody"]
    if "index" in change:
        tables[1]["global_secondary_indexes"] = [change["index"]]
    else:
        tables[1]["hash_key"] = change["key"]
    run, calls = writes_through(deploy, settings(refusal_stack, tables, REFUSAL_PREFIX))
    assert run.returncode != 0
    message = " ".join(run.failures)
    for word in words:
        assert word in message, run.output
    assert "Nothing was sent to CloudFormation" in message
    assert writes(calls) == {}, calls
    assert stack_status(refusal_stack) == "CREATE_COMPLETE"
    assert aws_client("cloudformation").get_template(StackName=refusal_stack)["TemplateBody"] == before


BAD_SETTINGS = [
    pytest.param(dict(dynamodb_stack_alarms=[dict(metric="ReadThrotleEvents", threshold=5)]),
                 "did you mean ReadThrottleEvents", id="metric-typo"),
    pytest.param(dict(dynamodb_stack_alarms=[dict(metric="ReadThrottleEvents", threshold=-5)]), ">= 0",
                 id="negative-threshold"),
    pytest.param(dict(dynamodb_stack_log_retention_days=8), "dynamodb_stack_log_retention_days", id="retention-8"),
    pytest.param(dict(dynamodb_stack_alarm_topic_arn="my-topic"), "not an SNS topic ARN", id="topic-not-arn"),
    pytest.param(dict(dynamodb_stack_tags={"aws:owner": "me"}), '"aws:" is reserved', id="aws-tag-key"),
    pytest.param(dict(dynamodb_stack_log_group_name="/aws/dynamodb/my tables"), "not a log group name",
                 id="log-group-space"),
    pytest.param(dict(dynamodb_stack_alarm_period=45), "dynamodb_stack_alarm_period", id="alarm-period"),
]


@pytest.mark.parametrize("bad, words", BAD_SETTINGS)
def test_bad_settings_are_refused_in_one_line_before_any_aws_call(bad, words, deploy):
    run, calls = writes_through(deploy, dict(settings("it-rules-bad", results_tables("rbad-"), "rbad-"), **bad))
    assert run.returncode != 0
    assert len(run.failures) == 1 and len(run.failures[0].splitlines()) == 1, run.failures
    assert words in run.failures[0]
    assert "nothing was sent to AWS" in run.failures[0]
    assert sum(calls.values()) == 0, calls


def test_string_settings_from_the_command_line_are_converted(run_playbook):
    """-e key=value gives strings: the period "60" and "false" must work as 60 and false."""
    stack, prefix = "it-rules-strings", "rstr-"
    extra = settings(stack, results_tables(prefix), prefix)
    path = os.path.join(ROOT, ".run", "it-rules-strings.yml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        yaml.safe_dump(extra, handle)
    run = run_playbook("deploy-dynamodb.yml", "-e", "@" + path, "-e", "dynamodb_stack_alarm_period=60",
                       "-e", "dynamodb_stack_protect_tables=false")
    assert run.returncode == 0, run.output
    alarms = aws_client("cloudwatch").describe_alarms(AlarmNamePrefix=stack + "-")["MetricAlarms"]
    assert alarms and all(alarm["Period"] == 60 for alarm in alarms)
    assert "StackPolicyBody" not in aws_client("cloudformation").get_stack_policy(StackName=stack)


def test_renamed_log_group_keeps_the_old_group_and_its_events(deploy):
    stack, prefix = "it-rules-log-rename", "rlog-"
    extra = settings(stack, results_tables(prefix), prefix)
    assert deploy(extra_vars=extra).returncode == 0
    logs = aws_client("logs")
    old = "/aws/dynamodb/" + stack
    logs.create_log_stream(logGroupName=old, logStreamName="kept")
    logs.put_log_events(logGroupName=old, logStreamName="kept",
                        logEvents=[dict(timestamp=1_700_000_000_000, message="must survive")])
    renamed = deploy(extra_vars=dict(extra, dynamodb_stack_log_group_name=old + "-v2"))
    assert renamed.returncode == 0, renamed.output
    assert "log group %s leaves the stack: it is retained with its events" % old in renamed.output, renamed.output
    names = [group["logGroupName"] for group in logs.describe_log_groups(logGroupNamePrefix=old)["logGroups"]]
    assert old in names and old + "-v2" in names
    events = logs.get_log_events(logGroupName=old, logStreamName="kept", startFromHead=True)["events"]
    assert [event["message"] for event in events] == ["must survive"]
