#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: dynamodb_table_migration
short_description: Copy a DynamoDB table into another one through a declarative transform, resumably
version_added: 0.1.0
description:
  - Copies every item of O(source_table) into O(target_table), transformed on the way, for a key change or
    any other schema change that needs a new table. The target may be in another region or behind another
    endpoint (O(target_region), O(target_endpoint_url)).
  - Reads with a paginated parallel scan (O(total_segments) segments, O(threads) threads, 1 MB pages) and
    writes with C(BatchWriteItem) in batches of 25. Items returned as C(UnprocessedItems) are re-sent with
    exponential backoff and full jitter, at most O(backoff_retries) times. Each thread holds one scan page
    at a time, so memory does not grow with the table; a page of large items holds at most
    O(max_bytes_per_thread) of them.
  - Items are handled as low-level C(AttributeValue) maps, so no type is converted (numbers keep their
    exact digits, sets stay sets, binary stays binary).
  - Before any write the module checks that both tables exist, that the transform can produce the target's
    key (C(KeySchema) and attribute types from C(DescribeTable)), and that the transform yields a valid target
    item for at least one of the first source items it keeps, and that no two of those items get the same
    target key. Any of these failing is an error and nothing is written.
  - A transform that maps two source items to one target key (a key derived from a non-unique attribute, say)
    would lose all but one of them, since a put replaces. Before each page is written, its target keys are
    checked against each other and against those of the first 10,000 items of the run; the first such pair
    stops the run with one line naming both source keys and the target key, that page unwritten. A pair
    further apart is not guaranteed to be caught there; O(verify_count) catches it after the copy.
  - Items that fail the transform, do not fit the target's key, or that DynamoDB refuses (over 400 KB after
    the transform, say; the batch is then written item by item) are never dropped silently; they are
    counted (RV(migration.items_failed)) with the keys of the first few and the reasons, and the module
    fails when there are more than O(max_failed_items).
  - With O(checkpoint_path), progress (per segment, the C(LastEvaluatedKey) of the last fully written page,
    and the counts) is saved in that file after every written page. A re-run after an interruption (even a
    SIGKILL) continues from there; only the page each segment had in flight when it stopped is put again,
    which is harmless because puts are idempotent. A re-run after the
    migration completed checks the counts and reports C(changed=false), unless O(overwrite=true).
  - After a complete run the target is verified, see O(verify_count) and O(verify_sample_size).
  - The source table is only read; it is left in place.
options:
  source_table:
    description: Name of the table to copy from, in the module's region and endpoint.
    type: str
    required: true
  target_table:
    description:
      - Name of the table to copy into. It must exist (deploy it first) and may hold no other items when
        O(verify_count=true).
    type: str
    required: true
  target_region:
    description: Region of O(target_table). Defaults to the module's region.
    type: str
  target_endpoint_url:
    description: Endpoint of O(target_table) (an emulator, a VPC endpoint). Defaults to the module's O(endpoint_url).
    type: str
  total_segments:
    description:
      - Number of parallel scan segments (C(TotalSegments)); progress is kept per segment.
      - A checkpoint is only valid for the segmentation it was written with.
    type: int
    default: 4
  threads:
    description: Threads working on the segments at the same time (at most O(total_segments)).
    type: int
    default: 4
  consistent_read:
    description: Read the source with strongly consistent reads (twice the read capacity).
    type: bool
    default: false
  page_size:
    description:
      - Items per scan page (C(Limit)); by default a page is as many items as fit in 1 MB.
      - Smaller pages mean more frequent checkpoints and less memory, at the cost of more requests.
    type: int
  max_bytes_per_thread:
    description:
      - Most bytes of items (by DynamoDB's item-size rules, attribute names and values) a thread holds at once,
        that is, in the scan page it has read and not yet written. Pages of large items are cut to it with a
        scan C(Limit) sized by the largest item of the segment's previous page (never less than one item).
      - Items small enough that 25 of them fit keep DynamoDB's own pages (at most 1 MB), one call per page.
      - The Python objects of a nested item weigh many times its bytes; the default keeps a copy of 350 KB nested
        items under 150 MB with 4 threads. A page whose items are larger than those of the previous page may
        exceed it, up to DynamoDB's 1 MB.
    type: int
    default: 524288
  checkpoint_path:
    description:
      - File (on the host running the module) in which progress is kept; created when missing, replaced
        atomically after every page whose items are all written (the file is a few hundred bytes per segment).
      - Without it, an interrupted migration starts again from the beginning, and a completed one is copied
        again on every run.
    type: path
  overwrite:
    description:
      - Copy everything again even when O(checkpoint_path) says the migration is complete, or when it was
        written for other settings (another transform, other tables, another O(total_segments)).
    type: bool
    default: false
  max_failed_items:
    description:
      - Number of items that may fail the transform or the target's key schema before the module fails.
        Either way every other item is written and the failures are reported.
    type: int
    default: 0
  verify_count:
    description:
      - After a complete run, count the items of O(target_table) and fail unless the count equals the items
        written. This catches two source items mapped to one target key, and items written by others.
    type: bool
    default: true
  verify_sample_size:
    description:
      - After a complete run, read this many random source items, transform them, and fail unless the target
        holds exactly the transformed item. V(0) skips the comparison.
    type: int
    default: 0
  max_read_units_per_second:
    description:
      - At most this many read capacity units per second, on average, taken from the source table (its scan
        pages and sampled items), as DynamoDB reports them (C(ReturnConsumedCapacity)). Unset, no limit.
      - The source usually serves an application while it is copied; on a provisioned table, give what its
        read capacity can spare (for example V(300) of 1000 units when the application uses 500), so that the
        application's reads are not throttled. A scan page of 1 MB costs 128 units (256 with
        O(consistent_read=true)); O(page_size) makes the steps smaller.
    type: float
  max_write_units_per_second:
    description:
      - At most this many write capacity units per second, on average, spent on the target table (one unit per
        KB of each item written). Unset, no limit.
      - For a provisioned target, or an on-demand one whose other writers must not be crowded out.
    type: float
  backoff_retries:
    description:
      - Retries of a throttled or failed API call, and re-sends of the C(UnprocessedItems) of one batch.
      - A batch re-send waits a random time up to 0.05 s x 2^attempt (at most O(backoff_max_delay)).
    type: int
    default: 10
  backoff_delay:
    description: Seconds before the first retry of a throttled or failed API call.
    type: int
    default: 3
  backoff_max_delay:
    description: Largest delay in seconds between retries of an API call, or between re-sends of a batch.
    type: int
    default: 30
