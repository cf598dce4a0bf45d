# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run of a migration through S3: preflight, export, transform, import, verify, each stage in the checkpoint.

With import_by "stack", the module does not create the new table: a CloudFormation stack does, its table
declaring the transformed files as its ImportSourceSpecification (a dynamodb_stack_tables entry's import_source),
so that the table is a stack resource from its first second. The run then stops after the transform, reporting
"awaiting_import" and the import_source; the run after the stack's deploy finds that import (ListImports by the
table's ARN, from the transformed prefix), waits for it and verifies as after its own.

The checkpoint holds each stage's job ARN or files and its state, and is saved before each job is started and
after each data file is transformed. A re-run continues from the last finished stage: the export already made is
reused (never made again), transformed files already written are skipped, a running import is waited for. The
checkpoint's fingerprint (tables, bucket and prefix, key schema, transform) ties it to one migration.
"""

import collections
import random
import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import export_import as jobs
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import load_checkpoint
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import migration_fingerprint
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import now_iso
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import save_checkpoint
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.copy_verification import CopyVerification
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.export_transform import transform_data_file
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.limited_tables import LimitedTables
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.migration import MigrationFailed
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import check_transform_against_schemas
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import key_schema
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration_plan import estimate
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration_plan import import_source
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration_plan import table_creation_parameters
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration_plan import target_table_description
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration_plan import transform_engine
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_objects import export_data_files
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_objects import list_keys
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.spark_transform import SparkTransform

CHECKPOINT_VERSION = 1  # load_checkpoint's version; KIND tells this method's file from the copy's
KIND = "s3_migration"
COMPLETE, DONE = "complete", "done"
AWAITING_IMPORT = "awaiting_import"  # import_by stack: transformed, the stack's deploy comes next
BY_STACK = "stack"
# "Up to 50,000 S3 objects" per import (Amazon DynamoDB quotas, import from S3); the emulator takes any number.
MAX_IMPORT_OBJECTS = 50000
COUNT_NAMES = ("items_read", "items_written", "items_filtered", "items_failed")

# What LimitedTables and CopyVerification read of a plan, for the sampled comparison (no limits, no count).
VerifyPlan = collections.namedtuple("VerifyPlan", [
    "source_table", "target_table", "transform", "consistent_read", "max_read_units_per_second",
    "max_write_units_per_second", "verify_count", "verify_sample_size", "total_segments", "threads"])


def fingerprint_of(plan):
    identity = dict(plan.identity, bucket=plan.bucket, prefix=plan.prefix, key_schema=plan.key_schema, kind=KIND)
    if plan.import_by == BY_STACK:  # only then: checkpoints of module imports keep their fingerprint
        identity["import_by"] = BY_STACK
    return migration_fingerprint(identity, plan.transform_spec, 0)


def client_token(fingerprint, stage):
    """ClientToken of a stage's job (at most 36 characters): a repeated call returns the job already started."""
    return "%s-%s" % (stage, fingerprint[:30])


class S3Migration:
    """dynamodb: the source's (and target's) client; s3: the bucket's; spark_runs: with plan.spark, the GlueRuns or
    EmrServerlessRuns that run the transform (spark_runs.py). sleep, clock and rng: tests replace them."""

    def __init__(self, dynamodb, s3, plan, check_mode=False, sleep=time.sleep, clock=time.monotonic, rng=None,
                 spark_runs=None):
        self.dynamodb, self.s3, self.plan, self.check_mode = dynamodb, s3, plan, check_mode
        self.sleep, self.clock, self.rng = sleep, clock, rng or random.Random()
        self.spark = None
        if plan.spark is not None:
            self.spark = SparkTransform(spark_runs, s3, plan, self.save, self.fail, sleep=sleep, clock=clock)
        self.fingerprint = fingerprint_of(plan)
        self.checkpoint = None
        self.changed = False
        self.resumed = False  # this run continued an unfinished migration

    # --- the checkpoint ------------------------------------------------------------------------------------

    def load(self):
        """The checkpoint of this migration, or a new one; InputError for another migration's file."""
        existing = load_checkpoint(self.plan.checkpoint_path)
        if existing is None:
            return dict(version=CHECKPOINT_VERSION, kind=KIND, fingerprint=self.fingerprint,
                        identity=self.plan.identity, status="in_progress", started_at=now_iso(),
                        export={}, transform=dict(files={}), import_job={}, failed_examples=[]), False
        if existing.get("kind") != KIND or existing.get("fingerprint") != self.fingerprint:
            raise InputError(message="Checkpoint %s belongs to a different migration (tables, bucket, prefix, key or "
                                     "transform changed); move it away to start over" % self.plan.checkpoint_path)
        return existing, True

    def save(self):
        save_checkpoint(self.plan.checkpoint_path, self.checkpoint)

    def fail(self, message):
        raise MigrationFailed(message=message, migration=self.result()["migration"])

    # --- preflight -----------------------------------------------------------------------------------------

    def preflight(self, resumed):
        """The source table, its point-in-time recovery, the target's absence, the transform against the new key
        and an empty prefix, in that order, before any write. Returns the source's description."""
        plan = self.plan
        source = describe_table(self.dynamodb, plan.source_table)
        if source is None:
            raise InputError(message="Source table %s does not exist; nothing was written" % plan.source_table)
        if not self.checkpoint["export"].get("arn"):
            self.check_point_in_time_recovery()
        # Once the import was asked for, the table may be its own: a repeated ImportTable with the same
        # ClientToken returns that import instead of refusing the table.
        import_started = self.checkpoint["import_job"].get("arn") or self.checkpoint["import_job"].get("requested")
        # With import_by stack, the table appears once the transform is done: the stack's import made it.
        stack_may_have_made_it = plan.import_by == BY_STACK and self.checkpoint["transform"].get("status") == DONE
        if not (import_started or stack_may_have_made_it) and describe_table(self.dynamodb, plan.target_table):
            raise InputError(message="Target table %s already exists; the import creates it, so name a new table "
                                     "(nothing was written)" % plan.target_table)
        check_transform_against_schemas(plan.transform, source, target_table_description(plan))
        if not resumed and list_keys(self.s3, plan.bucket, plan.prefix + "/"):
            raise InputError(message="s3://%s/%s/ already holds objects; the import would read them too: choose an "
                                     "empty s3_prefix (nothing was written)" % (plan.bucket, plan.prefix))
        engine = transform_engine(plan)
        started = self.checkpoint["transform"].get("engine") or ("module" if self.checkpoint["transform"]["files"]
                                                                 else engine)
        if started != engine and self.checkpoint["transform"].get("status") != DONE:
            raise InputError(message="The transform of this migration was started with transform_engine %s; finish "
                                     "it with the same engine (its files would mix)" % started)
        if self.spark is not None and self.checkpoint["transform"].get("status") != DONE:
            self.spark.check()
        return source

    def check_point_in_time_recovery(self):
        """An export needs point-in-time recovery on, and an export_time inside its restorable window (AWS's
        rules; ministack exports any table at any time)."""
        plan = self.plan
        recovery = jobs.point_in_time_recovery(self.dynamodb, plan.source_table)
        if recovery.get("PointInTimeRecoveryStatus") != "ENABLED":
            raise InputError(message="Source table %s has point-in-time recovery off; an export needs it on "
                                     "(UpdateContinuousBackups), nothing was written" % plan.source_table)
        earliest, latest = recovery.get("EarliestRestorableDateTime"), recovery.get("LatestRestorableDateTime")
        if plan.export_time and earliest and latest and not earliest <= plan.export_time <= latest:
            raise InputError(message="export_time %s is outside the point-in-time recovery window of %s (%s to %s); "
                                     "nothing was written" % (plan.export_time.isoformat(), plan.source_table,
                                                              earliest.isoformat(), latest.isoformat()))

    # --- the stages ----------------------------------------------------------------------------------------

    def export(self, source):
        stage = self.checkpoint["export"]
        if stage.get("status") == DONE:
            return
        if not stage.get("arn"):
            self.save()  # proves the checkpoint writable before the first write
            description = jobs.start_export(self.dynamodb, source["TableArn"], self.plan.bucket,
                                            self.plan.prefix + "/export", client_token(self.fingerprint, "export"),
                                            self.plan.export_time)
            stage.update(arn=description["ExportArn"], status=description["ExportStatus"])
            self.changed = True
            self.save()
        description = jobs.wait_for(lambda: jobs.describe_export(self.dynamodb, stage["arn"]), "ExportStatus",
                                    "Export %s" % stage["arn"], self.plan.poll_interval, self.plan.wait_timeout,
                                    self.sleep, self.clock)
        stage.update(status=description["ExportStatus"], item_count=description.get("ItemCount"),
                     billed_size_bytes=description.get("BilledSizeBytes"))
        if description["ExportStatus"] != "COMPLETED":
            self.save()
            self.fail("Export %s ended %s: %s %s" % (stage["arn"], description["ExportStatus"],
                                                     description.get("FailureCode", ""),
                                                     description.get("FailureMessage", "")))
        stage["status"] = DONE
        self.save()

    def transform(self, source):
        stage = self.checkpoint["transform"]
        if stage.get("status") == DONE:
            return
        plan, target_key = self.plan, self.plan.key_schema
        source_key_names = [name for name, dummy in key_schema(source)]
        data_files = export_data_files(self.s3, plan.bucket, plan.prefix + "/export", self.checkpoint["export"]["arn"])
        stage["engine"] = transform_engine(plan)
        if self.spark is not None:
            if not data_files:
                self.fail("The export %s has no data file; nothing to transform" % self.checkpoint["export"]["arn"])
            self.changed = True
            self.checkpoint["failed_examples"] = self.spark.run(stage, self.checkpoint["export"]["arn"], data_files,
                                                                source_key_names, self.fingerprint)
            data_files = []
        for index, (data_key, dummy) in enumerate(data_files):
            if str(index) in stage["files"]:
                continue  # written by an earlier run
            counts = transform_data_file(self.s3, plan.bucket, data_key, index, plan.prefix + "/transformed",
                                         plan.transform, target_key, source_key_names)
            room = 5 - len(self.checkpoint["failed_examples"])
            self.checkpoint["failed_examples"].extend(counts.pop("failed_examples")[:max(room, 0)])
            stage["files"][str(index)] = counts
            self.changed = True
            self.save()
        totals = self.transform_totals()
        if totals["items_failed"] > plan.max_failed_items:
            self.fail("%d items failed the transform or the new key (max_failed_items %d); nothing was imported" % (
                totals["items_failed"], plan.max_failed_items))
        if not totals["items_written"]:
            self.fail("The transform kept no item of the %d exported; nothing was imported" % totals["items_read"])
        if totals["parts"] > MAX_IMPORT_OBJECTS:
            self.fail("%d transformed files: an import reads at most %d S3 objects" % (
                totals["parts"], MAX_IMPORT_OBJECTS))
        stage["status"] = DONE
        self.save()

    def transform_totals(self):
        files = self.checkpoint["transform"]["files"].values()
        totals = dict((name, sum(counts[name] for counts in files)) for name in COUNT_NAMES)
        totals.update(files=len(files), parts=sum(len(counts["parts"]) for counts in files))
        return totals

    def start_import(self):
        stage = self.checkpoint["import_job"]
        stage["requested"] = True  # saved first: a run killed before the answer re-asks with the same token
        self.save()
        description = jobs.start_import(self.dynamodb, self.plan.bucket, import_source(self.plan)["s3_key_prefix"],
                                        table_creation_parameters(self.plan), client_token(self.fingerprint, "import"))
        stage.update(arn=description["ImportArn"], status=description["ImportStatus"])
        self.changed = True
        self.save()

    def find_stack_import(self, target):
        """import_by stack: the import from the transformed prefix that created the target table (the stack's)."""
        source = import_source(self.plan)
        mine = [summary for summary in jobs.imports_into(self.dynamodb, target["TableArn"])
                if summary.get("S3BucketSource", {}).get("S3Bucket") == source["s3_bucket"]
                and summary["S3BucketSource"].get("S3KeyPrefix") == source["s3_key_prefix"]]
        if not mine:
            self.fail("Table %s exists, but no import of s3://%s/%s created it: it holds none of the transformed "
                      "items. Create the new table with import_source %s (its stack's table entry), under a name no "
                      "table has" % (self.plan.target_table, source["s3_bucket"], source["s3_key_prefix"], source))
        newest = max(mine, key=lambda summary: str(summary.get("StartTime", "")))
        self.checkpoint["import_job"].update(arn=newest["ImportArn"], status=newest["ImportStatus"], by=BY_STACK)
        self.save()

    def import_(self):
        stage = self.checkpoint["import_job"]
        if stage.get("status") == DONE:
            return
        if not stage.get("arn"):
            self.start_import()
        description = jobs.wait_for(lambda: jobs.describe_import(self.dynamodb, stage["arn"]), "ImportStatus",
                                    "Import %s" % stage["arn"], self.plan.poll_interval, self.plan.wait_timeout,
                                    self.sleep, self.clock)
        stage.update(status=description["ImportStatus"],
                     imported_item_count=description.get("ImportedItemCount", 0),
                     processed_item_count=description.get("ProcessedItemCount", 0),
                     error_count=description.get("ErrorCount", 0))
        if description["ImportStatus"] != "COMPLETED":
            self.save()
            self.fail("Import %s ended %s: %s %s (its errors are in CloudWatch Logs %s)" % (
                stage["arn"], description["ImportStatus"], description.get("FailureCode", ""),
                description.get("FailureMessage", ""), description.get("CloudWatchLogGroupArn", "")))
        stage["status"] = DONE
        self.save()

    def verify(self, source):
        """The import's own counts against the items transformed, then the sampled comparison."""
        written = self.transform_totals()["items_written"]
        stage = self.checkpoint["import_job"]
        verification = dict(expected_item_count=written, imported_item_count=stage["imported_item_count"],
                            processed_item_count=stage["processed_item_count"], error_count=stage["error_count"])
        verification["counts_match"] = (stage["imported_item_count"] == written
                                        and stage["processed_item_count"] == written and not stage["error_count"])
        if self.plan.verify_sample_size:
            plan = VerifyPlan(self.plan.source_table, self.plan.target_table, self.plan.transform, False, None, None,
                              False, self.plan.verify_sample_size, 1, 1)
            tables = LimitedTables(self.dynamodb, self.dynamodb, plan, self.rng)
            checker = CopyVerification(tables, plan, self.rng, [name for name, dummy in key_schema(source)],
                                       self.plan.key_schema)
            verification.update(checker.verify_sample(self.plan.verify_sample_size,
                                                      self.transform_totals()["items_read"]))
        self.checkpoint["verification"] = verification
        problems = []
        if not verification["counts_match"]:
            problems.append("the import loaded %d of %d items (%d processed, %d errors)" % (
                stage["imported_item_count"], written, stage["processed_item_count"], stage["error_count"]))
        if verification.get("sample_mismatches"):
            problems.append("%d of %d sampled items differ in the target" % (
                len(verification["sample_mismatches"]), verification["sample_checked"]))
        if problems:
            self.save()
            self.fail("Verification failed: " + "; ".join(problems))

    # --- the run -------------------------------------------------------------------------------------------

    def run(self):
        self.checkpoint, resumed = self.load()
        self.resumed = resumed and self.checkpoint.get("status") != COMPLETE
        source = self.preflight(resumed)
        if self.check_mode:
            return self.result(status="check_mode", estimate=estimate(source, transform_engine(self.plan)))
        try:
            if self.checkpoint.get("status") != COMPLETE:
                self.export(source)
                self.transform(source)
                if self.plan.import_by == BY_STACK and not self.checkpoint["import_job"].get("arn"):
                    target = describe_table(self.dynamodb, self.plan.target_table)
                    if target is None:  # the stack's deploy comes next, with result's import_source
                        return self.result(status=AWAITING_IMPORT)
                    self.find_stack_import(target)
                self.import_()
            self.verify(source)
        except MigrationFailed:
            raise
        except AnsibleAWSError as e:
            # Past the preflight, the result says how far the migration got (the re-run continues from there).
            cause = " (%s)" % e.exception if e.exception is not None else ""
            self.fail(e.message + cause)
        if self.checkpoint.get("status") != COMPLETE:
            self.checkpoint.update(status=COMPLETE, completed_at=now_iso())
            self.changed = True
            self.save()
        return self.result()

    def result(self, status=None, **extra):
        checkpoint = self.checkpoint or {}
        totals = self.transform_totals() if checkpoint else dict((name, 0) for name in COUNT_NAMES)
        migration = dict(
            source_table=self.plan.source_table, target_table=self.plan.target_table,
            status=status or checkpoint.get("status", "in_progress"), resumed=self.resumed,
            checkpoint_path=self.plan.checkpoint_path, s3_prefix="s3://%s/%s/" % (self.plan.bucket, self.plan.prefix),
            import_by=self.plan.import_by, import_source=import_source(self.plan),
            export=checkpoint.get("export", {}), transform=totals, import_job=checkpoint.get("import_job", {}),
            transform_job=dict(checkpoint.get("transform", {}).get("job", {}),
                               engine=checkpoint.get("transform", {}).get("engine") or transform_engine(self.plan)),
            failed_examples=checkpoint.get("failed_examples", []), verification=checkpoint.get("verification", {}))
        migration.update(extra)
        return dict(changed=self.changed, migration=migration)
