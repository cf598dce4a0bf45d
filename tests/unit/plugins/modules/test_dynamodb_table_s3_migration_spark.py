"""dynamodb_table_s3_migration's main() with a Spark transform engine: the options reach the plan, the Glue or EMR
Serverless client is asked for with the module's retry decorator, check mode reads the job and starts nothing.
The run itself: tests/unit/plugins/module_utils/test_s3_migration_spark.py."""
import os

import pytest

from ansible_collections.aichef.dynamodb.plugins.modules import dynamodb_table_s3_migration as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import s3_migration_stubs as stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils import spark_run_stubs as spark_stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import module_runner
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import patch_aws_client_with_stubs

ARGS = dict(source_table=stubs.SOURCE, target_table=stubs.TARGET, s3_bucket=stubs.BUCKET, s3_prefix=stubs.PREFIX,
            hash_key=dict(name="PK"), range_key=dict(name="SK"), transform=stubs.KEY_CHANGE, region="us-east-1",
            backoff_retries=1, backoff_delay=1, backoff_max_delay=1)


@pytest.fixture
def run(capsys, tmp_path):
    return module_runner(module.main, capsys, checkpoint_path=str(tmp_path / "checkpoint.json"), **ARGS)


def stub_check_mode_preflight(dynamodb, s3):
    stubs.stub_source(dynamodb, size=1024 ** 3, items=10)
    stubs.stub_pitr(dynamodb)
    stubs.stub_target_absent(dynamodb)
    stubs.stub_prefix_listing(s3)


def test_glue_check_mode_reads_the_job_and_starts_nothing(run, monkeypatch, dynamodb, s3, glue, api_calls,
                                                          tmp_path):
    requested = patch_aws_client_with_stubs(monkeypatch, dynamodb=dynamodb, s3=s3, glue=glue)
    stub_check_mode_preflight(dynamodb, s3)
    spark_stubs.stub_get_job(glue)
    code, result = run(_ansible_check_mode=True, transform_engine="glue",
                       spark=dict(glue_job_name=spark_stubs.JOB))
    assert code == 0 and result["changed"] is False
    assert result["migration"]["transform_job"] == dict(engine="glue")
    assert requested == ["dynamodb", "s3", "glue"] and api_calls[-1] == "glue:GetJob"
    assert not os.path.exists(str(tmp_path / "checkpoint.json"))


def test_emr_serverless_check_mode_reads_the_application(run, monkeypatch, dynamodb, s3, emr, api_calls):
    requested = patch_aws_client_with_stubs(monkeypatch, dynamodb=dynamodb, s3=s3, **{"emr-serverless": emr})
    stub_check_mode_preflight(dynamodb, s3)
    spark_stubs.stub_get_application(emr)
    code, result = run(_ansible_check_mode=True, transform_engine="emr_serverless",
                       spark=dict(application_id=spark_stubs.APPLICATION, execution_role_arn=spark_stubs.ROLE))
    assert code == 0 and result["migration"]["transform_job"] == dict(engine="emr_serverless")
    assert requested == ["dynamodb", "s3", "emr-serverless"] and api_calls[-1] == "emr-serverless:GetApplication"


def test_a_spark_option_without_its_engine_fails_before_any_client(run, monkeypatch, dynamodb):
    requested = patch_aws_client_with_stubs(monkeypatch, dynamodb=dynamodb)
    code, result = run(spark=dict(glue_job_name=spark_stubs.JOB))
    assert code == 1 and result["msg"] == "spark applies to transform_engine glue or emr_serverless only"
    assert requested == []
