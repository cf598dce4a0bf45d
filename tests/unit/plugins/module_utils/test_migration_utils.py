"""module_utils/_migrate: the pure transform, the schema checks, the checkpoint, and the batch writes.

Pure functions are tested without stubs; write_batch runs on a Stubber-backed client with sleep patched.
"""
import json
import os

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import checkpoint as checkpoint_file
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import preflight
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import transform as item_transform
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import writes
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import ItemRejected
from ansible_collections.aichef.dynamodb.tests.unit.utils import migration_stubs as stubs


def transform(**spec):
    return preflight.compile_transform(spec)


KEY_CHANGE = dict(derive=dict(PK="SESSION#{sessionId}", SK="META"))
PK_SK = [("PK", "S"), ("SK", "S")]


class TestParseKeyFormat:
    def test_parse_key_format_placeholder_and_literals(self):
        assert preflight.parse_key_format("SESSION#{sessionId}#{n}") == (
            ("literal", "SESSION#"), ("attribute", "sessionId"), ("literal", "#"), ("attribute", "n"))

    def test_parse_key_format_constant_is_one_literal(self):
        assert preflight.parse_key_format("META") == (("literal", "META"),)

    def test_parse_key_format_doubled_braces_are_literal(self):
        assert preflight.parse_key_format("{{x}}#{id}") == (("literal", "{x}#"), ("attribute", "id"))

    @pytest.mark.parametrize("text", ["SESSION#{sessionId", "{}", "a}b", "{a{b}", 3])
    def test_parse_key_format_malformed_raises_input_error(self, text):
        with pytest.raises(InputError):
            preflight.parse_key_format(text)


class TestToAttributeValue:
    @pytest.mark.parametrize("value, expected", [
        ("a", {"S": "a"}), (2, {"N": "2"}), (2.5, {"N": "2.5"}), (True, {"BOOL": True}), (None, {"NULL": True}),
        ([1, "x"], {"L": [{"N": "1"}, {"S": "x"}]}), ({"a": False}, {"M": {"a": {"BOOL": False}}}),
    ], ids=["str", "int", "float", "bool-not-number", "null", "list", "dict"])
    def test_to_attribute_value_plain_values_typed(self, value, expected):
        assert preflight.to_attribute_value(value) == expected

    @pytest.mark.parametrize("value", [float("nan"), float("inf"), object()])
    def test_to_attribute_value_unstorable_raises_input_error(self, value):
        with pytest.raises(InputError):
            preflight.to_attribute_value(value)


class TestCompileTransform:
    def test_compile_transform_derived_and_dropped_raises(self):
        with pytest.raises(InputError, match="both derived and dropped"):
            transform(derive=dict(PK="{id}"), drop=["PK"])

    def test_compile_transform_two_renames_to_one_name_raises(self):
        with pytest.raises(InputError, match="several attributes renamed to x"):
            transform(rename=dict(a="x", b="x"))

    def test_compile_transform_rename_target_also_derived_raises(self):
        with pytest.raises(InputError, match="both a rename target and derived"):
            transform(rename=dict(a="PK"), derive=dict(PK="{id}"))

    def test_compile_transform_filter_rule_equals_or_exists(self):
        compiled = transform(filter=[dict(attribute="a", equals=2, exists=None),
                                     dict(attribute="b", equals=None, exists=False)])
        assert compiled.filters == (item_transform.FilterRule("a", {"N": "2"}, None),
                                    item_transform.FilterRule("b", None, False))

    def test_compile_transform_none_is_identity(self):
        item = stubs.session_item(1)
        assert item_transform.transform_item(item, preflight.compile_transform(None)) == item


