# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transform stage of a migration through S3 as a Spark run (spark_job.py on AWS Glue or EMR Serverless).

The checkpoint's transform stage holds the run in "job": the token it was started with, "requested" (saved before
the start, so a run killed before the answer looks for the run, or asks again with the same client token, instead
of starting a second), its id once known, its last state and progress lines (one per change: the service's state
and the stages the job has finished, read from its markers in S3). A re-run follows the run in the checkpoint
instead of starting another. A run that ends badly fails the module with the service's own message and is moved to
"failed_runs"; the next re-run starts a new run, which skips the stages the failed one finished. When the run
succeeds, its report (counts, part files, failed items' keys) becomes the stage's files, as the in-process
transform records them, and S3Migration checks the counts the same way.
"""

import itertools
import json
import time

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import PollTimeout
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import poll_until
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import spark_bundle
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import now_iso
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_objects import S3MigrationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_objects import export_directory
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_objects import get_object
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_objects import list_keys
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_objects import put_object

SCRIPT, PY_FILES = "spark_job.py", "aichef_migrate.zip"
# Only this collection's script may be replaced at a Glue job's script location: its docstring's first line.
SCRIPT_MARK = b"The transform stage of a migration through S3 as a PySpark job"
MAX_PROGRESS_LINES = 20
COUNT_NAMES = ("items_read", "items_written", "items_filtered", "items_failed")


def split_s3_uri(uri):
    bucket, dummy, key = uri[len("s3://"):].partition("/")
    return bucket, key


class SparkTransform:
    """runs: GlueRuns or EmrServerlessRuns. save() writes the checkpoint; fail(message) raises MigrationFailed."""

    def __init__(self, runs, s3, plan, save, fail, sleep=time.sleep, clock=time.monotonic):
        self.runs, self.s3, self.plan, self.spark = runs, s3, plan, plan.spark
        self.save, self.fail, self.sleep, self.clock = save, fail, sleep, clock
        self.checked = None

    def check(self):
        """The job or application can run the job (read only: check mode calls it too)."""
        if self.checked is None:
            self.checked = self.runs.check()
        return self.checked

    def code_uri(self, name):
        key = "/".join(part for part in (self.spark.code_prefix, name) if part)
        return "s3://%s/%s" % (self.spark.code_bucket, key)

    def upload_code(self):
        """The script and the zip, from this collection; for Glue the script goes to the job's own location."""
        script_uri = self.check().get("script_location") or self.code_uri(SCRIPT)
        bucket, key = split_s3_uri(script_uri)
        if self.runs.engine == "glue":
            existing = get_object(self.s3, bucket, key)
            if existing is not None and SCRIPT_MARK not in existing["Body"].read():
                self.fail("Glue job %s's script %s is not this collection's spark_job.py; refusing to replace it "
                          "(give the job its own script location)" % (self.spark.glue_job_name, script_uri))
        put_object(self.s3, bucket, key, spark_bundle.job_script())
        py_files_uri = self.code_uri(PY_FILES)
        put_object(self.s3, *split_s3_uri(py_files_uri), body=spark_bundle.py_files_zip())
        return script_uri, py_files_uri

    def arguments(self, export_arn, target_key, source_key_names):
        plan = self.plan
        return [("source", "s3://%s/%s" % (plan.bucket, export_directory(plan.prefix + "/export", export_arn))),
                ("target", self.spark.target), ("work", "s3://%s/%s" % (plan.bucket, self.spark.work_prefix)),
                ("transform", json.dumps(plan.transform_spec, sort_keys=True)),
                ("target_key", json.dumps([list(key) for key in target_key])),
                ("source_key", json.dumps(source_key_names)), ("files_per_stage", str(self.spark.files_per_stage))]

    def run(self, stage, export_arn, data_files, source_key_names, fingerprint):
        """Start (or find, or keep following) the run, wait for its end, record its report in stage -> the first
        failed items' keys and reasons."""
        job = stage.setdefault("job", dict(engine=self.runs.engine, progress=[], failed_runs=[]))
        if not job.get("id"):
            self.start(job, export_arn, source_key_names, fingerprint)
        total = -(-len(data_files) // self.spark.files_per_stage)
        state = self.follow(job, total)
        if not state.succeeded:
            job["failed_runs"].append(dict(id=job.pop("id"), state=state.state, message=state.message))
            job.pop("requested", None)
            self.save()
            self.fail("%s run %s ended %s: %s (a re-run starts a new run, which skips the stages this one "
                      "finished)" % (self.runs.what, job["failed_runs"][-1]["id"], state.state,
                                     state.message or "no message"))
        return self.record_report(stage)

    def start(self, job, export_arn, source_key_names, fingerprint):
        token = "%s-%d" % (fingerprint[:24], len(job["failed_runs"]))
        if job.get("requested") and job.get("token") == token:
            found = self.runs.find(token)
            if found:
                job["id"] = found
                self.save()
                return
        script_uri, py_files_uri = self.upload_code()
        job.update(token=token, requested=True, script=script_uri, py_files=py_files_uri)
        self.save()  # before the start: a run killed before the answer finds the run, or re-asks with the token
        job["id"] = self.runs.start(script_uri, py_files_uri, self.arguments(
            export_arn, self.plan.key_schema, source_key_names), token)
        job["started_at"] = now_iso()
        self.save()

    def stages_done(self):
        keys = list_keys(self.s3, self.plan.bucket, self.spark.work_prefix + "/stages/")
        return sum(1 for key in keys if key.endswith("/part-00000"))

    def follow(self, job, total):
        """The run's last RunState once it ended, a progress line recorded whenever the state or the number of
        finished stages changed; the migration fails past wait_timeout (the run stays in the checkpoint)."""
        def read():
            state = self.runs.state(job["id"])
            line = "%s %s: %d of %d stages done" % (state.state, job["id"], self.stages_done(), total)
            if not job["progress"] or job["progress"][-1].split(" ", 1)[1] != line:
                job["progress"] = (job["progress"] + ["%s %s" % (now_iso(), line)])[-MAX_PROGRESS_LINES:]
                job["state"] = state.state
                self.save()
            return state
        try:
            return poll_until(read, lambda state: state.done, self.plan.wait_timeout,
                              delays=itertools.repeat(self.plan.poll_interval), sleep=self.sleep, clock=self.clock)
        except PollTimeout as e:
            self.fail("%s run %s is still %s after %d seconds; re-run to keep following it (the checkpoint holds "
                      "it)" % (self.runs.what, job["id"], e.value.state, self.plan.wait_timeout))

    def record_report(self, stage):
        """The job's report as the stage's files (counts and part keys by job stage) -> its failed examples."""
        key = self.spark.work_prefix + "/report/part-00000"
        response = get_object(self.s3, self.plan.bucket, key)
        if response is None:
            raise S3MigrationError(message="The transform job succeeded but wrote no s3://%s/%s" % (
                self.plan.bucket, key))
        report = json.loads(response["Body"].read().decode("utf-8").splitlines()[0])
        target_prefix = split_s3_uri(self.spark.target)[1]
        stage["files"] = dict(
            (name, dict(dict((count, counts[count]) for count in COUNT_NAMES),
                        parts=["%s/%s/%s" % (target_prefix, name, part) for part in counts["parts"]]))
            for name, counts in report["stages"].items())
        return report.get("failed_examples", [])
