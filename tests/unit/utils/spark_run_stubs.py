"""Stub helpers for the Spark transform of dynamodb_table_s3_migration (Glue and EMR Serverless runs): one per AWS
call, expected_params always set, answers in the services' real shapes (the Stubber validates both)."""
import datetime
import json

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import s3_migration
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import spark_bundle
from ansible_collections.aichef.dynamodb.tests.unit.utils import s3_migration_stubs as stubs

JOB = "ai-chef-migration-transform"
SCRIPT_BUCKET, SCRIPT_KEY = "ai-chef-glue", "scripts/spark_job.py"
APPLICATION = "00fabcdefghij123"
ROLE = "arn:aws:iam::123456789012:role/ai-chef-migration-job"
RUN_ID = "jr_0123456789abcdef0123456789abcdef"
EMR_RUN_ID = "00fabcdefghij456"
CODE_PREFIX = stubs.PREFIX + "/spark-code"
WORK_PREFIX = stubs.PREFIX + "/spark-work"
WHEN = datetime.datetime(2026, 12, 4, 21, 0, tzinfo=datetime.timezone.utc)
GLUE = dict(transform_engine="glue", spark=dict(glue_job_name=JOB, application_id=None, execution_role_arn=None,
                                                code_location=None, files_per_stage=200))
EMR = dict(transform_engine="emr_serverless", spark=dict(glue_job_name=None, application_id=APPLICATION,
                                                         execution_role_arn=ROLE, code_location=None,
                                                         files_per_stage=200))


def token(plan, attempt=0):
    return "%s-%d" % (s3_migration.fingerprint_of(plan)[:24], attempt)


def write_checkpoint_after_export(path, plan, transform=None):
    """The checkpoint a run leaves when it stops after the export completed."""
    with open(path, "w") as handle:
        json.dump(dict(version=s3_migration.CHECKPOINT_VERSION, kind=s3_migration.KIND,
                       fingerprint=s3_migration.fingerprint_of(plan), identity=plan.identity, status="in_progress",
                       started_at="2026-12-04T20:00:00Z", export=dict(arn=stubs.EXPORT_ARN, status="done", item_count=3),
                       transform=transform or dict(files={}), import_job={}, failed_examples=[]), handle)


def job_arguments(plan, files_per_stage=200):
    return [("source", "s3://%s/%s" % (stubs.BUCKET, stubs.EXPORT_DIRECTORY)),
            ("target", "s3://%s/%s/transformed" % (stubs.BUCKET, stubs.PREFIX)),
            ("work", "s3://%s/%s" % (stubs.BUCKET, WORK_PREFIX)),
            ("transform", json.dumps(plan.transform_spec, sort_keys=True)),
            ("target_key", json.dumps([["PK", "S"], ["SK", "S"]])), ("source_key", json.dumps(["sessionId"])),
            ("files_per_stage", str(files_per_stage))]


def stub_get_job(glue, command="glueetl", absent=False):
    if absent:
        glue.stubber.add_client_error("get_job", service_error_code="EntityNotFoundException",
                                      service_message="Job not found", http_status_code=400,
                                      expected_params={"JobName": JOB})
        return
    glue.stubber.add_response("get_job", {"Job": {
        "Name": JOB, "GlueVersion": "5.0", "Role": ROLE,
        "Command": {"Name": command, "ScriptLocation": "s3://%s/%s" % (SCRIPT_BUCKET, SCRIPT_KEY),
                    "PythonVersion": "3"}}}, {"JobName": JOB})


def stub_get_script(s3, data=None):
    if data is None:
        s3.stubber.add_client_error("get_object", service_error_code="NoSuchKey", service_message="missing",
                                    http_status_code=404,
                                    expected_params={"Bucket": SCRIPT_BUCKET, "Key": SCRIPT_KEY})
    else:
        s3.stubber.add_response("get_object", {"Body": stubs.body(data)},
                                {"Bucket": SCRIPT_BUCKET, "Key": SCRIPT_KEY})


def stub_put(s3, bucket, key, data):
    s3.stubber.add_response("put_object", {}, {"Bucket": bucket, "Key": key, "Body": data,
                                               "ServerSideEncryption": "AES256"})


def stub_glue_upload(s3):
    stub_get_script(s3)
    stub_put(s3, SCRIPT_BUCKET, SCRIPT_KEY, spark_bundle.job_script())
    stub_put(s3, stubs.BUCKET, CODE_PREFIX + "/aichef_migrate.zip", spark_bundle.py_files_zip())


