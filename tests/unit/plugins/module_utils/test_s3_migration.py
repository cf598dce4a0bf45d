"""module_utils/_migrate: the migration through S3, stage by stage, on Stubber-backed DynamoDB and S3 clients.

Each test queues exactly the calls a stage must make (the Stubber refuses any other, and the fixtures assert at
teardown that every queued answer was used), and reads the checkpoint file the run leaves.
"""
import base64
import datetime
import gzip
import json
import os

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import dynamodb_json
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import export_transform
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.migration import MigrationFailed
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import compile_transform
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration import S3Migration
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration_plan import build_s3_plan
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration_plan import estimate
from ansible_collections.aichef.dynamodb.tests.unit.utils import s3_migration_stubs as stubs

LOG_GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws-dynamodb/imports"
WRITES = ("dynamodb:ExportTableToPointInTime", "dynamodb:ImportTable", "s3:PutObject")


class FirstChoices:
    """A predictable rng: sample() takes the first k."""

    def sample(self, population, k):
        return list(population)[:k]


@pytest.fixture
def checkpoint_path(tmp_path):
    return str(tmp_path / "s3-migration.json")


@pytest.fixture
def make_run(dynamodb, s3, checkpoint_path, clock):
    def make(check_mode=False, **overrides):
        plan = build_s3_plan(stubs.params(checkpoint_path=checkpoint_path, **overrides), stubs.identity())
        return S3Migration(dynamodb.wrapped(), s3.wrapped(), plan, check_mode=check_mode, sleep=clock.sleep,
                           clock=clock, rng=FirstChoices())
    return make


def read_checkpoint(path):
    with open(path) as handle:
        return json.load(handle)


def stub_preflight(dynamodb, s3, pitr=True, target=True, listing=True):
    stubs.stub_source(dynamodb, size=3 * 1024 ** 3, items=3)
    if pitr:
        stubs.stub_pitr(dynamodb)
    if target:
        stubs.stub_target_absent(dynamodb)
    if listing:
        stubs.stub_prefix_listing(s3)


ITEMS = [stubs.session(0, blob={"B": b"\x00\xff"}), stubs.session(1, tags={"BS": [b"a", b"b"]}),
         {"userId": {"S": "no session id"}}]


def stub_transform(s3, puts, files=(ITEMS,), done=()):
    stubs.stub_manifests(s3, [stubs.data_key(index) for index in range(len(files))])
    for index, items in enumerate(files):
        if index in done:
            continue
        stubs.stub_get(s3, stubs.data_key(index), stubs.export_file(items))
        puts.stub(s3, stubs.part_key(index))


class TestOptions:
    @pytest.mark.parametrize("overrides, message", [
        (dict(s3_bucket="Bad_Bucket"), "is not an S3 bucket name"),
        (dict(s3_prefix="/"), "s3_prefix must be a non-empty key prefix"),
        (dict(billing_mode="PROVISIONED"), "needs read_capacity and write_capacity"),
        (dict(read_capacity=5), "apply to billing_mode PROVISIONED only"),
        (dict(range_key=dict(name="PK", type="S")), "hash_key and range_key are both PK"),
        (dict(export_time="2026-12-04 18:00"), "needs a time zone"),
        (dict(export_time="yesterday"), "is not an ISO 8601"),
        (dict(poll_interval=0), "poll_interval must be at least 1"),
        (dict(target_table="sessions v2"), "breaks DynamoDB's naming rules"),
        (dict(hash_key=dict(name="k" * 256, type="S")), "hash_key.name must be an attribute name of 1 to 255"),
        (dict(transform=dict(derive=dict(PK="SESSION#{sessionId"))), "unclosed or empty {placeholder}"),
    ])
    def test_bad_option_is_one_line_before_any_call(self, overrides, message):
        with pytest.raises(InputError) as raised:
            build_s3_plan(stubs.params(checkpoint_path="/tmp/x.json", **overrides), stubs.identity())
        assert message in raised.value.message and "\n" not in raised.value.message

    def test_same_table_is_refused(self):
        where = stubs.identity()["source"]
        with pytest.raises(InputError, match="same table"):
            build_s3_plan(stubs.params(checkpoint_path="/tmp/x.json"), dict(source=where, target=where))