notes:
  - Supports check mode; it then reads the whole source and counts what would be written, filtered out and
    failed, and writes nothing (neither items nor the checkpoint).
  - Writes to the source during the migration may or may not be copied; stop them first, or copy again with
    O(overwrite=true) after the switch.
  - On the ministack emulator a scan page costs time proportional to the whole table, so large tables
    migrate much more slowly there than on AWS.
author:
  - AI Chef platform team (@aichef)
extends_documentation_fragment:
  - aichef.dynamodb.migration_transform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Count what a key change would copy, without writing
  aichef.dynamodb.dynamodb_table_migration:
    source_table: ai-chef-sessions
    target_table: ai-chef-sessions-v2
    transform:
      derive:
        PK: "SESSION#{sessionId}"
        SK: META
    region: us-east-1
  check_mode: true
  register: planned

- name: Show the plan
  ansible.builtin.debug:
    msg: "{{ planned.migration.items_written }} of {{ planned.migration.items_scanned }} items would be copied"

- name: Copy ai-chef-sessions into the PK/SK table, resumably, checking 50 random items afterwards
  aichef.dynamodb.dynamodb_table_migration:
    source_table: ai-chef-sessions
    target_table: ai-chef-sessions-v2
    transform:
      derive:
        PK: "SESSION#{sessionId}"
        SK: META
      rename:
        status: sessionStatus
      drop:
        - legacyFlags
      defaults:
        schemaVersion: 2
    total_segments: 8
    threads: 8
    checkpoint_path: /var/lib/ai-chef/migrations/sessions-v2.json
    verify_sample_size: 50
    # The source serves the application meanwhile: take at most 300 of its read units per second.
    max_read_units_per_second: 300
    region: us-east-1
  register: migrated

- name: Report the counts
  ansible.builtin.debug:
    msg: >-
      {{ migrated.migration.items_written }} written, {{ migrated.migration.items_filtered }} filtered out,
      target holds {{ migrated.migration.verification.target_item_count }}

- name: Copy only active sessions into a table in another region
  aichef.dynamodb.dynamodb_table_migration:
    source_table: ai-chef-sessions
    target_table: ai-chef-sessions
    target_region: eu-west-1
    transform:
      filter:
        - attribute: status
          equals: active
        - attribute: deletedAt
          exists: false
    region: us-east-1
