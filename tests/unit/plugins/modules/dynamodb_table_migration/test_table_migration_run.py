"""TableMigration.run on stubbed clients: the copy, checkpoints and resume, idempotence, check mode, verification.

Every call is queued in order on the source or target Stubber; a call that is not queued fails the test, and
a queued one left unused fails it at teardown. threads=1 keeps the call order deterministic.
"""
import json

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import checkpoint as checkpoint_file
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import migration
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import build_plan
from ansible_collections.aichef.dynamodb.tests.unit.utils import migration_stubs as stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import SOURCE
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import TARGET
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import migrated_item
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import session_item
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import session_key as key
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import stub_preflight as preflight


def read_checkpoint(tmp_path):
    with open(str(tmp_path / "checkpoint.json")) as handle:
        return json.load(handle)


def test_run_two_pages_writes_all_checkpoints_and_verifies(make_migration, source_stub, target_stub, tmp_path):
    source, target = source_stub[1], target_stub[1]
    page_one, page_two = [session_item(n) for n in range(3)], [session_item(n) for n in range(3, 5)]
    preflight(source, target, page_one)
    stubs.stub_scan(source, SOURCE, page_one, last_evaluated_key=key(2), segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(3)])
    stubs.stub_scan(source, SOURCE, page_two, segment=0, total_segments=1, start_key=key(2))
    stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(3, 5)])
    stubs.stub_count(target, TARGET, 5, segment=0, total_segments=1)

    result = make_migration().run()

    assert result["changed"] is True
    counts = result["migration"]
    assert (counts["items_scanned"], counts["items_written"], counts["items_filtered"], counts["items_failed"]) == (
        5, 5, 0, 0)
    assert counts["status"] == "complete" and counts["resumed"] is False
    assert counts["segments"] == [dict(segment=0, complete=True, items_scanned=5, items_written=5, items_filtered=0,
                                       items_failed=0)]
    assert counts["verification"] == dict(target_item_count=5, expected_item_count=5, count_matches=True)
    checkpoint = read_checkpoint(tmp_path)
    assert checkpoint["status"] == "complete" and checkpoint["segments"][0]["complete"] is True
    assert "Item" not in json.dumps(result)  # counts and keys, never payloads


def test_run_more_than_25_items_in_batches_of_25(make_migration, source_stub, target_stub):
    source, target = source_stub[1], target_stub[1]
    items = [session_item(n) for n in range(30)]
    preflight(source, target, items[:25])
    stubs.stub_scan(source, SOURCE, items, segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(25)])
    stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(25, 30)])
    stubs.stub_count(target, TARGET, 30, segment=0, total_segments=1)
    assert make_migration().run()["migration"]["items_written"] == 30


def test_run_unprocessed_items_resent_within_the_page(make_migration, source_stub, target_stub):
    source, target = source_stub[1], target_stub[1]
    items = [session_item(n) for n in range(2)]
    preflight(source, target, items)
    stubs.stub_scan(source, SOURCE, items, segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(0), migrated_item(1)], unprocessed=[migrated_item(1)])
    stubs.stub_batch_write(target, TARGET, [migrated_item(1)])
    stubs.stub_count(target, TARGET, 2, segment=0, total_segments=1)
    run = make_migration()
    assert run.run()["migration"]["items_written"] == 2
    assert run.sleep.__self__.sleeps == [0.05]


def test_run_stopped_then_resumed_from_checkpoint_writes_each_page_once(source_stub, target_stub, make_migration,
                                                                        tmp_path):
    """The injected stop acts like a kill between pages: the checkpoint holds page one's LastEvaluatedKey."""
    source, target = source_stub[1], target_stub[1]
    page_one, page_two = [session_item(n) for n in range(2)], [session_item(n) for n in range(2, 4)]
    preflight(source, target, page_one)
    stubs.stub_scan(source, SOURCE, page_one, last_evaluated_key=key(1), segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(0), migrated_item(1)])
    asked = []

    stopped = make_migration(should_stop=lambda: len(asked) > 0 or asked.append(1)).run()

    assert stopped["migration"]["status"] == "in_progress" and stopped["migration"]["verification"] == {}
    checkpoint = read_checkpoint(tmp_path)
    assert checkpoint["status"] == "in_progress"
    assert checkpoint["segments"][0]["last_evaluated_key"] == key(1)
    assert checkpoint["segments"][0]["items_written"] == 2

    preflight(source, target, page_one)
    stubs.stub_scan(source, SOURCE, page_two, segment=0, total_segments=1, start_key=key(1))
    stubs.stub_batch_write(target, TARGET, [migrated_item(2), migrated_item(3)])
    stubs.stub_count(target, TARGET, 4, segment=0, total_segments=1)

    resumed = make_migration().run()

    assert resumed["migration"]["resumed"] is True
    assert resumed["migration"]["run"]["items_scanned"] == 2  # only what was left
    assert resumed["migration"]["items_written"] == 4  # over both runs
    assert resumed["migration"]["verification"]["count_matches"] is True