class TestDynamoDBJson:
    def test_every_type_round_trips_with_binaries_as_bytes(self):
        item = {"s": {"S": "x"}, "n": {"N": "-1.2345678901234567890123456789012345678E+125"}, "b": {"B": "AP8="},
                "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2E-130"]}, "bs": {"BS": ["AA==", "AQ=="]},
                "m": {"M": {"l": {"L": [{"B": "Ag=="}, {"NULL": True}, {"BOOL": False}]}}}}
        decoded = dynamodb_json.parse_line(json.dumps({"Item": item}).encode() + b"\n")
        assert decoded["b"] == {"B": b"\x00\xff"} and decoded["bs"] == {"BS": [b"\x00", b"\x01"]}
        assert decoded["m"]["M"]["l"]["L"][0] == {"B": b"\x02"}
        assert decoded["n"] == item["n"]  # numbers stay the exported text, digit for digit
        assert json.loads(dynamodb_json.item_line(decoded)) == {"Item": item}

    @pytest.mark.parametrize("line", [b"{not json", b'{"Items": {}}', b"[1]"])
    def test_a_line_that_is_not_dynamodb_json_is_refused(self, line):
        with pytest.raises(ValueError):
            dynamodb_json.parse_line(line)


class TestTransformStage:
    def test_one_file_streams_into_parts_with_the_key_change_and_counts_failures(self, s3):
        puts = stubs.PutBodies()
        stubs.stub_get(s3, "data/0.json.gz", stubs.export_file(ITEMS))
        puts.stub(s3, "out/000003-0000.json.gz")
        counts = export_transform.transform_data_file(
            s3.wrapped(), stubs.BUCKET, "data/0.json.gz", 3, "out", compile_transform(stubs.KEY_CHANGE),
            [("PK", "S"), ("SK", "S")], ["sessionId"])
        assert (counts["items_read"], counts["items_written"], counts["items_failed"]) == (3, 2, 1)
        assert counts["failed_examples"] == [{"key": {}, "reason": "derive PK: attribute sessionId is missing"}]
        written = puts.items["out/000003-0000.json.gz"]
        assert [item["PK"] for item in written] == [{"S": "SESSION#s0000"}, {"S": "SESSION#s0001"}]
        assert written[0]["blob"] == {"B": base64.b64encode(b"\x00\xff").decode()}
        assert written[0]["n"] == {"N": "1234567890123456789012345678901234567.8"}

    def test_a_part_is_uploaded_whenever_it_reaches_its_size(self, s3):
        puts = stubs.PutBodies()
        stubs.stub_get(s3, "data/0.json.gz", stubs.export_file([stubs.session(number) for number in range(3)]))
        for part in range(3):
            puts.stub(s3, "out/000000-%04d.json.gz" % part)
        counts = export_transform.transform_data_file(
            s3.wrapped(), stubs.BUCKET, "data/0.json.gz", 0, "out", compile_transform(stubs.KEY_CHANGE),
            [("PK", "S"), ("SK", "S")], ["sessionId"], part_bytes=1)
        assert len(counts["parts"]) == 3 and all(len(items) == 1 for items in puts.items.values())

    def test_a_corrupt_line_fails_naming_the_file_and_line(self, s3):
        stubs.stub_get(s3, "data/0.json.gz", gzip.compress(b'{"Item": {"a": {"S": "x"}}}\n{oops\n'))
        with pytest.raises(Exception, match="data/0.json.gz line 2 is not DynamoDB JSON"):
            export_transform.transform_data_file(s3.wrapped(), stubs.BUCKET, "data/0.json.gz", 0, "out",
                                                 compile_transform({}), [("a", "S")], ["a"])