class TestTransformItem:
    def test_transform_item_key_change_adds_pk_sk_and_keeps_everything(self):
        item = stubs.session_item(7, tags={"SS": ["b", "a"]}, blob={"B": b"\x00\xff"},
                                  nested={"M": {"n": {"N": "1.50"}}})
        result = item_transform.transform_item(item, transform(**KEY_CHANGE))
        assert result == dict(item, PK={"S": "SESSION#s0007"}, SK={"S": "META"})
        assert result["nested"] is item["nested"]  # AttributeValues passed through untouched, never converted

    def test_transform_item_derive_reads_source_names_before_rename(self):
        result = item_transform.transform_item(stubs.session_item(1), transform(
            rename=dict(sessionId="id"), derive=dict(PK="S#{sessionId}")))
        assert result["PK"] == {"S": "S#s0001"} and result["id"] == {"S": "s0001"} and "sessionId" not in result

    def test_transform_item_number_placeholder_keeps_its_digits(self):
        result = item_transform.transform_item({"n": {"N": "007.50"}}, transform(derive=dict(PK="N#{n}")))
        assert result["PK"] == {"S": "N#007.50"}

    def test_transform_item_drop_uses_names_after_rename(self):
        result = item_transform.transform_item({"a": {"S": "1"}, "b": {"S": "2"}},
                                               transform(rename=dict(a="c"), drop=["c", "b"]))
        assert result == {}

    def test_transform_item_defaults_only_where_absent(self):
        compiled = transform(defaults=dict(schemaVersion=2, userId="nobody"))
        result = item_transform.transform_item(stubs.session_item(1), compiled)
        assert result["schemaVersion"] == {"N": "2"} and result["userId"] == {"S": "u1"}

    def test_transform_item_missing_placeholder_attribute_rejected(self):
        with pytest.raises(ItemRejected, match="derive PK: attribute sessionId is missing"):
            item_transform.transform_item({"other": {"S": "x"}}, transform(**KEY_CHANGE))

    def test_transform_item_map_placeholder_rejected(self):
        with pytest.raises(ItemRejected, match="of type M; only S and N"):
            item_transform.transform_item({"m": {"M": {}}}, transform(derive=dict(PK="{m}")))

    def test_transform_item_filter_equals_false_returns_none(self):
        compiled = transform(filter=[dict(attribute="userId", equals="u1", exists=None)])
        assert item_transform.transform_item(stubs.session_item(2), compiled) is None
        assert item_transform.transform_item(stubs.session_item(1), compiled) is not None

    def test_transform_item_filter_equals_is_type_exact(self):
        compiled = transform(filter=[dict(attribute="v", equals=2, exists=None)])
        assert item_transform.transform_item({"v": {"S": "2"}}, compiled) is None
        assert item_transform.transform_item({"v": {"N": "2.0"}}, compiled) is not None  # the same number

    def test_transform_item_filter_exists_false_keeps_items_without_it(self):
        compiled = transform(filter=[dict(attribute="deletedAt", equals=None, exists=False)])
        assert item_transform.transform_item({"deletedAt": {"N": "1"}}, compiled) is None
        assert item_transform.transform_item({"x": {"N": "1"}}, compiled) == {"x": {"N": "1"}}


class TestCheckTargetItem:
    def test_check_target_item_complete_key_passes(self):
        item_transform.check_target_item(stubs.migrated_item(1), PK_SK)

    @pytest.mark.parametrize("item, reason", [
        ({"PK": {"S": "a"}}, "no value for target key attribute SK"),
        ({"PK": {"N": "1"}, "SK": {"S": "a"}}, "PK is of type N; the target table wants S"),
        ({"PK": {"S": ""}, "SK": {"S": "a"}}, "PK is empty"),
    ], ids=["missing", "wrong-type", "empty"])
    def test_check_target_item_unfit_rejected(self, item, reason):
        with pytest.raises(ItemRejected, match=reason):
            item_transform.check_target_item(item, PK_SK)


SOURCE_TABLE = stubs.table_description(stubs.SOURCE, stubs.SESSIONS_KEY)
TARGET_TABLE = stubs.table_description(stubs.TARGET, stubs.PK_SK_KEY)