def test_run_resume_continues_only_unfinished_segments(source_stub, target_stub, make_migration, tmp_path):
    source, target = source_stub[1], target_stub[1]
    params = stubs.migration_params(total_segments=2)
    checkpoint = checkpoint_file.new_checkpoint(
        checkpoint_file.migration_fingerprint(stubs.identity(), params["transform"], 2), stubs.identity(), 2)
    checkpoint["segments"][0].update(complete=True, items_scanned=7, items_written=7)
    checkpoint["segments"][1].update(last_evaluated_key=key(3), items_scanned=3, items_written=3)
    checkpoint_file.save_checkpoint(str(tmp_path / "checkpoint.json"), checkpoint)

    preflight(source, target, [session_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(9)], segment=1, total_segments=2, start_key=key(3))
    stubs.stub_batch_write(target, TARGET, [migrated_item(9)])
    stubs.stub_count(target, TARGET, 6, segment=0, total_segments=2)
    stubs.stub_count(target, TARGET, 5, segment=1, total_segments=2)

    result = make_migration(total_segments=2).run()["migration"]

    assert result["resumed"] is True
    assert [segment["items_written"] for segment in result["segments"]] == [7, 4]
    assert result["items_written"] == 11 and result["verification"]["target_item_count"] == 11


def test_run_complete_checkpoint_counts_match_reports_unchanged_without_copying(source_stub, target_stub,
                                                                                make_migration):
    source, target = source_stub[1], target_stub[1]
    preflight(source, target, [session_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(0)], segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(0)])
    stubs.stub_count(target, TARGET, 1, segment=0, total_segments=1)
    assert make_migration().run()["changed"] is True

    stubs.stub_describe_table(source, SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target, TARGET, stubs.PK_SK_KEY)
    stubs.stub_count(target, TARGET, 1, segment=0, total_segments=1)  # no scan of the source, no write

    again = make_migration().run()

    assert again["changed"] is False
    assert "already complete" in again["msg"]
    assert again["migration"]["items_written"] == 1 and again["migration"]["run"]["items_written"] == 0


def test_run_complete_checkpoint_count_differs_fails(source_stub, target_stub, make_migration):
    source, target = source_stub[1], target_stub[1]
    preflight(source, target, [session_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(0)], segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(0)])
    stubs.stub_count(target, TARGET, 1, segment=0, total_segments=1)
    make_migration().run()

    stubs.stub_describe_table(source, SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target, TARGET, stubs.PK_SK_KEY)
    stubs.stub_count(target, TARGET, 0, segment=0, total_segments=1)
    with pytest.raises(migration.MigrationFailed, match="holds 0 items but 1 were written") as failure:
        make_migration().run()
    assert failure.value.kwargs["migration"]["verification"]["count_matches"] is False


def test_run_complete_checkpoint_overwrite_copies_again(source_stub, target_stub, make_migration, tmp_path):
    source, target = source_stub[1], target_stub[1]
    params = stubs.migration_params()
    done = checkpoint_file.new_checkpoint(
        checkpoint_file.migration_fingerprint(stubs.identity(), params["transform"], 1), stubs.identity(), 1)
    done.update(status="complete")
    done["segments"][0].update(complete=True, items_scanned=1, items_written=1)
    checkpoint_file.save_checkpoint(str(tmp_path / "checkpoint.json"), done)
    preflight(source, target, [session_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(0)], segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(0)])
    stubs.stub_count(target, TARGET, 1, segment=0, total_segments=1)

    result = make_migration(overwrite=True).run()

    assert result["changed"] is True and result["migration"]["items_written"] == 1  # counted afresh, not 2


