"""verify-dynamodb.yml against the emulator: passes after a deploy, reports the emulator's TTL/PITR gap as
unsupported (never as passed), and fails on a change made by hand, naming the check with expected and actual."""
import json
import os
import re

import boto3

ROW = re.compile(r"^\s*(pass|FAIL|unsupported)\s{2,}(\S.*?)\s{2,}(\S.*?)\s{2,}(\S.*?)\s*$", re.MULTILINE)
# Passes are grouped: "pass (N)  <kind> <id>[, <id>...]: <aspect>[, <aspect>...]" means each id passed each aspect.
PASS_GROUP = re.compile(r"^\s*pass \((\d+)\)\s+(\S.*?)\s*$", re.MULTILINE)
KINDS = ("log group", "resource", "output", "export", "table", "alarm", "stack")
TEMPLATE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "files",
                        "dynamodb-schema.yaml")


def summary_lines(output):
    """The playbook prints the summary as a list of lines; with JSON results (VERIFY_ENV) each is a quoted line of
    its own: unquote them, so that the rows read as the module wrote them."""
    lines = []
    for line in output.splitlines():
        text = line.strip().rstrip(",")
        if len(text) > 1 and text[0] == text[-1] == '"':
            try:
                text = json.loads(text)
            except ValueError:
                pass  # not a JSON string of its own (e.g. a quoted word inside a longer line)
        lines.append(text)
    return "\n".join(lines)


# Task results as pretty JSON: one summary line per output line, never wrapped as the YAML results are.
VERIFY_ENV = dict(ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="true")


def summary_rows(output):
    """{check name: status} from the summary table the playbook prints: one row per failed or unsupported
    check, and the grouped passes expanded back into one name per check."""
    output = summary_lines(output)
    rows = dict((name, status) for status, name, _expected, _actual in ROW.findall(output))
    for count, text in PASS_GROUP.findall(output):
        subjects, aspects = text.rsplit(": ", 1)
        kind = next(kind for kind in KINDS if subjects.startswith(kind + " "))
        names = ["%s %s: %s" % (kind, identifier, aspect) for identifier in subjects[len(kind) + 1:].split(", ")
                 for aspect in aspects.split(", ")]
        assert len(names) == int(count), text
        rows.update((name, "pass") for name in names)
    return rows


def flat(text):
    """The output with every run of whitespace made one space (the YAML callback wraps long messages)."""
    return " ".join(text.split())


def client(endpoint, service):
    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="test",
                        aws_secret_access_key="test")


def test_verify_after_deploy_passes_and_reports_ttl_pitr_unsupported(run_playbook):
    deploy = run_playbook("deploy-dynamodb.yml")
    assert deploy.returncode == 0, deploy.output

    verify = run_playbook("verify-dynamodb.yml", env=VERIFY_ENV)

    assert verify.returncode == 0, verify.output
    assert verify.changed == 0
    rows = summary_rows(verify.output)
    # The emulator ignores TimeToLiveSpecification, PointInTimeRecoverySpecification and SSESpecification in
    # templates: shown as unsupported, never as passed.
    assert rows["table ai-chef-sessions: time to live"] == "unsupported"
    assert rows["table ai-chef-sessions: point-in-time recovery"] == "unsupported"
    assert rows["table ai-chef-results: point-in-time recovery"] == "unsupported"
    assert rows["table ai-chef-sessions: encryption"] == "unsupported"
    assert "FAIL" not in rows.values()
    for name in ["stack ai-chef-dynamodb: status", "table ai-chef-results: key schema",
                 "table ai-chef-results: attribute types", "table ai-chef-results: billing mode",
                 "table ai-chef-results: global secondary index sessionId-index",
                 "alarm AI-Chef-DynamoDB-SessionsTable-WriteThrottleEvents: dimension TableName",
                 "alarm AI-Chef-DynamoDB-SessionsTable-WriteThrottleEvents: threshold",
                 "alarm AI-Chef-DynamoDB-ResultsTable-SystemErrors-Query: dimension Operation",
                 "log group /aws/dynamodb/ai-chef-tables: retention",
                 "output SessionsTableArn: value", "export ai-chef-dynamodb-ResultsTableArn: listed",
                 "resource DynamoDBLogGroup: drift"]:
        assert rows[name] == "pass", name
    assert re.search(r"\d+ passed, 0 failed, \d+ unsupported \(not counted as passed\)", verify.output)

    check_mode = run_playbook("verify-dynamodb.yml", "--check", env=VERIFY_ENV)
    assert check_mode.returncode == 0, check_mode.output


def test_verify_fails_on_hand_made_changes_naming_expected_and_actual(run_playbook, endpoint, tmp_path):
    """Own stack and names (same template, renamed), so the team stack is never touched."""
    prefix = "it-verify-by-hand"
    alarm, log_group = prefix + "-sessions-errors", "/aws/dynamodb/" + prefix
    with open(TEMPLATE) as handle:
        body = handle.read()
    for old, new in (("ai-chef-sessions", prefix + "-sessions"), ("ai-chef-results", prefix + "-results"),
                     ("/aws/dynamodb/ai-chef-tables", log_group), ("AI-Chef-DynamoDB-SessionsTable-Errors", alarm)):
        body = body.replace(old, new)
    template = tmp_path / "template.yaml"
    template.write_text(body)
    extra_vars = dict(dynamodb_stack_name=prefix, dynamodb_stack_template_path=str(template))
    try:
        deploy = run_playbook("deploy-dynamodb.yml", extra_vars=extra_vars)
        assert deploy.returncode == 0, deploy.output
        before = run_playbook("verify-dynamodb.yml", extra_vars=extra_vars, env=VERIFY_ENV)
        assert before.returncode == 0, before.output

        client(endpoint, "cloudwatch").delete_alarms(AlarmNames=[alarm])
        client(endpoint, "logs").put_retention_policy(logGroupName=log_group, retentionInDays=14)
        after = run_playbook("verify-dynamodb.yml", extra_vars=extra_vars, env=VERIFY_ENV)

        assert after.returncode != 0, after.output
        assert after.stats["failed"] == 1
        rows = summary_rows(after.output)
        assert rows["alarm %s: exists" % alarm] == "FAIL"
        assert rows["log group %s: retention" % log_group] == "FAIL"
        assert rows["resource DynamoDBLogGroup: drift"] == "FAIL"
        assert sorted(name for name, status in rows.items() if status == "FAIL") == sorted([
            "alarm %s: exists" % alarm, "log group %s: retention" % log_group, "resource DynamoDBLogGroup: drift"])
        message = flat(after.output)
        assert "alarm %s: exists: expected present, actual absent" % alarm in message
        assert "log group %s: retention: expected 7, actual 14" % log_group in message
        assert 'resource DynamoDBLogGroup: drift: expected {"/RetentionInDays": "7"}, actual ' \
               '{"/RetentionInDays": "14"}' in message
    finally:
        client(endpoint, "cloudformation").delete_stack(StackName=prefix)


def test_verify_absent_stack_fails(run_playbook):
    verify = run_playbook("verify-dynamodb.yml", extra_vars=dict(dynamodb_stack_name="it-verify-absent"), env=VERIFY_ENV)

    assert verify.returncode != 0
    assert "stack it-verify-absent: status: expected one of CREATE_COMPLETE" in flat(verify.output)
    assert "actual ABSENT (the stack does not exist)" in flat(verify.output)