class TestCheckTransformAgainstSchemas:
    def test_check_transform_against_schemas_key_change_returns_target_key(self):
        assert preflight.check_transform_against_schemas(transform(**KEY_CHANGE), SOURCE_TABLE, TARGET_TABLE) == PK_SK

    def test_check_transform_against_schemas_no_transform_same_key_passes(self):
        same = stubs.table_description("copy", stubs.SESSIONS_KEY)
        preflight.check_transform_against_schemas(transform(), SOURCE_TABLE, same)

    def test_check_transform_against_schemas_derived_into_number_key_mismatch(self):
        numeric = stubs.table_description("t", dict(key=[("PK", "HASH")], types={"PK": "N"}))
        with pytest.raises(InputError, match="Target key schema mismatch: t has the key PK \\(N\\)"):
            preflight.check_transform_against_schemas(transform(derive=dict(PK="{sessionId}")), SOURCE_TABLE, numeric)

    def test_check_transform_against_schemas_source_key_type_mismatch(self):
        numeric = stubs.table_description("t", dict(key=[("sessionId", "HASH")], types={"sessionId": "N"}))
        with pytest.raises(InputError, match="the source's sessionId is of type S"):
            preflight.check_transform_against_schemas(transform(), SOURCE_TABLE, numeric)

    def test_check_transform_against_schemas_dropped_key_produces_no_key(self):
        same = stubs.table_description("copy", stubs.SESSIONS_KEY)
        with pytest.raises(InputError, match="produces no target key.*drop removes sessionId"):
            preflight.check_transform_against_schemas(transform(drop=["sessionId"]), SOURCE_TABLE, same)

    def test_check_transform_against_schemas_renamed_away_key_produces_no_key(self):
        same = stubs.table_description("copy", stubs.SESSIONS_KEY)
        with pytest.raises(InputError, match="rename moves sessionId to id"):
            preflight.check_transform_against_schemas(transform(rename=dict(sessionId="id")), SOURCE_TABLE, same)

    def test_check_transform_against_schemas_default_of_wrong_type_mismatch(self):
        keyed = stubs.table_description("t", dict(key=[("tenant", "HASH")], types={"tenant": "S"}))
        with pytest.raises(InputError, match="defaults gives tenant a N"):
            preflight.check_transform_against_schemas(transform(defaults=dict(tenant=1)), SOURCE_TABLE, keyed)


class TestProbeTransform:
    def test_probe_transform_every_kept_item_fails_raises_before_writes(self):
        items = [{"sessionId": {"S": "a"}}, {"sessionId": {"S": "b"}}]
        with pytest.raises(InputError, match="no valid target item .* first 2 source items.*sessionId"):
            preflight.probe_transform(items, transform(derive=dict(PK="{sesionId}", SK="META")), PK_SK, ["sessionId"])

    def test_probe_transform_one_good_item_passes(self):
        items = [{"sessionId": {"S": "a"}}, stubs.session_item(1)]
        preflight.probe_transform(items, transform(derive=dict(PK="{userId}", SK="META")), PK_SK, ["sessionId"])

    def test_probe_transform_all_filtered_or_empty_passes(self):
        compiled = transform(filter=[dict(attribute="nope", equals=None, exists=True)], **KEY_CHANGE)
        preflight.probe_transform([stubs.session_item(1)], compiled, PK_SK, ["sessionId"])
        preflight.probe_transform([], compiled, PK_SK, ["sessionId"])