"""

RETURN = r"""
migration:
  description: What the migration did, as counts and keys; item payloads are never returned.
  returned: always
  type: dict
  contains:
    source_table:
      description: The source table.
      returned: always
      type: str
      sample: ai-chef-sessions
    target_table:
      description: The target table.
      returned: always
      type: str
      sample: ai-chef-sessions-v2
    status:
      description:
        - C(complete), C(in_progress) (stopped before the end; re-run to continue) or C(check_mode).
      returned: always
      type: str
      sample: complete
    resumed:
      description: Whether this run continued from a checkpoint of an interrupted run.
      returned: always
      type: bool
      sample: false
    total_segments:
      description: Scan segments used.
      returned: always
      type: int
      sample: 4
    threads:
      description: Threads used.
      returned: always
      type: int
      sample: 4
    checkpoint_path:
      description: The checkpoint file, or null without one.
      returned: always
      type: str
      sample: /var/lib/ai-chef/migrations/sessions-v2.json
    items_scanned:
      description: Source items read, over all runs of this migration (from the checkpoint).
      returned: always
      type: int
      sample: 20000
    items_written:
      description: Items put into the target over all runs; in check mode, the items that would be.
      returned: always
      type: int
      sample: 19990
    items_filtered:
      description: Source items left out by O(transform.filter).
      returned: always
      type: int
      sample: 10
    items_failed:
      description: Source items that failed the transform or the target's key schema; not written.
      returned: always
      type: int
      sample: 0
    run:
      description:
        - The counts of this run alone (C(items_scanned), C(items_written), C(items_filtered),
          C(items_failed)), its duration in C(seconds) and its C(items_per_second) (items scanned).
        - The capacity units it consumed, as DynamoDB reported them, C(source_read_units),
          C(target_write_units) and C(target_read_units) (verification), and C(capacity_wait_seconds), the
          time its workers waited, summed, to stay within O(max_read_units_per_second) and
          O(max_write_units_per_second).
      returned: always
      type: dict
      sample: {"items_scanned": 20000, "items_written": 19990, "items_filtered": 10, "items_failed": 0,
               "seconds": 3.2, "items_per_second": 6250.0, "source_read_units": 2500.0,
               "target_write_units": 19990.0, "target_read_units": 2500.0, "capacity_wait_seconds": 0.0}
    segments:
      description: Per scan segment, whether it is complete and its counts over all runs.
      returned: always
      type: list
      elements: dict
      sample: [{"segment": 0, "complete": true, "items_scanned": 5012, "items_written": 5010,
                "items_filtered": 2, "items_failed": 0}]
    failed_examples:
      description: The source key and the reason of the first few items that failed (at most 5).
      returned: always
      type: list
      elements: dict
      sample: [{"key": {"sessionId": "abc"}, "reason": "derive PK: attribute sessionId is missing"}]
    verification:
      description:
        - After a complete run, the target's item count (C(target_item_count)) against the items written
          (C(expected_item_count), C(count_matches)) when O(verify_count=true); the sample comparison
          (C(sample_size), C(sample_checked), C(sample_matched), C(sample_skipped) for items since deleted,
          filtered out or failed, and C(sample_mismatches) by key) when O(verify_sample_size) > 0.
        - Empty in check mode and when the run stopped before the end.
      returned: always
      type: dict
      sample: {"target_item_count": 19990, "expected_item_count": 19990, "count_matches": true,
               "sample_size": 50, "sample_checked": 50, "sample_matched": 50, "sample_skipped": 0,
               "sample_mismatches": []}
"""

try:
    # Unused here on purpose: AnsibleAWSModule reports a missing SDK.
    import botocore  # noqa: F401  # pylint: disable=unused-import
except ImportError:
    pass

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.item_size import DEFAULT_THREAD_BYTES
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.migration import MigrationFailed
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.migration import TableMigration
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import build_plan
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform_options import TRANSFORM_ARGUMENT_SPEC


def connection_identity(module):
    """Where each table lives; a checkpoint belongs to this, and source == target is refused."""
    source = dict(region=module.region, endpoint_url=module.params.get("endpoint_url"),
                  table=module.params["source_table"])
    target = dict(region=module.params["target_region"] or module.region,
                  endpoint_url=module.params["target_endpoint_url"] or module.params.get("endpoint_url"),
                  table=module.params["target_table"])
    return dict(source=source, target=target)


def dynamodb_clients(module, threads):
    """Source and target clients, retried, with a connection per thread.

    Client-side parameter validation is off: every request carries items that DynamoDB itself returned, the
    service validates each request anyway, and walking 25 full items per call doubled the client's CPU time.
    """
    decorator = retry_decorator(module.params)
    config = dict(max_pool_connections=max(10, threads + 2), parameter_validation=False)
    target_connection = {}
    if module.params["target_region"]:
        target_connection["region"] = module.params["target_region"]
    if module.params["target_endpoint_url"]:
        target_connection["endpoint"] = module.params["target_endpoint_url"]
    return (module.client("dynamodb", retry_decorator=decorator, config=config),
            module.client("dynamodb", retry_decorator=decorator, config=config, **target_connection))


# The options; the unit tests read the defaults from here, so that no copy of them can drift.
ARGUMENT_SPEC = dict(
    source_table=dict(type="str", required=True),
    target_table=dict(type="str", required=True),
    target_region=dict(type="str"),
    target_endpoint_url=dict(type="str"),
    **TRANSFORM_ARGUMENT_SPEC,
    total_segments=dict(type="int", default=4),
    threads=dict(type="int", default=4),
    consistent_read=dict(type="bool", default=False),
    page_size=dict(type="int"),
    max_bytes_per_thread=dict(type="int", default=DEFAULT_THREAD_BYTES),
    checkpoint_path=dict(type="path"),
    overwrite=dict(type="bool", default=False),
    max_failed_items=dict(type="int", default=0),
    verify_count=dict(type="bool", default=True),
    verify_sample_size=dict(type="int", default=0),
    max_read_units_per_second=dict(type="float"),
    max_write_units_per_second=dict(type="float"),
    **BACKOFF_ARGUMENT_SPEC
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        plan = build_plan(module.params, connection_identity(module))
        source, target = dynamodb_clients(module, plan.threads)
        result = TableMigration(source, target, plan, check_mode=module.check_mode).run()
    except MigrationFailed as e:
        module.fail_json(msg=e.message, **e.kwargs)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
