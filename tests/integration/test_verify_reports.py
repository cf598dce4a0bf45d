"""verify-dynamodb.yml reports for a CI on the emulator: dynamodb_stack_verify_report_dir receives a JUnit file
(one test case per check, parsed here) and a Markdown summary, after a pass and after a failure."""
import re
import xml.etree.ElementTree as ET

import boto3

from conftest import ENDPOINT, REGION

COUNTS = re.compile(r"(\d+) passed, (\d+) failed, (\d+) unsupported \(not counted as passed\)")
# Own stack for the failing case, so the team stack of the other tests is never touched.
STACK = "it-verify-reports"
LOG_GROUP = "/aws/dynamodb/vrp-tables"
OWN_SETTINGS = dict(dynamodb_stack_name=STACK, dynamodb_stack_table_name_prefix="vrp-",
                    dynamodb_stack_log_group_name=LOG_GROUP,
                    dynamodb_stack_tables=[dict(name="vrp-items", hash_key=dict(name="itemId", type="S"),
                                                alarms=False)])


def client(service):
    return boto3.client(service, region_name=REGION, endpoint_url=ENDPOINT, aws_access_key_id="test",
                        aws_secret_access_key="test")


def printed_counts(output):
    """(passed, failed, unsupported) of the summary's last counts line."""
    return tuple(int(number) for number in COUNTS.findall(output)[-1])


def read_reports(report_dir):
    suite = ET.parse(str(report_dir / "verify.junit.xml")).getroot().find("testsuite")
    markdown = (report_dir / "verify.md").read_text()
    return suite, markdown


def test_verify_after_deploy_writes_junit_and_markdown(run_playbook, tmp_path):
    assert run_playbook("deploy-dynamodb.yml").returncode == 0
    report_dir = tmp_path / "reports"

    verify = run_playbook("verify-dynamodb.yml", extra_vars=dict(dynamodb_stack_verify_report_dir=str(report_dir)))

    assert verify.returncode == 0, verify.output
    passed, failed, unsupported = printed_counts(verify.output)
    suite, markdown = read_reports(report_dir)
    cases = suite.findall("testcase")
    assert len(cases) == passed + failed + unsupported == int(suite.get("tests"))
    assert (int(suite.get("failures")), int(suite.get("skipped")), int(suite.get("errors"))) == (0, unsupported, 0)
    skipped = dict((case.get("name"), case.find("skipped").get("message")) for case in cases
                   if case.find("skipped") is not None)
    for name in ("table ai-chef-sessions: time to live", "table ai-chef-sessions: point-in-time recovery",
                 "table ai-chef-results: point-in-time recovery", "table ai-chef-sessions: encryption"):
        assert skipped[name].startswith("unsupported: the endpoint ignores "), name
    assert "table ai-chef-results: key schema" in [case.get("name") for case in cases]
    assert markdown.startswith("## Verification of DynamoDB stack `ai-chef-dynamodb`: passed")
    assert "| failed | 0 |" in markdown and "| passed | %d |" % passed in markdown
    assert markdown.index("### Failed (0)") < markdown.index("### Unsupported (%d)" % unsupported) \
        < markdown.index("### Passed (%d)" % passed)


def test_verify_failure_still_writes_reports_naming_expected_and_actual(run_playbook, tmp_path):
    report_dir = tmp_path / "reports"
    settings = dict(OWN_SETTINGS, dynamodb_stack_verify_report_dir=str(report_dir))
    try:
        assert run_playbook("deploy-dynamodb.yml", extra_vars=OWN_SETTINGS).returncode == 0
        client("logs").put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=14)

        verify = run_playbook("verify-dynamodb.yml", extra_vars=settings)

        assert verify.returncode != 0
        suite, markdown = read_reports(report_dir)
        failures = dict((case.get("name"), case.find("failure")) for case in suite.findall("testcase")
                        if case.find("failure") is not None)
        assert sorted(failures) == ["log group %s: retention" % LOG_GROUP, "resource DynamoDBLogGroup: drift"]
        retention = failures["log group %s: retention" % LOG_GROUP]
        assert retention.get("message") == "expected 7, actual 14"
        assert "expected: 7" in retention.text and "actual:   14" in retention.text
        assert int(suite.get("failures")) == 2 == printed_counts(verify.output)[1]
        assert markdown.startswith("## Verification of DynamoDB stack `%s`: FAILED" % STACK)
        assert "| log group %s: retention | `7` | `14` |" % LOG_GROUP in markdown
    finally:
        client("cloudformation").delete_stack(StackName=STACK)