class TestCheckpoint:
    def test_encode_key_binary_round_trips_through_json(self):
        key = {"id": {"B": b"\x00\x01"}, "n": {"N": "5"}, "s": {"S": "x"}}
        assert checkpoint_file.decode_key(json.loads(json.dumps(checkpoint_file.encode_key(key)))) == key

    def test_save_checkpoint_then_load_same_and_no_temporary_left(self, tmp_path):
        path = str(tmp_path / "nested" / "run.json")
        checkpoint = checkpoint_file.new_checkpoint("f", stubs.identity(), 3)
        checkpoint_file.save_checkpoint(path, checkpoint)
        assert checkpoint_file.load_checkpoint(path) == checkpoint
        assert os.listdir(str(tmp_path / "nested")) == ["run.json"]

    def test_load_checkpoint_missing_file_is_none(self, tmp_path):
        assert checkpoint_file.load_checkpoint(str(tmp_path / "none.json")) is None

    @pytest.mark.parametrize("content", ["{half", '{"version": 99}', "[]"])
    def test_load_checkpoint_unusable_raises_input_error(self, tmp_path, content):
        path = tmp_path / "bad.json"
        path.write_text(content)
        with pytest.raises(InputError, match="move it away"):
            checkpoint_file.load_checkpoint(str(path))

    def test_plan_start_no_checkpoint_fresh(self):
        assert checkpoint_file.plan_start(None, "f", overwrite=False) == "fresh"

    def test_plan_start_in_progress_resumes(self):
        assert checkpoint_file.plan_start(checkpoint_file.new_checkpoint("f", {}, 2), "f", overwrite=False) == "resume"

    def test_plan_start_complete_is_complete_unless_overwrite(self):
        checkpoint = dict(checkpoint_file.new_checkpoint("f", {}, 2), status="complete")
        assert checkpoint_file.plan_start(checkpoint, "f", overwrite=False) == "complete"
        assert checkpoint_file.plan_start(checkpoint, "f", overwrite=True) == "fresh"

    def test_plan_start_other_migration_raises_unless_overwrite(self):
        checkpoint = checkpoint_file.new_checkpoint("other", {}, 2)
        with pytest.raises(InputError, match="belongs to a different migration"):
            checkpoint_file.plan_start(checkpoint, "f", overwrite=False)
        assert checkpoint_file.plan_start(checkpoint, "f", overwrite=True) == "fresh"

    def test_migration_fingerprint_unset_parts_do_not_count(self):
        as_ansible_passes_it = dict(KEY_CHANGE, rename=None, drop=[], defaults={}, filter=None)
        assert checkpoint_file.migration_fingerprint(stubs.identity(), as_ansible_passes_it, 4) == \
            checkpoint_file.migration_fingerprint(stubs.identity(), KEY_CHANGE, 4)

    def test_migration_fingerprint_changes_with_transform_and_segments(self):
        base = checkpoint_file.migration_fingerprint(stubs.identity(), KEY_CHANGE, 4)
        assert base == checkpoint_file.migration_fingerprint(stubs.identity(), dict(KEY_CHANGE), 4)
        assert base != checkpoint_file.migration_fingerprint(stubs.identity(), dict(derive=dict(PK="{x}")), 4)
        assert base != checkpoint_file.migration_fingerprint(stubs.identity(), KEY_CHANGE, 8)


@pytest.fixture
def target():
    # pytest resumes the fixture at teardown, so the context exits.
    with stubs.stubbed_dynamodb() as pair:  # pylint: disable=contextmanager-generator-missing-cleanup
        yield pair


class RecordingRandom:
    """rng stand-in: uniform() returns the upper bound, and the bounds asked for are kept."""

    def __init__(self):
        self.bounds = []

    def uniform(self, low, high):
        self.bounds.append((low, high))
        return high


class TestWriteBatch:
    def test_write_batch_unprocessed_items_resent_after_backoff(self, target, monkeypatch):
        """First call: 1 of 3 items comes back unprocessed; second call carries only it and comes back empty."""
        client, stubber = target
        items = [stubs.migrated_item(n) for n in range(3)]
        stubs.stub_batch_write(stubber, stubs.TARGET, items, unprocessed=[items[1]])
        stubs.stub_batch_write(stubber, stubs.TARGET, [items[1]])
        slept = []
        monkeypatch.setattr(writes.time, "sleep", slept.append)
        rng = RecordingRandom()
        writes.write_batch(client, stubs.TARGET, stubs.put_requests(items), retries=5, max_delay=30,
                           sleep=writes.time.sleep, rng=rng)
        assert rng.bounds == [(0, 0.05)]  # full jitter over the first backoff step
        assert slept == [0.05]

    def test_write_batch_backoff_doubles_and_is_capped(self, target):
        client, stubber = target
        item = stubs.migrated_item(1)
        for dummy in range(3):
            stubs.stub_batch_write(stubber, stubs.TARGET, [item], unprocessed=[item])
        stubs.stub_batch_write(stubber, stubs.TARGET, [item])
        slept, rng = [], RecordingRandom()
        writes.write_batch(client, stubs.TARGET, stubs.put_requests([item]), retries=3, max_delay=0.15,
                           sleep=slept.append, rng=rng)
        assert slept == [0.05, 0.1, 0.15]

    def test_write_batch_still_unprocessed_after_retries_raises(self, target):
        client, stubber = target
        item = stubs.migrated_item(1)
        for dummy in range(3):  # retries=2: the first attempt and two re-sends, then it gives up
            stubs.stub_batch_write(stubber, stubs.TARGET, [item], unprocessed=[item])
        slept = []
        with pytest.raises(writes.UnprocessedItemsLeft, match="1 of 1 items were still unprocessed .* 3 attempts"):
            writes.write_batch(client, stubs.TARGET, stubs.put_requests([item]), retries=2, max_delay=30,
                               sleep=slept.append, rng=RecordingRandom())
        assert len(slept) == 2

    def test_write_batch_throttled_call_retried_by_aws_retry(self, target, monkeypatch):
        client, stubber = target
        item = stubs.migrated_item(1)
        stubs.stub_batch_write(stubber, stubs.TARGET, [item], error_code="ProvisionedThroughputExceededException")
        stubs.stub_batch_write(stubber, stubs.TARGET, [item])
        monkeypatch.setattr("time.sleep", lambda seconds: None)  # AWSRetry's own backoff
        writes.write_batch(client, stubs.TARGET, stubs.put_requests([item]), retries=2, max_delay=30,
                           sleep=lambda seconds: None)