class TestRun:
    def test_fresh_run_exports_transforms_imports_and_verifies(self, make_run, dynamodb, s3, api_calls,
                                                               checkpoint_path, clock):
        migration = make_run(max_failed_items=1, verify_sample_size=1)
        stub_preflight(dynamodb, s3)
        stubs.stub_start_export(dynamodb, migration.plan)
        stubs.stub_describe_export(dynamodb, status="IN_PROGRESS")
        stubs.stub_describe_export(dynamodb, items=3)
        puts = stubs.PutBodies()
        stub_transform(s3, puts)
        stubs.stub_start_import(dynamodb, migration.plan)
        stubs.stub_describe_import(dynamodb, imported=2)
        # The sample: one source key, the source item, the transformed item in the target.
        dynamodb.stubber.add_response("scan", {"Items": [{"sessionId": {"S": "s0000"}}]}, {
            "TableName": stubs.SOURCE, "Segment": 0, "TotalSegments": 1, "Limit": 40, "ConsistentRead": False,
            "ReturnConsumedCapacity": "TOTAL", "ProjectionExpression": "#a0",
            "ExpressionAttributeNames": {"#a0": "sessionId"}})
        dynamodb.stubber.add_response("get_item", {"Item": ITEMS[0]}, {
            "TableName": stubs.SOURCE, "Key": {"sessionId": {"S": "s0000"}}, "ConsistentRead": False,
            "ReturnConsumedCapacity": "TOTAL"})
        dynamodb.stubber.add_response("get_item", {"Item": dict(ITEMS[0], PK={"S": "SESSION#s0000"},
                                                                SK={"S": "META"})}, {
            "TableName": stubs.TARGET, "Key": {"PK": {"S": "SESSION#s0000"}, "SK": {"S": "META"}},
            "ConsistentRead": True, "ReturnConsumedCapacity": "TOTAL"})
        result = migration.run()
        assert result["changed"] is True
        report = result["migration"]
        assert report["status"] == "complete" and report["resumed"] is False
        assert report["transform"] == dict(files=1, parts=1, items_read=3, items_written=2, items_filtered=0,
                                           items_failed=1)
        assert report["verification"]["counts_match"] is True and report["verification"]["sample_matched"] == 1
        assert clock.sleeps == [20]  # one poll of the export in progress
        # Point-in-time recovery and the target's absence were checked before the first write.
        assert api_calls.index("dynamodb:DescribeContinuousBackups") < api_calls.index(
            "dynamodb:ExportTableToPointInTime")
        saved = read_checkpoint(checkpoint_path)
        assert saved["status"] == "complete" and saved["export"]["arn"] == stubs.EXPORT_ARN
        assert saved["import_job"]["arn"] == stubs.IMPORT_ARN

    def test_point_in_time_recovery_off_fails_before_any_write(self, make_run, dynamodb, s3, api_calls,
                                                               checkpoint_path):
        stubs.stub_source(dynamodb)
        stubs.stub_pitr(dynamodb, status="DISABLED")
        with pytest.raises(InputError, match="point-in-time recovery off"):
            make_run().run()
        assert not set(api_calls) & set(WRITES)
        assert not os.path.exists(checkpoint_path)

    def test_export_time_outside_the_recovery_window_fails_before_any_write(self, make_run, dynamodb, s3,
                                                                            api_calls):
        stubs.stub_source(dynamodb)
        stubs.stub_pitr(dynamodb, window=(datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc),
                                          datetime.datetime(2026, 12, 4, tzinfo=datetime.timezone.utc)))
        with pytest.raises(InputError, match="outside the point-in-time recovery window"):
            make_run(export_time="2026-10-01T00:00:00+00:00").run()
        assert not set(api_calls) & set(WRITES)

    def test_existing_target_is_refused_before_any_write(self, make_run, dynamodb, s3, api_calls):
        stubs.stub_source(dynamodb)
        stubs.stub_pitr(dynamodb)
        stubs.stub_target_exists(dynamodb)
        with pytest.raises(InputError, match="Target table ai-chef-sessions-v2 already exists"):
            make_run().run()
        assert not set(api_calls) & set(WRITES)

    def test_prefix_holding_objects_is_refused(self, make_run, dynamodb, s3, api_calls):
        stub_preflight(dynamodb, s3, listing=False)
        stubs.stub_prefix_listing(s3, ["sessions-v2/old.json.gz"])
        with pytest.raises(InputError, match="already holds objects"):
            make_run().run()
        assert not set(api_calls) & set(WRITES)

    def test_transform_that_cannot_make_the_new_key_is_refused(self, make_run, dynamodb, s3, api_calls):
        stubs.stub_source(dynamodb)
        stubs.stub_pitr(dynamodb)
        stubs.stub_target_absent(dynamodb)
        with pytest.raises(InputError, match="transform.drop removes PK"):
            make_run(transform=dict(derive=dict(SK="META"), drop=["PK"])).run()
        assert not set(api_calls) & set(WRITES)

    def test_too_many_failed_items_stop_before_the_import(self, make_run, dynamodb, s3, api_calls):
        migration = make_run()
        stub_preflight(dynamodb, s3)
        stubs.stub_start_export(dynamodb, migration.plan)
        stubs.stub_describe_export(dynamodb, items=3)
        stub_transform(s3, stubs.PutBodies())
        with pytest.raises(MigrationFailed, match="1 items failed the transform") as raised:
            migration.run()
        assert "dynamodb:ImportTable" not in api_calls
        assert raised.value.kwargs["migration"]["failed_examples"][0]["reason"].startswith("derive PK")

    def test_failed_export_is_reported_with_its_reason(self, make_run, dynamodb, s3, checkpoint_path):
        migration = make_run()
        stub_preflight(dynamodb, s3)
        stubs.stub_start_export(dynamodb, migration.plan)
        stubs.stub_describe_export(dynamodb, status="FAILED", FailureCode="S3AccessDenied",
                                   FailureMessage="Access Denied")
        with pytest.raises(MigrationFailed, match="ended FAILED: S3AccessDenied Access Denied"):
            migration.run()
        assert read_checkpoint(checkpoint_path)["export"]["arn"] == stubs.EXPORT_ARN

    def test_failed_import_points_at_its_logs(self, make_run, dynamodb, s3):
        migration = make_run(max_failed_items=1)
        stub_preflight(dynamodb, s3)
        stubs.stub_start_export(dynamodb, migration.plan)
        stubs.stub_describe_export(dynamodb, items=3)
        stub_transform(s3, stubs.PutBodies())
        stubs.stub_start_import(dynamodb, migration.plan)
        stubs.stub_describe_import(dynamodb, status="FAILED", imported=1, processed=2, errors=1,
                                   FailureCode="ItemValidationError", FailureMessage="Some items failed",
                                   CloudWatchLogGroupArn=LOG_GROUP_ARN)
        with pytest.raises(MigrationFailed, match="ItemValidationError Some items failed .*aws-dynamodb/imports"):
            migration.run()

    def test_import_counts_short_of_the_transform_fail_the_verification(self, make_run, dynamodb, s3):
        migration = make_run(max_failed_items=1)
        stub_preflight(dynamodb, s3)
        stubs.stub_start_export(dynamodb, migration.plan)
        stubs.stub_describe_export(dynamodb, items=3)
        stub_transform(s3, stubs.PutBodies())
        stubs.stub_start_import(dynamodb, migration.plan)
        stubs.stub_describe_import(dynamodb, imported=1, processed=2)
        with pytest.raises(MigrationFailed, match="the import loaded 1 of 2 items"):
            migration.run()

    def test_export_running_past_the_timeout_stays_in_the_checkpoint(self, make_run, dynamodb, s3, checkpoint_path):
        migration = make_run(poll_interval=300, wait_timeout=500)
        stub_preflight(dynamodb, s3)
        stubs.stub_start_export(dynamodb, migration.plan)
        for dummy in range(3):
            stubs.stub_describe_export(dynamodb, status="IN_PROGRESS")
        with pytest.raises(Exception, match="still IN_PROGRESS after 500 seconds"):
            migration.run()
        assert read_checkpoint(checkpoint_path)["export"]["arn"] == stubs.EXPORT_ARN