def test_run_check_mode_counts_and_writes_nothing(source_stub, target_stub, make_migration, tmp_path):
    source, target = source_stub[1], target_stub[1]
    items = [session_item(0), session_item(1, gone={"BOOL": True}), {"sessionId": {"S": "x"}}]
    preflight(source, target, items)
    stubs.stub_scan(source, SOURCE, items, segment=0, total_segments=1)

    result = make_migration(check_mode=True, max_failed_items=5, transform=dict(
        derive=dict(PK="SESSION#{sessionId}", SK="{userId}"),
        filter=[dict(attribute="gone", equals=None, exists=False)])).run()

    assert result["changed"] is True and result["migration"]["status"] == "check_mode"
    assert (result["migration"]["items_written"], result["migration"]["items_filtered"],
            result["migration"]["items_failed"]) == (1, 1, 1)
    assert result["msg"].startswith("Check mode: would migrate")
    assert not (tmp_path / "checkpoint.json").exists()


def test_run_failed_items_reported_by_key_and_fail_the_run(source_stub, target_stub, make_migration, tmp_path):
    source, target = source_stub[1], target_stub[1]
    items = [session_item(0), {"sessionId": {"S": "s0001"}, "secret": {"S": "payload"}}, session_item(2)]
    preflight(source, target, items)
    stubs.stub_scan(source, SOURCE, items, segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [dict(session_item(n), PK={"S": "USER#u%d" % n}, SK={"S": "META"})
                                            for n in (0, 2)])
    stubs.stub_count(target, TARGET, 2, segment=0, total_segments=1)

    with pytest.raises(migration.MigrationFailed, match="1 items failed .* first: {\"sessionId\": \"s0001\"} "
                                                        "derive PK: attribute userId is missing") as failure:
        make_migration(transform=dict(derive=dict(PK="USER#{userId}", SK="META"))).run()

    counts = failure.value.kwargs["migration"]
    assert (counts["items_written"], counts["items_failed"]) == (2, 1)
    assert counts["failed_examples"] == [dict(key={"sessionId": "s0001"},
                                              reason="derive PK: attribute userId is missing")]
    assert "payload" not in json.dumps(counts)
    assert read_checkpoint(tmp_path)["failed_examples"] == counts["failed_examples"]


def test_run_failed_items_within_max_failed_items_succeeds(source_stub, target_stub, make_migration):
    source, target = source_stub[1], target_stub[1]
    items = [session_item(0), {"sessionId": {"S": "s0001"}}]
    preflight(source, target, items)
    stubs.stub_scan(source, SOURCE, items, segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [dict(session_item(0), PK={"S": "USER#u0"}, SK={"S": "META"})])
    stubs.stub_count(target, TARGET, 1, segment=0, total_segments=1)
    result = make_migration(max_failed_items=1, transform=dict(derive=dict(PK="USER#{userId}", SK="META"))).run()
    assert result["migration"]["items_failed"] == 1


def test_run_write_error_keeps_progress_of_written_pages(source_stub, target_stub, make_migration, tmp_path):
    source, target = source_stub[1], target_stub[1]
    preflight(source, target, [session_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(0)], last_evaluated_key=key(0), segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(1)], segment=0, total_segments=1, start_key=key(0))
    stubs.stub_batch_write(target, TARGET, [migrated_item(1)], error_code="AccessDeniedException")

    with pytest.raises(DynamoDBError, match="Failed to write a batch of 1 items"):
        make_migration().run()

    checkpoint = read_checkpoint(tmp_path)
    assert checkpoint["segments"][0]["last_evaluated_key"] == key(0)  # page two is redone on the next run
    assert checkpoint["segments"][0]["items_written"] == 1


def test_run_sample_verification_compares_transformed_source_with_target(source_stub, target_stub, make_migration):
    source, target = source_stub[1], target_stub[1]
    items = [session_item(n) for n in range(3)]
    preflight(source, target, items)
    stubs.stub_scan(source, SOURCE, items, segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(3)])
    stubs.stub_count(target, TARGET, 3, segment=0, total_segments=1)
    stubs.stub_scan(source, SOURCE, [key(0), key(1)], segment=0, total_segments=1, limit=40, projection=["sessionId"])
    stubs.stub_get_item(source, SOURCE, key(0), session_item(0))
    stubs.stub_get_item(target, TARGET, {"PK": {"S": "SESSION#s0000"}, "SK": {"S": "META"}},
                        migrated_item(0), consistent_read=True)
    stubs.stub_get_item(source, SOURCE, key(1), session_item(1))
    stubs.stub_get_item(target, TARGET, {"PK": {"S": "SESSION#s0001"}, "SK": {"S": "META"}},
                        dict(migrated_item(1), createdAt={"N": "1"}), consistent_read=True)

    with pytest.raises(migration.MigrationFailed, match="1 of 2 sampled items differ") as failure:
        make_migration(verify_sample_size=2).run()

    verification = failure.value.kwargs["migration"]["verification"]
    assert (verification["sample_checked"], verification["sample_matched"]) == (2, 1)
    assert verification["sample_mismatches"] == [dict(key={"sessionId": "s0001"}, problem="differs")]


