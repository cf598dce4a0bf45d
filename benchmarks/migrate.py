#!/usr/bin/env python
"""Migration speed and memory: dynamodb_table_migration vs the guide's scan + put_item loop, same emulator,
same data, same run. Prints items/s of each and their ratio, and the module's peak RSS at two table sizes.

    .venv/bin/python benchmarks/migrate.py [--port 4631] [--items 25000] [--large-items 100000] [--runs 3]
                                           [--shape session|rich|nested] [--threads 4] [--segments 4] [--rtt-ms 0]

Target (issue 7): the module >= 10x the guide's items/s; peak RSS < 200 MB at 100,000 items, not growing
with the item count.

How it measures:
* The guide's loop (benchmarks/guide_migration.py, the guide's script verbatim): wall time from its scan()
  to its last put_item. It copies only the first 1 MB page; its rate is items put per second.
* The module, as Ansible runs it: ansible-playbook with one task (end-to-end wall time, process start-up
  included), and the module's own clock (RV(migration.run.items_per_second): preflight, scan, transform,
  write; not process start-up, not verification). The ratio uses the module's own clock, which, like the
  guide's, covers the copy alone. Guide and module runs are interleaved --runs times (machine drift hits
  both alike) and the medians compared.
* Peak RSS: the module run directly (python -m ...dynamodb_table_migration args.json, what AnsiballZ
  executes) by a small launcher process, its ru_maxrss read with os.wait4 once it exits: at --items, then after
  topping the source up to --large-items. Verification is off in these runs (it holds no items either).
* The ceiling: the emulator serves both paths from one Python process (one core). The module keeps it busy, so
  1 / (emulator CPU seconds per item the module copied) bounds any client's items/s on it; that bound over
  the guide's items/s is the best ratio this emulator allows, printed beside the measured one.
* --rtt-ms N: the same comparison once more behind scripts/latency_proxy.py, which adds N ms to every call (a
  network between client and DynamoDB; same-region EC2 to DynamoDB is a few ms). The emulator's CPU no longer
  hides the difference between one call per item and 25 items per call with several calls in flight.
* --shape nested: items of about 350 KB (DynamoDB's item-size rules) of nested M and L (a recipe's steps). The
  module's peak RSS on them is printed against its peak RSS on flat session items, at --items, in the same run
  (ratio). Target (issue 17): under 150 MB.
* On ministack a scan page costs time proportional to the whole table (it sorts the table for every page),
  so items/s falls as the table grows; AWS does not behave like that. The ratio is taken at --items.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import emulator  # noqa: E402
from latency_proxy import LatencyProxy  # noqa: E402
from guide_migration import guide_migration  # noqa: E402

REGION = "us-east-1"
SOURCE = "bench-sessions"
KEY_CHANGE = {"derive": {"PK": "SESSION#{sessionId}", "SK": "META"}}
MODULE = "ansible_collections.aichef.dynamodb.plugins.modules.dynamodb_table_migration"
PLAYBOOK = """---
- name: Benchmark, dynamodb_table_migration alone
  hosts: all
  gather_facts: false
  tasks:
    - name: Migrate
      aichef.dynamodb.dynamodb_table_migration: "{{ migration_args }}"
      module_defaults:
        group/aichef.dynamodb.aws:
          region: "{{ dynamodb_stack_aws_region }}"
          endpoint_url: "{{ dynamodb_stack_aws_endpoint_url }}"
          access_key: "{{ dynamodb_stack_aws_access_key }}"
          secret_key: "{{ dynamodb_stack_aws_secret_key }}"
      register: benchmark_migration

    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ benchmark_migration | to_json }}"
        dest: "{{ result_path }}"
        mode: "0600"