def rejected_collector():
    rejected = []
    return rejected, lambda source_key, reason: rejected.append((source_key, reason))


class TestBatchWriter:
    def test_batch_writer_batches_of_25(self):
        calls = []
        rejected, reject = rejected_collector()
        writer = writes.BatchWriter(lambda requests: calls.append(len(requests)), ["PK", "SK"], reject)
        for number in range(60):
            writer.put(stubs.migrated_item(number))
        writer.flush()
        assert calls == [25, 25, 10] and writer.written == 60 and rejected == []

    def test_batch_writer_same_key_twice_goes_in_separate_calls_in_order(self):
        calls = []
        writer = writes.BatchWriter(calls.append, ["PK", "SK"], rejected_collector()[1])
        first, second = stubs.migrated_item(1, v={"N": "1"}), stubs.migrated_item(1, v={"N": "2"})
        writer.put(first)
        writer.put(second)
        writer.flush()
        assert calls == [stubs.put_requests([first]), stubs.put_requests([second])]  # the later item wins

    def test_batch_writer_refused_batch_written_one_by_one_only_bad_item_rejected(self, target):
        """DynamoDB refuses the whole batch for one item over 400 KB; the others still get written."""
        client, stubber = target
        good, big = stubs.migrated_item(1), stubs.migrated_item(2, blob={"S": "x" * 500000})
        stubs.stub_batch_write(stubber, stubs.TARGET, [good, big], error_code="ValidationException")
        stubs.stub_batch_write(stubber, stubs.TARGET, [good])
        stubs.stub_batch_write(stubber, stubs.TARGET, [big], error_code="ValidationException")
        rejected, reject = rejected_collector()
        writer = writes.BatchWriter(lambda requests: writes.write_batch(client, stubs.TARGET, requests, 0, 1),
                                    ["PK", "SK"], reject)
        writer.put(good, {"sessionId": {"S": "s0001"}})
        writer.put(big, {"sessionId": {"S": "s0002"}})
        writer.flush()
        assert writer.written == 1
        assert rejected == [({"sessionId": {"S": "s0002"}}, "refused by DynamoDB: ValidationException")]

    def test_batch_writer_every_item_refused_raises_the_batch_error(self, target):
        client, stubber = target
        items = [stubs.migrated_item(1), stubs.migrated_item(2)]
        stubs.stub_batch_write(stubber, stubs.TARGET, items, error_code="ValidationException")
        for item in items:
            stubs.stub_batch_write(stubber, stubs.TARGET, [item], error_code="ValidationException")
        writer = writes.BatchWriter(lambda requests: writes.write_batch(client, stubs.TARGET, requests, 0, 1),
                                    ["PK", "SK"], rejected_collector()[1])
        for item in items:
            writer.put(item)
        with pytest.raises(DynamoDBError, match="Failed to write a batch of 2 items"):
            writer.flush()

    def test_batch_writer_other_errors_raise_at_once(self, target):
        client, stubber = target
        stubs.stub_batch_write(stubber, stubs.TARGET, [stubs.migrated_item(1)], error_code="AccessDeniedException")
        writer = writes.BatchWriter(lambda requests: writes.write_batch(client, stubs.TARGET, requests, 0, 1),
                                    ["PK", "SK"], rejected_collector()[1])
        writer.put(stubs.migrated_item(1))
        with pytest.raises(DynamoDBError, match="Failed to write a batch of 1 items"):
            writer.flush()
