# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy a DynamoDB table into another through a declarative transform: safe, fast and resumable.

TableMigration runs one migration and reports it; dynamodb_table_migration calls it with a plan from
preflight.build_plan. The parts it runs, one file each in this package:

* transform: what one item becomes: pure functions over low-level items (AttributeValue dicts, so no type is
  ever converted), filter -> rename -> derive -> drop -> defaults. No boto3 or Ansible import.
* preflight: the checks before the first write: options, tables, key schemas, the transform on the first items.
* checkpoint: the JSON file of per-segment progress that a re-run resumes from, and this run's Progress in it.
* segment_copy: one scan cursor per segment (Segment/TotalSegments), a pool of threads over the segments, each
  worker holding one scan page at a time, a page of large items cut to the byte budget (item_size).
* key_collisions: two source items mapped to one target key, found on the probe and before each page is written.
* writes: BatchWriteItem in batches of 25, UnprocessedItems re-sent under exponential backoff with full jitter.
* limited_tables: every read and write of the run within its table's capacity limit (capacity.py).
* copy_verification: the target's item count against the items written, and N random source items looked up
  in the target after the transform.

Nothing here reads module.params or calls fail_json: errors are raised as AnsibleAWSError subclasses.
"""

import json
import random
import time

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import COMPLETE
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import COUNT_NAMES
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import IN_PROGRESS
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import Progress
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import totals
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.copy_verification import CopyVerification
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.item_size import item_size
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.key_collisions import KeyCollisions
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.key_collisions import ManyToOneKey
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.limited_tables import LimitedTables
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import describe_tables
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import probe_transform
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.segment_copy import SegmentCopy
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import ItemRejected
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import check_target_item
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import key_of
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import transform_item

PROBE_ITEMS = 25
CHECK_MODE = "check_mode"


class MigrationFailed(DynamoDBError):
    """The migration ran (or verified) and found a problem; kwargs["migration"] holds the counts."""


class TableMigration:
    """One run of a migration: preflight, parallel copy with checkpoints, verification, result.

    source, target: DynamoDB clients (RetryingBotoClientWrapper or plain). should_stop: optional callable
    asked before each page; when it returns True the workers stop as if killed (tests use it).
    """

    def __init__(self, source, target, plan, check_mode=False, sleep=time.sleep, rng=None, clock=time.monotonic,
                 should_stop=None):
        self.plan = plan
        self.check_mode = check_mode
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.clock = clock
        self.should_stop = should_stop or (lambda: False)
        self.tables = LimitedTables(source, target, plan, self.rng, check_mode=check_mode, sleep=sleep, clock=clock)
        self.progress = Progress(plan, check_mode, clock)
        self.source_key_names = []
        self.target_key = []
        self.collisions = None
        self.first_item_bytes = 0

    def probe(self):
        """The transform on the first source items, before any write: one valid target item at least, no two
        items mapped to one target key (InputError). Also the largest of them, which sizes the first pages."""
        items = self.tables.read_source_page(limit=PROBE_ITEMS, consistent_read=self.plan.consistent_read).get(
            "Items", [])
        probe_transform(items, self.plan.transform, self.target_key, self.source_key_names)
        self.first_item_bytes = max([item_size(item) for item in items] or [0])
        self.collisions = KeyCollisions([name for name, dummy in self.target_key])
        kept = []
        for item in items:
            try:
                transformed = transform_item(item, self.plan.transform)
                if transformed is not None:
                    check_target_item(transformed, self.target_key)
                    kept.append((transformed, key_of(item, self.source_key_names)))
            except ItemRejected:
                continue  # counted when its page is copied
        try:
            self.collisions.check(kept)
        except ManyToOneKey as e:
            raise InputError(message="%s; nothing was written" % e.message) from None

    def verify(self):
        done = totals(self.progress.checkpoint["segments"])
        return CopyVerification(self.tables, self.plan, self.rng, self.source_key_names, self.target_key).verify(
            done["items_written"], done["items_scanned"])

    def migration_result(self, status, seconds, verification):
        segments = self.progress.checkpoint["segments"]
        run_counts = self.progress.run_counts
        run = dict(run_counts, seconds=round(seconds, 3),
                   items_per_second=round(run_counts["items_scanned"] / seconds, 1) if seconds > 0 else 0.0,
                   **self.tables.units_used())
        return dict(
            source_table=self.plan.source_table, target_table=self.plan.target_table, status=status,
            resumed=self.progress.resumed, total_segments=self.plan.total_segments, threads=self.plan.threads,
            checkpoint_path=self.plan.checkpoint_path, run=run,
            segments=[dict((name, state[name]) for name in ("segment", "complete") + COUNT_NAMES)
                      for state in segments],
            failed_examples=list(self.progress.checkpoint["failed_examples"]), verification=verification,
            **totals(segments))

    def problems(self, migration):
        found = []
        if migration["items_failed"] > self.plan.max_failed_items:
            example = migration["failed_examples"][0] if migration["failed_examples"] else {}
            found.append("%d items failed the transform or the target key schema and were not written (more than "
                         "max_failed_items=%d); first: %s %s" % (
                             migration["items_failed"], self.plan.max_failed_items,
                             json.dumps(example.get("key"), sort_keys=True), example.get("reason")))
        verification = migration["verification"]
        if verification.get("count_matches") is False:
            found.append("target %s holds %d items but %d were written (items already in the target, two source "
                         "items mapped to one target key, or items deleted from it)" % (
                             self.plan.target_table, verification["target_item_count"],
                             verification["expected_item_count"]))
        if verification.get("sample_mismatches"):
            found.append("%d of %d sampled items differ in the target, e.g. %s" % (
                len(verification["sample_mismatches"]), verification["sample_checked"],
                json.dumps(verification["sample_mismatches"][0], sort_keys=True)))
        return found

    def run(self):
        """Return dict(changed, msg, migration). Raises InputError before any write, MigrationFailed after."""
        started = self.clock()
        start = self.progress.load_or_start()
        self.source_key_names, self.target_key = describe_tables(self.tables.source, self.tables.target, self.plan)
        if start == COMPLETE:
            return self.finish(COMPLETE, started, changed=False)
        self.probe()
        self.progress.save_before_writes()
        copy = SegmentCopy(self.tables, self.plan, self.progress, self.source_key_names, self.target_key,
                           self.should_stop, self.collisions, self.first_item_bytes)
        copy.run()
        changed = self.progress.run_counts["items_written"] > 0
        if copy.stopped:
            return self.finish(IN_PROGRESS, started, changed=changed)
        if self.check_mode:
            return self.finish(CHECK_MODE, started, changed=changed)
        self.progress.complete()
        return self.finish(COMPLETE, started, changed=changed)

    def finish(self, status, started, changed):
        verify = status == COMPLETE
        seconds = self.clock() - started
        migration = self.migration_result(status, seconds, self.verify() if verify else {})
        problems = self.problems(migration)
        if problems:
            raise MigrationFailed(message="Migration %s -> %s: %s" % (
                self.plan.source_table, self.plan.target_table, "; ".join(problems)), migration=migration,
                changed=changed)
        return dict(changed=changed, msg=summary(migration, already_complete=self.progress.start == COMPLETE),
                    migration=migration)


def summary(migration, already_complete=False):
    counts = "%(items_scanned)d scanned, %(items_written)d written, %(items_filtered)d filtered out, " \
             "%(items_failed)d failed" % migration
    if migration["status"] == CHECK_MODE:
        return "Check mode: would migrate %s -> %s: %s (would write)" % (
            migration["source_table"], migration["target_table"], counts)
    if migration["status"] == IN_PROGRESS:
        return "Migration %s -> %s stopped before the end: %s so far; re-run to continue" % (
            migration["source_table"], migration["target_table"], counts)
    if already_complete:
        return "Migration %s -> %s already complete (%s); nothing to do" % (
            migration["source_table"], migration["target_table"], counts)
    return "Migrated %s -> %s: %s%s" % (migration["source_table"], migration["target_table"], counts,
                                        " (resumed)" if migration["resumed"] else "")