class TestResume:
    def interrupted_after_the_export(self, make_run, dynamodb, s3, checkpoint_path, files_done=()):
        """A checkpoint as a run leaves it when killed after the export completed (and files_done transformed)."""
        migration = make_run()
        stub_preflight(dynamodb, s3)
        stubs.stub_start_export(dynamodb, migration.plan)
        stubs.stub_describe_export(dynamodb, items=4)
        stubs.stub_manifests(s3, [stubs.data_key(0), stubs.data_key(1)])
        stubs.stub_get(s3, stubs.data_key(0))  # missing: the run stops in the transform
        with pytest.raises(Exception, match="data file .*file0.json.gz is missing"):
            migration.run()
        saved = read_checkpoint(checkpoint_path)
        for index in files_done:
            saved["transform"]["files"][str(index)] = dict(items_read=2, items_written=2, items_filtered=0,
                                                           items_failed=0, parts=[stubs.part_key(index)])
        with open(checkpoint_path, "w") as handle:
            json.dump(saved, handle)

    def test_rerun_reuses_the_export_and_skips_the_files_already_written(self, make_run, dynamodb, s3, api_calls,
                                                                         checkpoint_path):
        self.interrupted_after_the_export(make_run, dynamodb, s3, checkpoint_path, files_done=[0])
        del api_calls[:]
        migration = make_run()
        stubs.stub_source(dynamodb)  # no PITR check: the export exists; no prefix check: it is ours
        stubs.stub_target_absent(dynamodb)
        puts = stubs.PutBodies()
        stub_transform(s3, puts, files=([], [stubs.session(2), stubs.session(3)]), done=[0])
        stubs.stub_start_import(dynamodb, migration.plan)
        stubs.stub_describe_import(dynamodb, imported=4)
        result = migration.run()
        assert "dynamodb:ExportTableToPointInTime" not in api_calls
        assert list(puts.items) == [stubs.part_key(1)]
        assert result["migration"]["resumed"] is True and result["migration"]["transform"]["items_written"] == 4

    def test_running_import_is_waited_for_not_started_again(self, make_run, dynamodb, s3, checkpoint_path,
                                                            api_calls):
        self.interrupted_after_the_export(make_run, dynamodb, s3, checkpoint_path, files_done=[0, 1])
        saved = read_checkpoint(checkpoint_path)
        saved["transform"]["status"] = "done"
        saved["import_job"] = dict(arn=stubs.IMPORT_ARN, status="IN_PROGRESS")
        with open(checkpoint_path, "w") as handle:
            json.dump(saved, handle)
        del api_calls[:]
        stubs.stub_source(dynamodb)  # the target exists now, made by the import: not checked
        stubs.stub_describe_import(dynamodb, imported=4)
        assert make_run().run()["migration"]["status"] == "complete"
        assert not set(api_calls) & set(WRITES)

    def test_rerun_after_completion_changes_nothing(self, make_run, dynamodb, s3, checkpoint_path, api_calls):
        self.test_running_import_is_waited_for_not_started_again(make_run, dynamodb, s3, checkpoint_path,
                                                                 api_calls)
        before = read_checkpoint(checkpoint_path)
        del api_calls[:]
        stubs.stub_source(dynamodb)
        result = make_run().run()
        assert result["changed"] is False and result["migration"]["status"] == "complete"
        assert result["migration"]["resumed"] is False
        assert api_calls == ["dynamodb:DescribeTable"]
        assert read_checkpoint(checkpoint_path) == before

    def test_checkpoint_of_another_migration_is_refused(self, make_run, dynamodb, s3, checkpoint_path):
        self.interrupted_after_the_export(make_run, dynamodb, s3, checkpoint_path)
        with pytest.raises(InputError, match="belongs to a different migration"):
            make_run(transform=dict(derive=dict(PK="USER#{sessionId}", SK="META"))).run()


