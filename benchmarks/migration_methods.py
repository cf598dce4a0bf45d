#!/usr/bin/env python
"""The two migration methods on the same table in one run, and where they cross: the copy
(dynamodb_table_migration) against the way through S3 (dynamodb_table_s3_migration: export, transform, import).

    .venv/bin/python benchmarks/migration_methods.py [--port 4641] [--items 20000] [--rtt-ms 10]
                                                     [--s3-fixed-minutes 30] [--threads 4] [--segments 4]

What it measures, on one emulator, one source table (session items of about 0.5 KB), in the same run:
* the copy's items/s, each module run in its own process as AnsiballZ runs it: straight to the emulator, and
  behind a --rtt-ms round trip per call (scripts/latency_proxy.py; a network between the host and DynamoDB).
  The copy's speed on AWS is that of one host's calls, so the figure behind the round trip is the one that
  carries over.
* the way through S3 with the transform in the module (transform_engine module): the run that transforms the
  export's files and imports them, and its items/s. ministack writes no export file, so the files AWS would
  have written are written first (scripts/ministack_export_files.py), as in the tests. The export and import
  jobs take no time on the emulator; on AWS they take minutes whatever the table's size, and AWS publishes
  their prices, not their speeds: --s3-fixed-minutes is that assumption, printed with the result.
* the average item size (DynamoDB's rules, _migrate/item_size.py) and the DynamoDB JSON bytes an import reads.

Then the model, at AWS's published us-east-1 on-demand prices (https://aws.amazon.com/dynamodb/pricing/on-demand/):
the copy costs a write request unit per KB of each item (0.625 USD per million) and a read request unit per
4 KB scanned, eventually consistent (0.125 USD per million, half a unit each); the way through S3 costs 0.10 USD
per GB of table exported and 0.15 USD per GB of DynamoDB JSON imported. Time: the copy at its measured rate
behind the round trip; the way through S3 at --s3-fixed-minutes plus its measured transform rate. It prints
hours and USD of each at table sizes from 0.1 GB to 1 TB, their ratio (S3 / copy), the size where the times
cross, and the size from which the way through S3 takes at most --max-time-ratio (1.5) times the copy's time:
from there on it is the better trade (a third of the cost, none of the source's read capacity, resumable stage by
stage, and a Spark transform for more speed), which is how dynamodb_migration_s3_from_gb's default was chosen.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
sys.path.insert(0, os.path.join(ROOT, ".collections"))
import emulator  # noqa: E402
from latency_proxy import LatencyProxy  # noqa: E402
from migrate import KEY_CHANGE, REGION, Bench  # noqa: E402
from ministack_export_files import scan_all, write_aws_export_files  # noqa: E402
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.item_size import item_size  # noqa: E402
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.method_choice import S3_FROM_GB  # noqa: E402
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration_plan import (  # noqa: E402
    EXPORT_USD_PER_GB, IMPORT_USD_PER_GB, JOBS_MINUTES_ASSUMED)

S3_MODULE = "ansible_collections.aichef.dynamodb.plugins.modules.dynamodb_table_s3_migration"
WRITE_USD_PER_MILLION = 0.625  # on-demand write request units, us-east-1
READ_USD_PER_MILLION = 0.125  # on-demand read request units, us-east-1
GB = 1024.0 ** 3
SIZES_GB = (0.1, 1, 5, 10, 50, 100, 500, 1000)


def run_s3_module(bench, args_path, arguments):
    with open(args_path, "w") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": dict(arguments, region=REGION, endpoint_url=bench.endpoint,
                                               access_key="bench", secret_key="bench")}, handle)
    started = time.perf_counter()
    completed = subprocess.run([os.path.join(ROOT, ".venv", "bin", "python"), "-m", S3_MODULE, args_path],
                               env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, ".collections")),
                               capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    return json.loads(completed.stdout[completed.stdout.index("{"):]), seconds


def through_s3(bench, items):
    """The way through S3 on the emulator (transform in the module): (items/s of the run that transforms and
    imports, DynamoDB JSON bytes written for the import)."""
    import boto3  # noqa: E402  (the bench's own dependency)
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=bench.endpoint, aws_access_key_id="bench",
                      aws_secret_access_key="bench")
    bucket = "bench-migrations"
    s3.create_bucket(Bucket=bucket)
    bench.ddb.update_continuous_backups(TableName=bench.source,
                                        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    with tempfile.TemporaryDirectory(prefix="bench-methods-") as directory:
        arguments = dict(source_table=bench.source, target_table="bench-sessions-s3", s3_bucket=bucket,
                         s3_prefix="methods", hash_key=dict(name="PK"), range_key=dict(name="SK"),
                         transform=KEY_CHANGE, checkpoint_path=os.path.join(directory, "checkpoint.json"),
                         poll_interval=1, verify_sample_size=0)
        args_path = os.path.join(directory, "args.json")
        stopped, dummy = run_s3_module(bench, args_path, arguments)  # ministack's export writes no file
        export_arn = stopped["migration"]["export"]["arn"]
        json_bytes = write_aws_export_files(s3, bench.ddb, bucket, "methods", bench.source, export_arn, files=4)
        done, seconds = run_s3_module(bench, args_path, arguments)
    if done.get("failed") or done["migration"]["transform"]["items_written"] != items:
        raise SystemExit("the way through S3 failed: %s" % done.get("msg"))
    return items / seconds, json_bytes


def copy_rate(bench, args):
    """items/s of the copy (module clock), straight and behind the round trip."""
    straight = bench.module_direct(args.threads, args.segments)
    proxy = LatencyProxy(args.port, args.rtt_ms / 1000.0)
    try:
        behind = bench.through(proxy.port).module_direct(args.threads, args.segments)
    finally:
        proxy.close()
    return straight["items_per_second"], behind["items_per_second"]


def model(size_gb, item_bytes, json_ratio, copy_per_second, transform_per_second, fixed_minutes):
    """(copy hours, copy USD, S3 hours, S3 USD) for a table of size_gb of items of item_bytes."""
    items = size_gb * GB / item_bytes
    write_units = items * math.ceil(item_bytes / 1024.0)
    read_units = size_gb * GB / 4096.0 / 2  # a scan reads 4 KB per unit, eventually consistent: half a unit
    copy_usd = (write_units * WRITE_USD_PER_MILLION + read_units * READ_USD_PER_MILLION) / 1e6
    s3_usd = size_gb * EXPORT_USD_PER_GB + size_gb * json_ratio * IMPORT_USD_PER_GB
    return (items / copy_per_second / 3600.0, copy_usd,
            fixed_minutes / 60.0 + items / transform_per_second / 3600.0, s3_usd)


def size_at_time_ratio(ratio, item_bytes, copy_per_second, transform_per_second, fixed_minutes):
    """GB from which the way through S3 takes at most ratio times the copy's time:
    fixed + items / transform = ratio * items / copy (ratio 1: where the times cross)."""
    denominator = ratio / copy_per_second - 1.0 / transform_per_second
    if denominator <= 0:
        return float("inf")
    return fixed_minutes * 60.0 / denominator * item_bytes / GB


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=4641)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--rtt-ms", type=float, default=10.0)
    # The same assumption as the module's check-mode estimate.
    parser.add_argument("--s3-fixed-minutes", type=float, default=float(JOBS_MINUTES_ASSUMED))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--segments", type=int, default=4)
    parser.add_argument("--max-time-ratio", type=float, default=1.5)
    args = parser.parse_args()

    emulator.stop(args.port)
    emulator.start(args.port)
    try:
        bench = Bench(args.port, "session")
        bench.seed_to(args.items)
        sample = scan_all(bench.ddb, bench.source)
        item_bytes = sum(item_size(entry) for entry in sample) / float(len(sample))
        straight, behind = copy_rate(bench, args)
        transform_per_second, json_bytes = through_s3(bench, args.items)
    finally:
        emulator.stop(args.port)
    json_ratio = json_bytes / (item_bytes * args.items)

    print("%d session items, %.0f bytes each on average (DynamoDB's item size); the import reads %.2fx that in "
          "DynamoDB JSON" % (args.items, item_bytes, json_ratio))
    print("copy (dynamodb_table_migration, %d threads):   %7.0f items/s straight to the emulator, %7.0f items/s "
          "behind a %.0f ms round trip" % (args.threads, straight, behind, args.rtt_ms))
    print("through S3 (transform in the module):         %7.0f items/s for the run that transforms and imports "
          "(the jobs themselves take no time here)" % transform_per_second)
    print("assumed for AWS's export and import jobs together: %.0f minutes, whatever the size (AWS publishes no "
          "speed)" % args.s3_fixed_minutes)
    print()
    header = ("size GB", "copy h", "copy USD", "S3 h", "S3 USD", "S3/copy h", "S3/copy $")
    print("%8s  %10s %10s  %10s %10s  %8s %8s" % header)
    for size in SIZES_GB:
        copy_hours, copy_usd, s3_hours, s3_usd = model(
            size, item_bytes, json_ratio, behind, transform_per_second, args.s3_fixed_minutes)
        print("%8g  %10.2f %10.2f  %10.2f %10.2f  %8.2fx %8.2fx" % (
            size, copy_hours, copy_usd, s3_hours, s3_usd, s3_hours / copy_hours, s3_usd / copy_usd))
    rates = (item_bytes, behind, transform_per_second, args.s3_fixed_minutes)
    cross, within = size_at_time_ratio(1.0, *rates), size_at_time_ratio(args.max_time_ratio, *rates)
    dummy, copy_usd, dummy, s3_usd = model(1, item_bytes, json_ratio, behind, transform_per_second,
                                           args.s3_fixed_minutes)
    print()
    print("the times cross at %.1f GB (%.0f million items of this size); through S3 takes at most %.1fx the copy's "
          "time from %.1f GB on, at %.2fx its cost at every size." % (
              cross, cross * GB / item_bytes / 1e6, args.max_time_ratio, within, s3_usd / copy_usd))
    print("dynamodb_migration_s3_from_gb (auto's threshold) is %g GB." % S3_FROM_GB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
