"""module_utils/_migrate: the transform of a migration through S3 as a Spark run, on Stubber-backed Glue, EMR
Serverless, DynamoDB and S3 clients: submit, follow, failure with the service's message, resume of the same run.

Each test starts from the checkpoint a run leaves after the export (spark_run_stubs.write_checkpoint_after_export)
and queues exactly the calls the run must make; the Stubber refuses any other and checks every parameter.
"""
import json

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.migration import MigrationFailed
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration import S3Migration
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration_plan import build_s3_plan
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.spark_runs import spark_runs_for
from ansible_collections.aichef.dynamodb.tests.unit.utils import s3_migration_stubs as stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils import spark_run_stubs as spark_stubs

STARTS = ("glue:StartJobRun", "emr-serverless:StartJobRun")


@pytest.fixture
def checkpoint_path(tmp_path):
    return str(tmp_path / "s3-migration.json")


@pytest.fixture
def make_run(dynamodb, s3, glue, emr, checkpoint_path, clock):
    def make(engine=None, check_mode=False, **overrides):
        plan = build_s3_plan(stubs.params(checkpoint_path=checkpoint_path, **dict(engine or spark_stubs.GLUE,
                                                                                  **overrides)),
                             stubs.identity())
        clients = {"glue": glue.wrapped(), "emr-serverless": emr.wrapped()}
        runs = spark_runs_for(plan.spark, plan.target_table, lambda service: clients[service])
        return S3Migration(dynamodb.wrapped(), s3.wrapped(), plan, check_mode=check_mode, sleep=clock.sleep,
                           clock=clock, spark_runs=runs)
    return make


def read_checkpoint(path):
    with open(path) as handle:
        return json.load(handle)


def stub_resumed_preflight(dynamodb, s3, data_files=1):
    """A run after the export: the source and the target's absence (no point-in-time recovery check, no prefix
    check: the export is in the checkpoint), then the export's manifests."""
    stubs.stub_source(dynamodb)
    stubs.stub_target_absent(dynamodb)
    return lambda: stubs.stub_manifests(s3, [stubs.data_key(index) for index in range(data_files)])


def stub_import(dynamodb, plan, imported=2):
    stubs.stub_start_import(dynamodb, plan)
    stubs.stub_describe_import(dynamodb, imported=imported)


