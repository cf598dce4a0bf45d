# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks after a copy: the target's item count against the items written, and N random source items looked
up in the target after the transform.

Mismatches are reported by key only, never with a payload. Both run once the copy is complete, so that what they
compare is the whole of it.
"""

import math
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import ItemRejected
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import canonical_item
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import check_target_item
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import key_of
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import readable_key
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import transform_item

SAMPLE_SEGMENT_ITEMS = 20  # sampling splits the source in segments of about this many items...
SAMPLE_TAKEN_PER_SEGMENT = 5  # ...and takes at most this many random keys from each segment it reads


class CopyVerification:
    """tables: the run's LimitedTables; rng: where the sample's randomness comes from (tests make it predictable)."""

    def __init__(self, tables, plan, rng, source_key_names, target_key):
        self.tables = tables
        self.plan = plan
        self.rng = rng
        self.source_key_names = source_key_names
        self.target_key = target_key

    def count_segment(self, segment, total_segments):
        count, start_key, more = 0, None, True
        while more:
            page = self.tables.read_target_page(segment=segment, total_segments=total_segments,
                                                exclusive_start_key=start_key, select="COUNT")
            count += page.get("Count", 0)
            start_key = page.get("LastEvaluatedKey")
            more = start_key is not None
        return count

    def count_target(self):
        segments = self.plan.total_segments
        with ThreadPoolExecutor(max_workers=self.plan.threads) as pool:
            return sum(pool.map(lambda segment: self.count_segment(segment, segments), range(segments)))

    def sample_source_keys(self, size, estimated_items):
        """About `size` random source keys, keys only: the source split in segments of ~20 items, a few random
        items from each of a few random segments (a segment scan costs a fraction of the table on AWS)."""
        total_segments = max(1, min(1000000, estimated_items // SAMPLE_SEGMENT_ITEMS))
        wanted = min(total_segments, int(math.ceil(float(size) / SAMPLE_TAKEN_PER_SEGMENT)))
        per_segment = int(math.ceil(float(size) / wanted))
        keys = []
        for segment in self.rng.sample(range(total_segments), min(total_segments, wanted * 3)):
            page = self.tables.read_source_page(segment=segment, total_segments=total_segments,
                                                limit=max(per_segment, SAMPLE_SEGMENT_ITEMS) * 2,
                                                projection=self.source_key_names)
            items = page.get("Items", [])
            keys.extend(self.rng.sample(items, min(per_segment, len(items), size - len(keys))))
            if len(keys) >= size:
                break
        return keys

    def verify_sample(self, size, estimated_items):
        """Look up random source items in the target, after the transform; mismatches by key only."""
        result = dict(sample_size=size, sample_checked=0, sample_matched=0, sample_skipped=0, sample_mismatches=[])
        target_key_names = [name for name, dummy in self.target_key]
        for key in self.sample_source_keys(size, estimated_items):
            source_item = self.tables.get_source_item(key).get("Item")
            try:
                expected = transform_item(source_item, self.plan.transform) if source_item else None
                if expected is not None:
                    check_target_item(expected, self.target_key)
            except ItemRejected:
                expected = None
            if expected is None:  # deleted since, filtered out, or counted as failed
                result["sample_skipped"] += 1
                continue
            result["sample_checked"] += 1
            actual = self.tables.get_target_item(key_of(expected, target_key_names)).get("Item")
            if actual is not None and canonical_item(actual) == canonical_item(expected):
                result["sample_matched"] += 1
            else:
                result["sample_mismatches"].append(dict(
                    key=readable_key(key), problem="missing in target" if actual is None else "differs"))
        return result

    def verify(self, written, scanned):
        """written: the items the target should hold; scanned: the source's size, which the sample's segments need."""
        verification = {}
        if self.plan.verify_count:
            count = self.count_target()
            verification.update(target_item_count=count, expected_item_count=written, count_matches=count == written)
        if self.plan.verify_sample_size:
            verification.update(self.verify_sample(self.plan.verify_sample_size, scanned))
        return verification
