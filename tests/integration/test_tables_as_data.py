"""dynamodb_stack_tables on the emulator: a third table is one more list entry; bad tables never reach AWS."""
import os
import sys

import boto3
import pytest
import yaml

from conftest import ENDPOINT, PORT, REGION, ROOT, all_exports

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from counting_proxy import CountingProxy  # noqa: E402

# Own stack, tables, alarms and log group, so the team stack of the other tests is never touched.
STACK = "it-tables-as-data"
PREFIX = "tad-"


def own_settings(tables):
    return dict(dynamodb_stack_name=STACK, dynamodb_stack_tables=tables, dynamodb_stack_table_name_prefix=PREFIX,
                dynamodb_stack_alarm_name_prefix="TAD-", dynamodb_stack_log_group_name="/aws/dynamodb/tad-tables")


def default_tables_renamed():
    with open(os.path.join(ROOT, "roles", "dynamodb_stack", "defaults", "main.yml")) as handle:
        tables = yaml.safe_load(handle)["dynamodb_stack_tables"]
    for table in tables:
        table["name"] = table["name"].replace("ai-chef-", PREFIX)
    return tables


def client(service):
    return boto3.client(service, region_name=REGION, endpoint_url=ENDPOINT, aws_access_key_id="test",
                        aws_secret_access_key="test")


def test_a_third_table_is_one_more_entry_with_its_alarms_and_exports_and_verify_checks_it(run_playbook):
    tables = default_tables_renamed()
    assert run_playbook("deploy-dynamodb.yml", extra_vars=own_settings(tables)).returncode == 0

    tables.append(dict(name="tad-new-table", hash_key=dict(name="id", type="S")))
    added = run_playbook("deploy-dynamodb.yml", extra_vars=own_settings(tables))
    assert added.returncode == 0, added.output
    assert added.changed >= 1

    table = client("dynamodb").describe_table(TableName="tad-new-table")["Table"]
    assert table["KeySchema"] == [dict(AttributeName="id", KeyType="HASH")]
    exports = all_exports(client("cloudformation"))
    assert exports["%s-NewTable" % STACK] == "tad-new-table"
    assert exports["%s-NewTableArn" % STACK] == table["TableArn"]
    alarms = client("cloudwatch").describe_alarms(AlarmNamePrefix="TAD-NewTable-")["MetricAlarms"]
    assert sorted(alarm["MetricName"] for alarm in alarms) == [
        "ReadThrottleEvents", "SystemErrors", "SystemErrors", "SystemErrors", "WriteThrottleEvents"]
    assert all(alarm["Dimensions"][0] == dict(Name="TableName", Value="tad-new-table") for alarm in alarms)

    verify = run_playbook("verify-dynamodb.yml", extra_vars=own_settings(tables))
    assert verify.returncode == 0, verify.output
    assert "tad-new-table" in verify.output

    again = run_playbook("deploy-dynamodb.yml", extra_vars=own_settings(tables))
    assert again.changed == 0, again.output


BAD_TABLES = [
    pytest.param([dict(name="tad-x", hash_key=dict(name="status"))], "reserved word", id="reserved-word"),
    pytest.param([dict(name="tad-x", hash_key=dict(name="id"), billing_mode="PROVISIONED")], "capacit",
                 id="provisioned-without-capacity"),
    pytest.param([dict(name="tad-x", hash_key=dict(name="id"), ttl_atribute="expiresAt")], "ttl_attribute",
                 id="typo-did-you-mean"),
    pytest.param([dict(name="x", hash_key=dict(name="id"))], "3", id="name-too-short"),
]


@pytest.mark.parametrize("tables, words", BAD_TABLES)
def test_bad_tables_fail_in_the_lint_before_any_aws_call(tables, words, run_playbook):
    """Every request goes through a counting proxy: a lint failure must leave it at zero."""
    proxy = CountingProxy(PORT)
    try:
        run = run_playbook("deploy-dynamodb.yml", extra_vars=own_settings(tables),
                           env=dict(AICHEF_EMULATOR_PORT=str(proxy.port)))
        calls = proxy.take_counts()
    finally:
        proxy.close()
    assert run.returncode != 0
    assert "Lint the declared tables and render the template" in run.output
    assert "nothing was sent to AWS" in run.output
    assert words in run.output, run.output
    assert sum(calls.values()) == 0, calls