class TestGlue:
    def test_submits_follows_with_progress_and_imports_the_report_counts(self, make_run, dynamodb, s3, glue,
                                                                         checkpoint_path, clock, api_calls):
        migration = make_run(max_failed_items=1)
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan)
        manifests = stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_job(glue)
        manifests()
        spark_stubs.stub_glue_upload(s3)
        spark_stubs.stub_start_glue_run(glue, migration.plan)
        spark_stubs.stub_glue_state(glue, "RUNNING")
        spark_stubs.stub_stages_done(s3, 0)
        spark_stubs.stub_glue_state(glue, "RUNNING")
        spark_stubs.stub_stages_done(s3, 0)
        spark_stubs.stub_glue_state(glue, "SUCCEEDED")
        spark_stubs.stub_stages_done(s3, 1)
        spark_stubs.stub_report(s3)
        stub_import(dynamodb, migration.plan)
        result = migration.run()["migration"]
        assert result["status"] == "complete"
        assert result["transform"] == dict(files=1, parts=1, items_read=3, items_written=2, items_filtered=0,
                                           items_failed=1)
        assert result["failed_examples"] == [dict(key={}, reason="derive PK: attribute sessionId is missing")]
        job = result["transform_job"]
        assert (job["engine"], job["id"], job["state"]) == ("glue", spark_stubs.RUN_ID, "SUCCEEDED")
        # One progress line per change, not per poll.
        assert [line.split(" ", 1)[1] for line in job["progress"]] == [
            "RUNNING %s: 0 of 1 stages done" % spark_stubs.RUN_ID, "SUCCEEDED %s: 1 of 1 stages done" % (
                spark_stubs.RUN_ID)]
        assert clock.sleeps == [migration.plan.poll_interval] * 2
        saved = read_checkpoint(checkpoint_path)
        assert saved["transform"]["files"]["stage-00000"]["parts"] == [
            stubs.PREFIX + "/transformed/stage-00000/part-00000.gz"]
        assert api_calls.index("glue:GetJob") < api_calls.index("s3:PutObject") < api_calls.index("glue:StartJobRun")

    def test_failed_run_fails_with_the_job_message_and_the_rerun_starts_a_new_run(
            self, make_run, dynamodb, s3, glue, checkpoint_path, api_calls):
        migration = make_run()
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan)
        manifests = stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_job(glue)
        manifests()
        spark_stubs.stub_glue_upload(s3)
        spark_stubs.stub_start_glue_run(glue, migration.plan)
        message = "JobError: stage-00000 was written by a run with other files or another transform"
        spark_stubs.stub_glue_state(glue, "FAILED", message)
        spark_stubs.stub_stages_done(s3, 0)
        with pytest.raises(MigrationFailed) as failed:
            migration.run()
        assert message in failed.value.message and spark_stubs.RUN_ID in failed.value.message
        assert "ImportTable" not in " ".join(api_calls)
        job = read_checkpoint(checkpoint_path)["transform"]["job"]
        assert "id" not in job and job["failed_runs"] == [dict(id=spark_stubs.RUN_ID, state="FAILED",
                                                               message=message)]
        # The re-run starts a second run, with its own token.
        del api_calls[:]
        migration = make_run()
        manifests = stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_job(glue)
        manifests()
        spark_stubs.stub_glue_upload(s3)
        spark_stubs.stub_start_glue_run(glue, migration.plan, attempt=1)
        spark_stubs.stub_glue_state(glue, "SUCCEEDED")
        spark_stubs.stub_stages_done(s3, 1)
        spark_stubs.stub_report(s3, spark_stubs.report(failed=0))
        stub_import(dynamodb, migration.plan)
        assert migration.run()["migration"]["status"] == "complete"
        assert api_calls.count("glue:StartJobRun") == 1

    def test_rerun_follows_the_recorded_run_and_starts_nothing(self, make_run, dynamodb, s3, glue, checkpoint_path,
                                                               api_calls):
        migration = make_run()
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan, transform=dict(
            files={}, engine="glue", job=dict(engine="glue", id=spark_stubs.RUN_ID, token=spark_stubs.token(
                migration.plan), requested=True, state="RUNNING", progress=[], failed_runs=[])))
        manifests = stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_job(glue)
        manifests()
        spark_stubs.stub_glue_state(glue, "SUCCEEDED")
        spark_stubs.stub_stages_done(s3, 1)
        spark_stubs.stub_report(s3, spark_stubs.report(failed=0))
        stub_import(dynamodb, migration.plan)
        result = migration.run()["migration"]
        assert result["resumed"] is True and result["status"] == "complete"
        assert not set(STARTS) & set(api_calls) and "s3:PutObject" not in api_calls

    def test_run_whose_start_answer_was_lost_is_found_by_its_token(self, make_run, dynamodb, s3, glue,
                                                                   checkpoint_path, api_calls):
        migration = make_run()
        token = spark_stubs.token(migration.plan)
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan, transform=dict(
            files={}, engine="glue", job=dict(engine="glue", token=token, requested=True, progress=[],
                                              failed_runs=[])))
        manifests = stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_job(glue)
        manifests()
        spark_stubs.stub_glue_runs(glue, [("jr_other", "another-token-0"), (spark_stubs.RUN_ID, token)])
        spark_stubs.stub_glue_state(glue, "SUCCEEDED")
        spark_stubs.stub_stages_done(s3, 1)
        spark_stubs.stub_report(s3, spark_stubs.report(failed=0))
        stub_import(dynamodb, migration.plan)
        assert migration.run()["migration"]["transform_job"]["id"] == spark_stubs.RUN_ID
        assert "glue:StartJobRun" not in api_calls

    def test_run_past_wait_timeout_fails_and_keeps_the_run(self, make_run, dynamodb, s3, glue, checkpoint_path):
        migration = make_run(wait_timeout=30, poll_interval=20)
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan, transform=dict(
            files={}, engine="glue", job=dict(engine="glue", id=spark_stubs.RUN_ID, token="t", requested=True,
                                              progress=[], failed_runs=[])))
        manifests = stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_job(glue)
        manifests()
        for done in (0, 1, 1):  # at 0, 20 and 40 seconds
            spark_stubs.stub_glue_state(glue, "RUNNING")
            spark_stubs.stub_stages_done(s3, done)
        with pytest.raises(MigrationFailed, match="still RUNNING after 30 seconds; re-run to keep following"):
            migration.run()
        job = read_checkpoint(checkpoint_path)["transform"]["job"]
        assert job["id"] == spark_stubs.RUN_ID and job["progress"][-1].endswith("1 of 1 stages done")

    def test_a_foreign_script_at_the_job_location_is_never_replaced(self, make_run, dynamodb, s3, glue,
                                                                    checkpoint_path, api_calls):
        migration = make_run()
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan)
        manifests = stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_job(glue)
        manifests()
        spark_stubs.stub_get_script(s3, b"import sys\nprint('the nightly ETL')\n")
        with pytest.raises(MigrationFailed, match="is not this collection's spark_job.py; refusing to replace it"):
            migration.run()
        assert "s3:PutObject" not in api_calls and "glue:StartJobRun" not in api_calls

    @pytest.mark.parametrize("absent, command, message", [
        (True, "glueetl", "does not exist: create a Spark job"),
        (False, "pythonshell", "is not a Spark job"),
    ])
    def test_a_job_that_cannot_run_it_is_refused_in_preflight(self, make_run, dynamodb, s3, glue, checkpoint_path,
                                                              absent, command, message):
        migration = make_run()
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan)
        stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_job(glue, command=command, absent=absent)
        with pytest.raises(Exception, match=message):
            migration.run()

    def test_check_mode_reads_the_job_and_starts_nothing(self, make_run, dynamodb, s3, glue, checkpoint_path,
                                                         api_calls):
        migration = make_run(check_mode=True)
        stubs.stub_source(dynamodb, size=1024 ** 3, items=3)
        stubs.stub_pitr(dynamodb)
        stubs.stub_target_absent(dynamodb)
        stubs.stub_prefix_listing(s3)
        spark_stubs.stub_get_job(glue)
        result = migration.run()
        assert result["changed"] is False and result["migration"]["status"] == "check_mode"
        assert result["migration"]["transform_job"] == dict(engine="glue")
        assert api_calls[-1] == "glue:GetJob" and not [call for call in api_calls if "Start" in call or "Put" in call]