def stub_start_glue_run(glue, plan, attempt=0):
    arguments = dict(("--" + name, value) for name, value in job_arguments(plan))
    arguments.update({"--extra-py-files": "s3://%s/%s/aichef_migrate.zip" % (stubs.BUCKET, CODE_PREFIX),
                      "--run_token": token(plan, attempt)})
    glue.stubber.add_response("start_job_run", {"JobRunId": RUN_ID}, {"JobName": JOB, "Arguments": arguments})


def stub_glue_state(glue, state, message=None):
    run = {"Id": RUN_ID, "JobName": JOB, "JobRunState": state, "StartedOn": WHEN, "ExecutionTime": 60,
           "GlueVersion": "5.0"}
    if message:
        run["ErrorMessage"] = message
    glue.stubber.add_response("get_job_run", {"JobRun": run}, {"JobName": JOB, "RunId": RUN_ID})


def stub_glue_runs(glue, runs):
    """GetJobRuns' one page: runs as [(id, run token)]."""
    glue.stubber.add_response("get_job_runs", {"JobRuns": [
        {"Id": run_id, "JobName": JOB, "JobRunState": "RUNNING", "Arguments": {"--run_token": run_token}}
        for run_id, run_token in runs]}, {"JobName": JOB})


def stub_stages_done(s3, done):
    keys = ["%s/stages/stage-%05d/part-00000" % (WORK_PREFIX, index) for index in range(done)]
    s3.stubber.add_response("list_objects_v2", {"Contents": [{"Key": key} for key in keys], "KeyCount": len(keys)},
                            {"Bucket": stubs.BUCKET, "Prefix": WORK_PREFIX + "/stages/"})


def report(written=2, failed=1, examples=None):
    counts = dict(items_read=written + failed, items_written=written, items_filtered=0, items_failed=failed)
    return dict(counts, files=1, stages_resumed=0, fingerprint="0123456789abcdef",
                stages={"stage-00000": dict(counts, parts=["part-00000.gz"])},
                failed_examples=examples if examples is not None else [
                    dict(key={}, reason="derive PK: attribute sessionId is missing")] * failed)


def stub_report(s3, answer=None):
    stubs.stub_get(s3, WORK_PREFIX + "/report/part-00000",
                   None if answer is False else (json.dumps(answer or report()) + "\n").encode())


def stub_get_application(emr, state="CREATED", kind="Spark"):
    emr.stubber.add_response("get_application", {"application": {
        "applicationId": APPLICATION, "arn": "arn:aws:emr-serverless:us-east-1:123456789012:/applications/" +
        APPLICATION, "releaseLabel": "emr-7.5.0", "type": kind, "state": state, "createdAt": WHEN,
        "updatedAt": WHEN}}, {"applicationId": APPLICATION})


def stub_emr_upload(s3):
    stub_put(s3, stubs.BUCKET, CODE_PREFIX + "/spark_job.py", spark_bundle.job_script())
    stub_put(s3, stubs.BUCKET, CODE_PREFIX + "/aichef_migrate.zip", spark_bundle.py_files_zip())


def stub_start_emr_run(emr, plan, attempt=0):
    arguments = [text for name, value in job_arguments(plan) for text in ("--" + name, value)]
    emr.stubber.add_response("start_job_run", {
        "applicationId": APPLICATION, "jobRunId": EMR_RUN_ID,
        "arn": "arn:aws:emr-serverless:us-east-1:123456789012:/applications/%s/jobruns/%s" % (
            APPLICATION, EMR_RUN_ID)}, {
        "applicationId": APPLICATION, "clientToken": token(plan, attempt), "executionRoleArn": ROLE,
        "name": "aichef-transform-" + stubs.TARGET, "jobDriver": {"sparkSubmit": {
            "entryPoint": "s3://%s/%s/spark_job.py" % (stubs.BUCKET, CODE_PREFIX), "entryPointArguments": arguments,
            "sparkSubmitParameters": "--py-files s3://%s/%s/aichef_migrate.zip" % (stubs.BUCKET, CODE_PREFIX)}}})


def stub_emr_state(emr, state, details=None):
    # stateDetails is required, of at least one character.
    details = details or "Job run is %s." % state.lower()
    emr.stubber.add_response("get_job_run", {"jobRun": {
        "applicationId": APPLICATION, "jobRunId": EMR_RUN_ID,
        "arn": "arn:aws:emr-serverless:us-east-1:123456789012:/applications/%s/jobruns/%s" % (
            APPLICATION, EMR_RUN_ID), "createdBy": "arn:aws:iam::123456789012:user/ops", "createdAt": WHEN,
        "updatedAt": WHEN, "executionRole": ROLE, "state": state, "stateDetails": details,
        "releaseLabel": "emr-7.5.0", "jobDriver": {"sparkSubmit": {"entryPoint": "s3://x/spark_job.py"}}}},
        {"applicationId": APPLICATION, "jobRunId": EMR_RUN_ID})