class TestCheckMode:
    def test_check_mode_estimates_and_writes_nothing(self, make_run, dynamodb, s3, api_calls, checkpoint_path):
        stub_preflight(dynamodb, s3)
        result = make_run(check_mode=True).run()
        report = result["migration"]
        assert result["changed"] is False and report["status"] == "check_mode"
        assert report["estimate"]["gigabytes"] == 3.0
        assert (report["estimate"]["export_usd"], report["estimate"]["import_usd"]) == (0.3, 0.45)
        # Half an hour assumed for the jobs, and the 3 items at the module's measured rate (well under 0.01 h).
        assert (report["estimate"]["hours"], report["estimate"]["transform_hours"]) == (0.5, 0.0)
        assert not set(api_calls) & set(WRITES)
        assert not os.path.exists(checkpoint_path)

    def test_estimate_of_an_empty_table_is_zero(self):
        assert estimate({})["export_usd"] == 0

    def test_estimate_time_is_the_jobs_plus_the_transform_in_the_module(self):
        table = dict(TableSizeBytes=50 * 1024 ** 3, ItemCount=72000000)
        assert estimate(table)["transform_hours"] == 10.0 and estimate(table)["hours"] == 10.5
        assert estimate(table)["assumptions"]["export_and_import_minutes"] == 30

    def test_a_spark_transform_has_no_time_estimate(self):
        spark = estimate(dict(TableSizeBytes=1, ItemCount=10), engine="glue")
        assert spark["hours"] is None and spark["transform_hours"] is None and spark["export_usd"] == 0


class TestImportRequestedBeforeTheAnswer:
    def test_a_run_killed_while_asking_for_the_import_asks_again_with_the_same_token(self, make_run, dynamodb, s3,
                                                                                     checkpoint_path, api_calls):
        TestResume().interrupted_after_the_export(make_run, dynamodb, s3, checkpoint_path, files_done=[0, 1])
        saved = read_checkpoint(checkpoint_path)
        saved["transform"]["status"] = "done"
        saved["import_job"] = dict(requested=True)  # what the file holds when the answer never came
        with open(checkpoint_path, "w") as handle:
            json.dump(saved, handle)
        migration = make_run()
        stubs.stub_source(dynamodb)  # the target may exist (the import made it): not refused
        stubs.stub_start_import(dynamodb, migration.plan)
        stubs.stub_describe_import(dynamodb, imported=4)
        assert migration.run()["migration"]["status"] == "complete"