"""


# Starts the module and prints [exit code, its ru_maxrss in KB] (os.wait4). A child forked straight from this
# script would report at least this script's own peak (Linux keeps the high-water mark across fork and exec),
# hundreds of MB after seeding nested items: the small launcher is forked instead.
LAUNCHER = """
import json, os, subprocess, sys
process = subprocess.Popen(sys.argv[1:])
dummy, status, usage = os.wait4(process.pid, 0)
sys.stderr.write(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]) + "\\n")
"""


def session_item(number):
    """What an AI Chef session looks like: a few scalars and the request as a JSON string (~0.9 KB)."""
    request = json.dumps({"ingredients": ["ingredient-%d" % ((number + k) % 300) for k in range(12)],
                          "prompt": "Suggest a recipe for session %d. " % number * 12})
    return {
        "sessionId": {"S": "session-%07d" % number},
        "userId": {"S": "user-%d" % (number % 5000)},
        "createdAt": {"N": str(1760000000 + number)},
        "updatedAt": {"N": str(1760000500 + number)},
        "TTL": {"N": str(1790000000 + number)},
        "sessionStatus": {"S": "active" if number % 10 else "closed"},
        "request": {"S": request[:700]},
    }


def rich_item(number):
    """Every DynamoDB type, nested (as in tests/integration/test_migration.py): more work per item for the
    emulator in both paths, so a smaller ratio."""
    item = session_item(number)
    item.update(tags={"SS": ["chef", "tag-%d" % (number % 7)]}, ratings={"NS": [str(number % 5), "10"]},
                settings={"M": {"lang": {"S": "ko"}, "servings": {"N": str(number % 6 + 1)},
                                "vegan": {"BOOL": number % 3 == 0}}},
                steps={"L": [{"S": "prep"}, {"N": "2"}, {"NULL": True}]})
    return item


def nested_item(number):
    """About 350 KB by DynamoDB's item-size rules: a session whose recipe is 2,350 steps, each a map of scalars,
    a list and a nested map. Small elements: the Python objects that hold it weigh many times its bytes."""
    item = session_item(number)
    item["recipe"] = {"L": [{"M": {
        "step": {"N": str(step)},
        "text": {"S": "Stir the pot %d gently for %d minutes, taste." % (step, step % 9)},
        "tools": {"L": [{"S": "spoon"}, {"S": "pot-%d" % (step % 4)}, {"N": str(step % 7)}]},
        "timer": {"M": {"minutes": {"N": str(step % 30)}, "alarm": {"BOOL": step % 2 == 0}, "note": {"NULL": True}}},
        "ingredients": {"SS": ["salt", "ingredient-%d" % ((number + step) % 300)]},
    }} for step in range(2350)]}
    return item


SHAPES = dict(session=session_item, rich=rich_item, nested=nested_item)


class Bench:
    """The two paths against one emulator; `port` is where clients connect (the emulator, or a proxy before it)."""

    def __init__(self, port, shape, emulator_port=None, source=SOURCE):
        self.source = source
        self.endpoint = "http://127.0.0.1:%d" % port
        self.port = port
        self.shape = shape
        self.make_item = SHAPES[shape]
        credentials = dict(region_name=REGION, endpoint_url=self.endpoint, aws_access_key_id="bench",
                           aws_secret_access_key="bench")
        self.ddb = boto3.client("dynamodb", config=botocore.config.Config(max_pool_connections=8), **credentials)
        self.resource = boto3.resource("dynamodb", **credentials)
        self.seeded = 0
        self.targets = 0
        self.emulator_pid = emulator.read_pid(emulator_port or port)

    def through(self, port):
        """The same emulator, tables and counters, reached through `port` (a proxy)."""
        other = Bench(port, self.shape, emulator_port=self.port)
        other.seeded, other.targets = self.seeded, self.targets + 1000
        return other

    def emulator_cpu(self):
        """CPU seconds the emulator process has used so far (it serves both paths: the shared bottleneck)."""
        with open("/proc/%d/stat" % self.emulator_pid) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))

    def create_table(self, name, key):
        self.ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": attribute, "KeyType": kind} for attribute, kind in key],
                              AttributeDefinitions=[{"AttributeName": attribute, "AttributeType": "S"}
                                                    for attribute, dummy in key])
        return name

    def new_target(self):
        self.targets += 1
        return self.create_table("bench-sessions-v2-%d" % self.targets, [("PK", "HASH"), ("SK", "RANGE")])

    def drop(self, table):
        self.ddb.delete_table(TableName=table)  # keeps the emulator's heap (and its GC time) small

    def seed_to(self, count):
        if not self.seeded:
            self.create_table(self.source, [("sessionId", "HASH")])

        def seed(start):
            for first in range(start, min(start + 5000, count), 25):
                requests = [{"PutRequest": {"Item": self.make_item(number)}}
                            for number in range(first, min(first + 25, count))]
                self.ddb.batch_write_item(RequestItems={self.source: requests})

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(seed, range(self.seeded, count, 5000)))
        self.seeded = count

    def count(self, table):
        return sum(page["Count"] for page in self.ddb.get_paginator("scan").paginate(TableName=table, Select="COUNT"))

    def guide(self):
        target = self.new_target()
        cpu, started = self.emulator_cpu(), time.perf_counter()
        copied = guide_migration(self.resource, self.source, target)
        seconds = time.perf_counter() - started
        emulator_ms = (self.emulator_cpu() - cpu) * 1000.0 / copied
        self.drop(target)
        return dict(copied=copied, seconds=seconds, items_per_second=copied / seconds, emulator_ms=emulator_ms)

    def module_args(self, target, threads, segments, verify):
        return dict(source_table=self.source, target_table=target, transform=KEY_CHANGE, total_segments=segments,
                    threads=threads, verify_count=verify, region=REGION, endpoint_url=self.endpoint,
                    access_key="bench", secret_key="bench")

    def module_via_ansible(self, threads, segments):
        target = self.new_target()
        with tempfile.TemporaryDirectory(prefix="bench-migrate-") as directory:
            playbook, result_path = os.path.join(directory, "migrate.yml"), os.path.join(directory, "result.json")
            with open(playbook, "w") as handle:
                handle.write(PLAYBOOK)
            args = self.module_args(target, threads, segments, verify=False)
            for name in ("region", "endpoint_url", "access_key", "secret_key"):
                del args[name]  # from the inventory, as a playbook gets them
            env = dict(os.environ, AICHEF_EMULATOR_PORT=str(self.port),
                       ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                       ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"))
            cpu, started = self.emulator_cpu(), time.perf_counter()
            command = [os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", "inventories/local", playbook,
                       "-e", json.dumps(dict(migration_args=args, result_path=result_path))]
            completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
            emulator_seconds = self.emulator_cpu() - cpu
            if completed.returncode != 0:
                raise SystemExit("module run failed:\n%s%s" % (completed.stdout, completed.stderr))
            with open(result_path) as handle:
                migration = json.load(handle)["migration"]
        copied = self.count(target)
        self.drop(target)
        return dict(copied=copied, wall=wall, seconds=migration["run"]["seconds"],
                    items_per_second=migration["run"]["items_per_second"],
                    emulator_ms=emulator_seconds * 1000.0 / copied)

    def module_direct(self, threads, segments):
        """The module in its own process, as AnsiballZ runs it; its peak RSS from os.wait4."""
        target = self.new_target()
        with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="bench-migrate-") as args_file:
            json.dump({"ANSIBLE_MODULE_ARGS": self.module_args(target, threads, segments, verify=False)}, args_file)
            args_file.flush()
            with tempfile.TemporaryFile() as output:
                python = os.path.join(ROOT, ".venv", "bin", "python")
                launcher = subprocess.run([python, "-c", LAUNCHER, python, "-m", MODULE, args_file.name],
                                          env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, ".collections")),
                                          stdout=output, stderr=subprocess.PIPE, check=False)
                output.seek(0)
                text = output.read().decode()
        returncode, max_rss_kb = json.loads(launcher.stderr.decode().strip().splitlines()[-1])
        result = json.loads(text[text.index("{"):])
        if returncode != 0 or result.get("failed"):
            raise SystemExit("module run failed: %s" % result.get("msg"))
        copied = self.count(target)
        self.drop(target)
        return dict(copied=copied, rss_mb=max_rss_kb / 1024.0, seconds=result["migration"]["run"]["seconds"],
                    items_per_second=result["migration"]["run"]["items_per_second"])


def median_run(runs, key):
    """The run whose `key` is the median (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda run: run[key])
    return ordered[(len(ordered) - 1) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=4631)
    parser.add_argument("--items", type=int, default=25000)
    parser.add_argument("--large-items", type=int, default=100000)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="session")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--segments", type=int, default=4)
    parser.add_argument("--rtt-ms", type=float, default=0.0)
    args = parser.parse_args()

    emulator.stop(args.port)
    emulator.start(args.port)
    try:
        bench = Bench(args.port, args.shape)
        started = time.perf_counter()
        bench.seed_to(args.items)
        print("seeded %d %s items in %.1f s (emulator on port %d, %d CPUs)" % (
            args.items, args.shape, time.perf_counter() - started, args.port, os.cpu_count()))
        guides, modules = [], []
        for dummy in range(args.runs):
            guides.append(bench.guide())
            modules.append(bench.module_via_ansible(args.threads, args.segments))
        guide = median_run(guides, "items_per_second")
        module = median_run(modules, "items_per_second")
        small = bench.module_direct(args.threads, args.segments)
        rtt = measure_behind_latency(bench, args) if args.rtt_ms > 0 else None
        started = time.perf_counter()
        bench.seed_to(args.large_items)
        print("topped the source up to %d items in %.1f s" % (args.large_items, time.perf_counter() - started))
        guide_large = bench.guide()
        large = bench.module_direct(args.threads, args.segments)
        flat = flat_baseline(bench, args) if args.shape == "nested" else None
    finally:
        emulator.stop(args.port)

    print()
    print("items/s on %d items (%s shape), same emulator, same run, median of %d interleaved runs:" % (
        args.items, args.shape, args.runs))
    print("  guide's loop (scan + put_item)   %7.0f items/s   copied %6d of %d  (first 1 MB page only)" % (
        guide["items_per_second"], guide["copied"], args.items))
    print("  dynamodb_table_migration         %7.0f items/s   copied %6d of %d  (module clock %.1f s; "
          "ansible-playbook end to end %.1f s = %.0f items/s)" % (
              module["items_per_second"], module["copied"], args.items, module["seconds"], module["wall"],
              module["copied"] / module["wall"]))
    print("  emulator CPU per item copied: guide %.2f ms, module %.2f ms (the emulator is one Python process; "
          "a scan page costs it time proportional to the whole table)" % (guide["emulator_ms"], module["emulator_ms"]))
    print("  ratio module / guide             %7.1fx  (end to end, Ansible start-up included: %.1fx; per run: %s)" % (
        module["items_per_second"] / guide["items_per_second"],
        module["copied"] / module["wall"] / guide["items_per_second"],
        ", ".join("%.1fx" % (m["items_per_second"] / g["items_per_second"]) for g, m in zip(guides, modules))))
    ceiling = 1000.0 / module["emulator_ms"]
    print("  ceiling on this emulator        %7.0f items/s = %.1fx the guide: the emulator, one Python process, was "
          "busy %.0f%% of the module's clock; no client can copy faster than 1 / its CPU per item" % (
              ceiling, ceiling / guide["items_per_second"],
              100.0 * module["emulator_ms"] * module["copied"] / 1000.0 / module["seconds"]))
    print()
    print("peak RSS of the module process (threads=%d, total_segments=%d):" % (args.threads, args.segments))
    for count, run in ((args.items, small), (args.large_items, large)):
        print("  %7d items   %6.1f MB   copied %7d   %6.0f items/s" % (count, run["rss_mb"], run["copied"],
                                                                       run["items_per_second"]))
    print("  growth %+.1f MB for %dx the items; guide's loop at %d items: %.0f items/s" % (
        large["rss_mb"] - small["rss_mb"], args.large_items // args.items, args.large_items,
        guide_large["items_per_second"]))
    if flat:
        print("  baseline, flat session items (~0.7 KB) at %d items in the same run: %.1f MB; nested / flat: "
              "%.2fx at %d items, %.2fx at %d items" % (
                  args.items, flat["rss_mb"], small["rss_mb"] / flat["rss_mb"], args.items,
                  large["rss_mb"] / flat["rss_mb"], args.large_items))
    if rtt:
        guide_rtt, module_rtt = rtt
        print()
        print("behind a %.0f ms round trip per call (scripts/latency_proxy.py), %d items, median of %d runs:" % (
            args.rtt_ms, args.items, args.runs))
        print("  guide's loop %7.0f items/s, dynamodb_table_migration %7.0f items/s (copied %d): ratio %.1fx" % (
            guide_rtt["items_per_second"], module_rtt["items_per_second"], module_rtt["copied"],
            module_rtt["items_per_second"] / guide_rtt["items_per_second"]))
    return 0


def flat_baseline(bench, args):
    """The module's run on --items flat session items, its own source table, the same emulator: the baseline of
    the nested shape's peak RSS."""
    flat = Bench(args.port, "session", source=SOURCE + "-flat")
    flat.targets = bench.targets + 1000
    flat.seed_to(args.items)
    return flat.module_direct(args.threads, args.segments)


def measure_behind_latency(bench, args):
    """Guide and module interleaved --runs times behind a LatencyProxy; their median runs."""
    proxy = LatencyProxy(args.port, args.rtt_ms / 1000.0)
    try:
        behind = bench.through(proxy.port)
        guides, modules = [], []
        for dummy in range(args.runs):
            guides.append(behind.guide())
            modules.append(behind.module_via_ansible(args.threads, args.segments))
    finally:
        proxy.close()
    return median_run(guides, "items_per_second"), median_run(modules, "items_per_second")


if __name__ == "__main__":
    sys.exit(main())
