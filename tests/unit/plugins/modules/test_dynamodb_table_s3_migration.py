"""dynamodb_table_s3_migration's main(): options checked before any client, check mode through the stubs, the
failure of a stage reported with how far the migration got. The stages themselves: test_s3_migration.py."""
import os

import pytest

from ansible_collections.aichef.dynamodb.plugins.modules import dynamodb_table_s3_migration as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import s3_migration_stubs as stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import module_runner
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import patch_aws_client_with_stubs

ARGS = dict(source_table=stubs.SOURCE, target_table=stubs.TARGET, s3_bucket=stubs.BUCKET, s3_prefix=stubs.PREFIX,
            hash_key=dict(name="PK"), range_key=dict(name="SK"), transform=stubs.KEY_CHANGE, region="us-east-1",
            backoff_retries=1, backoff_delay=1, backoff_max_delay=1)


@pytest.fixture
def requested(monkeypatch, dynamodb, s3):
    return patch_aws_client_with_stubs(monkeypatch, dynamodb=dynamodb, s3=s3)


@pytest.fixture
def run(capsys, tmp_path):
    return module_runner(module.main, capsys, checkpoint_path=str(tmp_path / "checkpoint.json"), **ARGS)


def test_bad_option_fails_in_one_line_before_any_client(run, requested):
    code, result = run(s3_prefix="/")
    assert code == 1 and result["msg"].startswith("s3_prefix must be a non-empty key prefix")
    assert "\n" not in result["msg"] and requested == []


def test_check_mode_estimates_and_writes_nothing(run, requested, dynamodb, s3, api_calls, tmp_path):
    stubs.stub_source(dynamodb, size=2 * 1024 ** 3, items=10)
    stubs.stub_pitr(dynamodb)
    stubs.stub_target_absent(dynamodb)
    stubs.stub_prefix_listing(s3)
    code, result = run(_ansible_check_mode=True)
    assert code == 0 and result["changed"] is False
    assert result["migration"]["estimate"]["export_usd"] == 0.2
    assert api_calls == ["dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable",
                         "s3:ListObjectsV2"]
    assert not os.path.exists(str(tmp_path / "checkpoint.json"))


def test_point_in_time_recovery_off_asks_for_no_s3_client(run, requested, dynamodb):
    stubs.stub_source(dynamodb)
    stubs.stub_pitr(dynamodb, status="DISABLED")
    code, result = run()
    assert code == 1 and "point-in-time recovery off" in result["msg"]
    assert requested == ["dynamodb"]


def test_a_stage_failure_reports_the_checkpointed_export(run, requested, dynamodb, s3, tmp_path):
    stubs.stub_source(dynamodb)
    stubs.stub_pitr(dynamodb)
    stubs.stub_target_absent(dynamodb)
    stubs.stub_prefix_listing(s3)
    plan = module.build_s3_plan(stubs.params(checkpoint_path=str(tmp_path / "checkpoint.json")), stubs.identity())
    stubs.stub_start_export(dynamodb, plan)
    stubs.stub_describe_export(dynamodb, items=1)
    stubs.stub_get(s3, stubs.EXPORT_DIRECTORY + "/manifest-summary.json")
    code, result = run()
    assert code == 1 and "wrote no s3://" in result["msg"]
    assert result["migration"]["export"]["arn"] == stubs.EXPORT_ARN and result["migration"]["status"] == "in_progress"
