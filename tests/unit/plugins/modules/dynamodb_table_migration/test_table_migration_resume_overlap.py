"""After a kill, how many items does the resumed run write a second time? The checkpoint trails the writes by at
most the page in flight per segment (issue 17: it trailed by up to a second of pages, 22% of the items twice).

A kill cannot be caught, so it is played here by the target client: at the chosen BatchWriteItem call it copies
the checkpoint file as it is at that moment (what a SIGKILL would leave on disk) and raises an exception that no
code of the migration handles. The resumed run starts from that copy. Every call is a Stubber answer.
"""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import migration
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import build_plan
from ansible_collections.aichef.dynamodb.tests.unit.utils import migration_stubs as stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import SOURCE
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import TARGET
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import migrated_item
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import session_item
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import session_key as key

PAGE_ITEMS = 30  # two batches per page: 25, then 5
PAGES = 4


class Killed(BaseException):
    """Stands for SIGKILL: a BaseException, so no `except Exception` of the code under test stops it."""


class KillingTarget:
    """The target client, killed at its kill_at-th BatchWriteItem call; records the items each call wrote."""

    def __init__(self, client, kill_at, checkpoint_path):
        self.client = client
        self.kill_at = kill_at
        self.checkpoint_path = checkpoint_path
        self.calls = 0
        self.written = []
        self.on_disk_at_kill = None

    def __getattr__(self, name):
        return getattr(self.client, name)

    def batch_write_item(self, **params):
        self.calls += 1
        if self.calls == self.kill_at:
            with open(self.checkpoint_path) as handle:
                self.on_disk_at_kill = handle.read()
            raise Killed()
        response = self.client.batch_write_item(**params)
        self.written.extend(request["PutRequest"]["Item"]["sessionId"]["S"]
                            for request in params["RequestItems"][TARGET])
        return response


def page(number):
    return [session_item(n) for n in range(number * PAGE_ITEMS, (number + 1) * PAGE_ITEMS)]


def stub_page(source, target, number, write_batches):
    """Scan page `number` (0-based) of the one segment, and its first write_batches batches."""
    last = (number + 1) * PAGE_ITEMS - 1
    stubs.stub_scan(source, SOURCE, page(number), last_evaluated_key=key(last) if number < PAGES - 1 else None,
                    segment=0, total_segments=1, start_key=key(number * PAGE_ITEMS - 1) if number else None)
    first = number * PAGE_ITEMS
    for start, end in ((first, first + 25), (first + 25, first + PAGE_ITEMS))[:write_batches]:
        stubs.stub_batch_write(target, TARGET, [migrated_item(n) for n in range(start, end)])


def preflight(source, target):
    stubs.stub_preflight(source, target, page(0)[:25])


def run(source_client, target, checkpoint_path):
    params = stubs.migration_params(checkpoint_path=checkpoint_path, verify_count=False)
    plan = build_plan(params, stubs.identity())
    return migration.TableMigration(source_client, target, plan, sleep=lambda seconds: None).run()


@pytest.mark.parametrize("killed_page", [1, 2, 3])
def test_resume_after_kill_writes_again_only_the_page_in_flight(source_stub, target_stub, tmp_path, killed_page):
    """Killed between the two batches of page `killed_page` (0-based): its first 25 items are written, its
    checkpoint is not. The resumed run writes those 25 again and nothing else twice: less than one page."""
    (source_client, source), (target_client, target) = source_stub, target_stub
    path = str(tmp_path / "checkpoint.json")
    preflight(source, target)
    for number in range(killed_page):
        stub_page(source, target, number, write_batches=2)
    stub_page(source, target, killed_page, write_batches=1)
    first = KillingTarget(target_client, kill_at=2 * killed_page + 2, checkpoint_path=path)

    with pytest.raises(Killed):
        run(source_client, first, path)

    with open(path, "w") as handle:  # what the kill left on disk, not what the interrupted run saved later
        handle.write(first.on_disk_at_kill)
    preflight(source, target)
    for number in range(killed_page, PAGES):
        stub_page(source, target, number, write_batches=2)
    second = KillingTarget(target_client, kill_at=None, checkpoint_path=path)

    result = run(source_client, second, path)

    written = first.written + second.written
    written_twice = len(written) - len(set(written))
    assert len(set(written)) == PAGES * PAGE_ITEMS and result["migration"]["status"] == "complete"
    assert written_twice == 25  # the killed page's first batch: under one page (30), whatever the page killed
    assert result["migration"]["resumed"] is True
    assert result["migration"]["items_written"] == PAGES * PAGE_ITEMS  # a page is counted once it is all written