def test_run_without_checkpoint_path_copies_and_saves_nothing(source_stub, target_stub, make_migration, tmp_path):
    source, target = source_stub[1], target_stub[1]
    preflight(source, target, [session_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(0)], segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(0)])
    result = make_migration(checkpoint_path=None, verify_count=False).run()
    assert result["migration"]["checkpoint_path"] is None and result["migration"]["verification"] == {}
    assert list(tmp_path.iterdir()) == []


def test_run_item_refused_by_dynamodb_is_failed_by_key_the_rest_written(source_stub, target_stub, make_migration):
    """A batch refused as a whole (one item over 400 KB) is written item by item; only that one fails."""
    source, target = source_stub[1], target_stub[1]
    big = session_item(1, notes={"S": "x" * 1000})
    items = [session_item(0), big]
    preflight(source, target, items)
    stubs.stub_scan(source, SOURCE, items, segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(0), migrated_item(1, notes={"S": "x" * 1000})],
                           error_code="ValidationException")
    stubs.stub_batch_write(target, TARGET, [migrated_item(0)])
    stubs.stub_batch_write(target, TARGET, [migrated_item(1, notes={"S": "x" * 1000})],
                           error_code="ValidationException")
    stubs.stub_count(target, TARGET, 1, segment=0, total_segments=1)

    result = make_migration(max_failed_items=1).run()["migration"]

    assert (result["items_written"], result["items_failed"]) == (1, 1)
    assert result["failed_examples"] == [dict(key={"sessionId": "s0001"},
                                              reason="refused by DynamoDB: ValidationException")]


def test_run_read_limit_waits_for_the_units_each_page_took_and_reports_them(source_stub, target_stub, make_migration,
                                                                            clock):
    """32 read units a second, pages of 64 units: the first page uses the one-second burst and leaves 32 units of
    debt, so the second page waits 1 s. The run reports the units DynamoDB said each call consumed."""
    source, target = source_stub[1], target_stub[1]
    page_one, page_two = [session_item(n) for n in range(3)], [session_item(n) for n in range(3, 5)]
    preflight(source, target, page_one)
    stubs.stub_scan(source, SOURCE, page_one, last_evaluated_key=key(2), units=64.0, segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(3)], units=3.0)
    stubs.stub_scan(source, SOURCE, page_two, units=64.0, segment=0, total_segments=1, start_key=key(2))
    stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(3, 5)], units=2.0)
    stubs.stub_count(target, TARGET, 5, segment=0, total_segments=1)

    result = make_migration(clock=clock, max_read_units_per_second=32.0).run()

    assert clock.sleeps == [pytest.approx(1.0)]
    run = result["migration"]["run"]
    assert (run["source_read_units"], run["target_write_units"], run["capacity_wait_seconds"]) == (128.0, 5.0, 1.0)
    assert run["items_written"] == 5


def test_run_write_limit_spaces_the_batches_by_their_units(source_stub, target_stub, make_migration, clock):
    """10 write units a second: a batch of 25 units (its 1 s burst spent, 15 in debt) makes the next batch wait
    1.5 s; reads are not limited."""
    source, target = source_stub[1], target_stub[1]
    items = [session_item(n) for n in range(30)]
    preflight(source, target, items[:25])
    stubs.stub_scan(source, SOURCE, items, units=4.0, segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(25)], units=25.0)
    stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(25, 30)], units=5.0)
    stubs.stub_count(target, TARGET, 30, segment=0, total_segments=1)

    result = make_migration(clock=clock, max_write_units_per_second=10.0).run()

    assert clock.sleeps == [pytest.approx(1.5)]
    assert result["migration"]["run"]["target_write_units"] == 30.0


@pytest.mark.parametrize("name", ["max_read_units_per_second", "max_write_units_per_second"])
@pytest.mark.parametrize("value", [0.0, -5.0])
def test_build_plan_capacity_limit_not_positive_refused(name, value):
    params = stubs.migration_params(**{name: value})
    with pytest.raises(InputError) as e:
        build_plan(params, stubs.identity())
    assert e.value.message == "%s must be more than 0 (leave it unset for no limit), got %s" % (name, value)
