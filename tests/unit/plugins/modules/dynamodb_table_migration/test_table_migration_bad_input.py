"""Bad input fails with a clear error before any write.

Only the read calls a case needs are queued on the Stubbers; anything more (a scan, a BatchWriteItem) would
find nothing queued and fail the test, so these tests prove that nothing was written, and where nothing is
queued at all, that no call was made.
"""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import checkpoint as checkpoint_file
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import build_plan
from ansible_collections.aichef.dynamodb.tests.unit.utils import migration_stubs as stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import SOURCE
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import TARGET
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import session_item


def test_run_missing_source_table_fails_before_any_write(make_migration, source_stub, target_stub):
    stubs.stub_describe_table(source_stub[1], SOURCE, None)
    with pytest.raises(InputError, match="Source table ai-chef-sessions does not exist .*nothing was written"):
        make_migration().run()


def test_run_missing_target_table_fails_before_any_write(make_migration, source_stub, target_stub):
    stubs.stub_describe_table(source_stub[1], SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target_stub[1], TARGET, None)
    with pytest.raises(InputError, match="Target table ai-chef-sessions-v2 does not exist .*create it first"):
        make_migration().run()


def test_run_target_still_creating_fails_before_any_write(make_migration, source_stub, target_stub):
    stubs.stub_describe_table(source_stub[1], SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target_stub[1], TARGET, stubs.PK_SK_KEY, status="CREATING")
    with pytest.raises(InputError, match="Target table ai-chef-sessions-v2 is CREATING"):
        make_migration().run()


def test_run_target_key_type_mismatch_fails_before_scanning(make_migration, source_stub, target_stub):
    numeric = dict(key=[("PK", "HASH"), ("SK", "RANGE")], types={"PK": "N", "SK": "S"})
    stubs.stub_describe_table(source_stub[1], SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target_stub[1], TARGET, numeric)
    with pytest.raises(InputError, match="Target key schema mismatch: ai-chef-sessions-v2 has the key PK \\(N\\), "
                                         "SK \\(S\\), but transform.derive makes PK a string"):
        make_migration().run()


def test_run_transform_dropping_target_key_fails_before_scanning(make_migration, source_stub, target_stub):
    stubs.stub_describe_table(source_stub[1], SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target_stub[1], TARGET, stubs.SESSIONS_KEY)
    with pytest.raises(InputError, match="produces no target key: .*drop removes sessionId"):
        make_migration(transform=dict(drop=["sessionId"])).run()


def test_run_transform_without_target_sort_key_fails_after_probe_without_writing(make_migration, source_stub,
                                                                                 target_stub):
    """SK could be a plain attribute of the items; the first page of the source shows that it is not."""
    stubs.stub_describe_table(source_stub[1], SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target_stub[1], TARGET, stubs.PK_SK_KEY)
    stubs.stub_probe(source_stub[1], SOURCE, [session_item(n) for n in range(3)])
    with pytest.raises(InputError, match="no valid target item \\(target key PK \\(S\\), SK \\(S\\)\\) for any of "
                                         "the first 3 .*no value for target key attribute SK"):
        make_migration(transform=dict(derive=dict(PK="SESSION#{sessionId}"))).run()


def test_run_transform_with_misspelt_placeholder_fails_after_probe_without_writing(make_migration, source_stub,
                                                                                   target_stub):
    stubs.stub_describe_table(source_stub[1], SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target_stub[1], TARGET, stubs.PK_SK_KEY)
    stubs.stub_probe(source_stub[1], SOURCE, [session_item(1)])
    with pytest.raises(InputError, match="attribute sesionId is missing"):
        make_migration(transform=dict(derive=dict(PK="SESSION#{sesionId}", SK="META"))).run()


def test_run_checkpoint_of_another_migration_fails_before_any_call(make_migration, tmp_path):
    """Nothing is queued on either Stubber: not even DescribeTable happens."""
    other = checkpoint_file.new_checkpoint("another-fingerprint", stubs.identity(), 1)
    checkpoint_file.save_checkpoint(str(tmp_path / "checkpoint.json"), other)
    with pytest.raises(InputError, match="belongs to a different migration"):
        make_migration().run()


def test_run_unwritable_checkpoint_fails_before_any_write(make_migration, source_stub, target_stub, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    stubs.stub_describe_table(source_stub[1], SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target_stub[1], TARGET, stubs.PK_SK_KEY)
    stubs.stub_probe(source_stub[1], SOURCE, [session_item(1)])
    with pytest.raises(InputError, match="Cannot write checkpoint"):
        make_migration(checkpoint_path=str(blocker / "checkpoint.json")).run()


@pytest.mark.parametrize("overrides, message", [
    (dict(target_table=SOURCE), "Source and target are the same table"),
    (dict(transform=dict(derive=dict(PK="SESSION#{sessionId"))), "unclosed or empty {placeholder}"),
    (dict(transform=dict(derive=dict(PK="{a}"), drop=["PK"])), "PK is both derived and dropped"),
    (dict(transform=dict(defaults=dict(score=float("nan")))), "cannot be NaN"),
    (dict(total_segments=0), "total_segments must be between 1 and 1000"),
    (dict(threads=1001), "threads must be between 1 and 1000"),
    (dict(verify_sample_size=-1), "verify_sample_size must not be negative"),
], ids=["same-table", "unclosed-placeholder", "derive-and-drop", "nan-default", "zero-segments", "too-many-threads",
        "negative-sample"])
def test_build_plan_bad_options_raise_before_any_client(overrides, message):
    params = stubs.migration_params(**overrides)
    with pytest.raises(InputError, match=message):
        build_plan(params, stubs.identity(params["source_table"], params["target_table"]))


def test_build_plan_same_name_in_another_region_is_allowed():
    params = stubs.migration_params(target_table=SOURCE, target_region="eu-west-1")
    plan = build_plan(params, stubs.identity(SOURCE, SOURCE, target_region="eu-west-1"))
    assert plan.target_table == SOURCE