class TestEmrServerless:
    def test_submits_with_a_client_token_and_follows_to_success(self, make_run, dynamodb, s3, emr, checkpoint_path,
                                                                api_calls):
        migration = make_run(engine=spark_stubs.EMR)
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan)
        manifests = stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_application(emr)
        manifests()
        spark_stubs.stub_emr_upload(s3)
        spark_stubs.stub_start_emr_run(emr, migration.plan)
        for state, done in (("SCHEDULED", 0), ("RUNNING", 0), ("SUCCESS", 1)):
            spark_stubs.stub_emr_state(emr, state)
            spark_stubs.stub_stages_done(s3, done)
        spark_stubs.stub_report(s3, spark_stubs.report(failed=0))
        stub_import(dynamodb, migration.plan)
        result = migration.run()["migration"]
        assert result["status"] == "complete" and result["transform"]["items_written"] == 2
        assert [line.split(" ", 2)[1] for line in result["transform_job"]["progress"]] == [
            "SCHEDULED", "RUNNING", "SUCCESS"]

    def test_failed_run_fails_with_its_state_details(self, make_run, dynamodb, s3, emr, checkpoint_path):
        migration = make_run(engine=spark_stubs.EMR)
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan, transform=dict(
            files={}, engine="emr_serverless", job=dict(engine="emr_serverless", id=spark_stubs.EMR_RUN_ID,
                                                        token="t", requested=True, progress=[], failed_runs=[])))
        manifests = stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_application(emr)
        manifests()
        details = "Job failed, please check complete logs in configured logging destination. ExitCode: 1."
        spark_stubs.stub_emr_state(emr, "FAILED", details)
        spark_stubs.stub_stages_done(s3, 0)
        with pytest.raises(MigrationFailed) as failed:
            migration.run()
        assert details in failed.value.message and "ended FAILED" in failed.value.message

    def test_a_terminated_application_is_refused_in_preflight(self, make_run, dynamodb, s3, emr, checkpoint_path):
        migration = make_run(engine=spark_stubs.EMR)
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan)
        stub_resumed_preflight(dynamodb, s3)
        spark_stubs.stub_get_application(emr, state="TERMINATED")
        with pytest.raises(Exception, match="cannot run the job: type Spark, state TERMINATED"):
            migration.run()


class TestOptions:
    @pytest.mark.parametrize("overrides, message", [
        (dict(transform_engine="glue", spark=None), "needs spark.glue_job_name"),
        (dict(spark_stubs.EMR, spark=dict(spark_stubs.EMR["spark"], execution_role_arn="admin")),
         "needs spark.execution_role_arn"),
        (dict(spark_stubs.EMR, spark=dict(spark_stubs.EMR["spark"], application_id=None)), "needs spark.application_id"),
        (dict(spark_stubs.GLUE, spark=dict(spark_stubs.GLUE["spark"], application_id="00f")), "apply to "
         "transform_engine emr_serverless only"),
        (dict(spark=dict(spark_stubs.GLUE["spark"])), "spark applies to transform_engine glue or emr_serverless"),
        (dict(spark_stubs.GLUE, spark=dict(spark_stubs.GLUE["spark"], code_location="https://x/y")),
         "is not an s3://bucket/prefix location"),
        (dict(spark_stubs.GLUE, spark=dict(spark_stubs.GLUE["spark"], code_location="s3://%s/%s/transformed/code" % (
            stubs.BUCKET, stubs.PREFIX))), "must not be under"),
        (dict(spark_stubs.GLUE, spark=dict(spark_stubs.GLUE["spark"], files_per_stage=0)), "at least 1"),
    ])
    def test_bad_spark_option_is_one_line_before_any_call(self, overrides, message):
        with pytest.raises(InputError) as raised:
            build_s3_plan(stubs.params(checkpoint_path="/tmp/x.json", **overrides), stubs.identity())
        assert message in raised.value.message and "\n" not in raised.value.message

    def test_the_engine_cannot_change_once_the_transform_started(self, make_run, dynamodb, s3, checkpoint_path):
        migration = make_run()
        spark_stubs.write_checkpoint_after_export(checkpoint_path, migration.plan, transform=dict(files={"0": dict(
            items_read=1, items_written=1, items_filtered=0, items_failed=0, parts=[stubs.part_key(0)])}))
        stub_resumed_preflight(dynamodb, s3)
        with pytest.raises(InputError, match="started with transform_engine module"):
            migration.run()
