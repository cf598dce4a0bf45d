"""TableMigration.run on stubbed clients: the byte budget's scan Limit, and a many-to-one key transform stopped
early (issue 17). threads=1: the call order is deterministic; every call is a queued Stubber answer."""
import json

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.item_size import item_size
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.key_collisions import ManyToOneKey
from ansible_collections.aichef.dynamodb.tests.unit.utils import migration_stubs as stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import SOURCE
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import TARGET
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import migrated_item
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import session_item
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import session_key as key
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import stub_preflight as preflight

BY_USER = dict(derive=dict(PK="USER#{userId}", SK="META"))  # userId is not unique: a many-to-one key


def sized(number, notes):
    return session_item(number, notes={"S": "x" * notes})


def read_checkpoint(tmp_path):
    with open(str(tmp_path / "checkpoint.json")) as handle:
        return json.load(handle)


def test_run_large_items_pages_cut_to_the_byte_budget_from_the_previous_page(make_migration, source_stub,
                                                                             target_stub):
    """Budget 1,000 bytes: the probe's items (~240 bytes) make the first Limit 4; that page's larger items (~440)
    make the next 2; small items (~40, 25 fit) bring back DynamoDB's own page, no Limit."""
    source, target = source_stub[1], target_stub[1]
    probe = [sized(n, 200) for n in range(3)]
    assert [1000 // item_size(item) for item in probe] == [4, 4, 4]
    page_one = [sized(n, 400) for n in range(4)]
    page_two = [session_item(n) for n in range(4, 6)]
    page_three = [session_item(6)]
    assert 1000 // item_size(page_one[0]) == 2 and 1000 // item_size(page_two[0]) >= 25
    preflight(source, target, probe)
    stubs.stub_scan(source, SOURCE, page_one, last_evaluated_key=key(3), segment=0, total_segments=1, limit=4)
    stubs.stub_batch_write(target, TARGET, [migrated_item(n, notes={"S": "x" * 400}) for n in range(4)])
    stubs.stub_scan(source, SOURCE, page_two, last_evaluated_key=key(5), segment=0, total_segments=1, limit=2,
                    start_key=key(3))
    stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(4, 6)])
    stubs.stub_scan(source, SOURCE, page_three, segment=0, total_segments=1, start_key=key(5))
    stubs.stub_batch_write(target, TARGET, [migrated_item(6)])
    stubs.stub_count(target, TARGET, 7, segment=0, total_segments=1)

    result = make_migration(max_bytes_per_thread=1000).run()

    assert result["migration"]["items_written"] == 7


def test_run_byte_budget_default_keeps_one_page_per_call_for_small_items(make_migration, source_stub, target_stub):
    source, target = source_stub[1], target_stub[1]
    preflight(source, target, [session_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(0)], segment=0, total_segments=1)  # no Limit
    stubs.stub_batch_write(target, TARGET, [migrated_item(0)])
    stubs.stub_count(target, TARGET, 1, segment=0, total_segments=1)
    assert make_migration().run()["migration"]["items_written"] == 1


@pytest.mark.parametrize("value", [0, -1])
def test_run_byte_budget_not_positive_refused_before_any_call(make_migration, value):
    with pytest.raises(InputError) as e:
        make_migration(max_bytes_per_thread=value)
    assert e.value.message == "max_bytes_per_thread must be more than 0, got %d" % value


def test_run_many_to_one_key_in_the_probe_refused_before_any_write(make_migration, source_stub, target_stub,
                                                                   tmp_path):
    source, target = source_stub[1], target_stub[1]
    preflight(source, target, [session_item(0), session_item(1), session_item(3)])  # u0, u1, u0

    with pytest.raises(InputError) as e:
        make_migration(transform=BY_USER).run()

    assert e.value.message == (
        'The transform maps two source items to one target key: {"sessionId": "s0000"} and {"sessionId": "s0003"} '
        'both become {"PK": "USER#u0", "SK": "META"}, and a put replaces, so the target would keep only one of '
        "them; make the target key unique (derive it from the source's key); nothing was written")
    assert not (tmp_path / "checkpoint.json").exists()  # no write, no checkpoint


def test_run_many_to_one_key_across_pages_stops_before_the_page_is_written(make_migration, source_stub, target_stub,
                                                                           tmp_path):
    """The probe (s0, s1) is clean; page two's s0003 maps to s0000's key: page two is not written, the checkpoint
    stays after page one, and the run fails at once instead of after the last write's count."""
    source, target = source_stub[1], target_stub[1]
    page_one, page_two = [session_item(0), session_item(1)], [session_item(2), session_item(3), session_item(4)]
    preflight(source, target, page_one)
    stubs.stub_scan(source, SOURCE, page_one, last_evaluated_key=key(1), segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [dict(session_item(n), PK={"S": "USER#u%d" % n}, SK={"S": "META"})
                                            for n in (0, 1)])
    stubs.stub_scan(source, SOURCE, page_two, last_evaluated_key=key(4), segment=0, total_segments=1,
                    start_key=key(1))

    with pytest.raises(ManyToOneKey, match=r'^The transform maps two source items to one target key: '
                                           r'{"sessionId": "s0000"} and {"sessionId": "s0003"} both become '
                                           r'{"PK": "USER#u0", "SK": "META"}'):
        make_migration(transform=BY_USER).run()

    checkpoint = read_checkpoint(tmp_path)
    assert checkpoint["segments"][0]["last_evaluated_key"] == key(1)
    assert checkpoint["segments"][0]["items_written"] == 2


def test_run_many_to_one_key_found_in_check_mode_too(make_migration, source_stub, target_stub):
    source, target = source_stub[1], target_stub[1]
    preflight(source, target, [session_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(0), session_item(1), session_item(3)], segment=0, total_segments=1)
    with pytest.raises(ManyToOneKey, match='"s0000"} and {"sessionId": "s0003"}'):
        make_migration(check_mode=True, transform=BY_USER).run()