class TestImportByStack:
    """import_by stack: the run stops after the transform with the import_source for the stack's table; the run
    after the deploy finds the stack's import of the transformed files and verifies it."""

    def transformed(self, make_run, dynamodb, s3):
        migration = make_run(import_by="stack", max_failed_items=1)
        stub_preflight(dynamodb, s3)
        stubs.stub_start_export(dynamodb, migration.plan)
        stubs.stub_describe_export(dynamodb, items=3)
        stub_transform(s3, stubs.PutBodies())
        stubs.stub_target_absent(dynamodb)  # after the transform: the stack has not made it yet
        return migration.run()

    def test_stops_after_the_transform_with_the_import_source_and_imports_nothing(
            self, make_run, dynamodb, s3, api_calls, checkpoint_path):
        result = self.transformed(make_run, dynamodb, s3)
        report = result["migration"]
        assert result["changed"] is True and report["status"] == "awaiting_import"
        assert report["import_source"] == dict(s3_bucket=stubs.BUCKET, s3_key_prefix=stubs.PREFIX + "/transformed/",
                                               input_format="DYNAMODB_JSON", input_compression_type="GZIP")
        assert "dynamodb:ImportTable" not in api_calls
        assert read_checkpoint(checkpoint_path)["transform"]["status"] == "done"

    def test_rerun_before_the_deploy_changes_nothing(self, make_run, dynamodb, s3, api_calls, checkpoint_path):
        self.transformed(make_run, dynamodb, s3)
        before = read_checkpoint(checkpoint_path)
        del api_calls[:]
        stubs.stub_source(dynamodb)
        stubs.stub_target_absent(dynamodb)  # still awaiting the stack (preflight does not refuse it: transformed)
        result = make_run(import_by="stack", max_failed_items=1).run()
        assert result["changed"] is False and result["migration"]["status"] == "awaiting_import"
        assert not set(api_calls) & set(WRITES)
        assert read_checkpoint(checkpoint_path) == before

    def test_after_the_deploy_the_stacks_import_is_found_waited_for_and_verified(
            self, make_run, dynamodb, s3, api_calls, checkpoint_path):
        self.transformed(make_run, dynamodb, s3)
        del api_calls[:]
        stubs.stub_source(dynamodb)
        stubs.stub_target_exists(dynamodb)  # made by the stack: preflight does not refuse it once transformed
        stubs.stub_imports_into_target(dynamodb, prefixes=("elsewhere/", stubs.PREFIX + "/transformed/"))
        stubs.stub_describe_import(dynamodb, imported=2)
        result = make_run(import_by="stack", max_failed_items=1).run()
        report = result["migration"]
        assert report["status"] == "complete" and report["verification"]["counts_match"] is True
        assert report["import_job"]["arn"] == stubs.IMPORT_ARN and report["import_job"]["by"] == "stack"
        assert not set(api_calls) & set(WRITES)
        assert read_checkpoint(checkpoint_path)["status"] == "complete"

    def test_a_table_made_without_the_import_fails_the_verification(self, make_run, dynamodb, s3, checkpoint_path):
        self.transformed(make_run, dynamodb, s3)
        stubs.stub_source(dynamodb)
        stubs.stub_target_exists(dynamodb)
        stubs.stub_imports_into_target(dynamodb, prefixes=())
        with pytest.raises(MigrationFailed, match="exists, but no import of s3://ai-chef-migrations/sessions-v2/"
                                                  "transformed/ created it"):
            make_run(import_by="stack", max_failed_items=1).run()
        assert read_checkpoint(checkpoint_path)["status"] == "in_progress"

    def test_an_existing_target_before_the_transform_is_refused_before_any_write(
            self, make_run, dynamodb, s3, api_calls):
        stubs.stub_source(dynamodb)
        stubs.stub_pitr(dynamodb)
        stubs.stub_target_exists(dynamodb)
        with pytest.raises(InputError, match="Target table ai-chef-sessions-v2 already exists"):
            make_run(import_by="stack").run()
        assert not set(api_calls) & set(WRITES)

    def test_import_by_is_part_of_the_migration_only_when_stack(self, make_run):
        assert stubs.fingerprint(make_run().plan) != stubs.fingerprint(make_run(import_by="stack").plan)
        assert stubs.fingerprint(make_run(import_by="module").plan) == stubs.fingerprint(make_run().plan)
