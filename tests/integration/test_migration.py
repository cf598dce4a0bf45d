"""dynamodb_table_migration on the emulator: 20,000 items (about 9 scan pages of 1 MB) migrated with a key
change; the guide's script loses items on the same data; a migration killed midway finishes on re-run with
exactly the source count; bad input fails before any write.

Two source tables, each seeded once for the module (BatchWriteItem from 4 threads): the 20,000 items of the key
change and of the guide's script, and 4,000 of the same items (two pages) for the check mode, write limit, kill
and bad input tests, which need more than one page but not that many items (the emulator spends its CPU per
item). Everything runs through ansible-playbook: the key-change playbook with -v and results printed as JSON, the
other module runs through a one-task playbook that saves its results to a file; either way the tests read results
as data.
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.config
import pytest

from conftest import PORT, REGION, ROOT, kill_tree

sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
from guide_migration import guide_migration  # noqa: E402  (the guide's script, the baseline)

# Each source's tests run in one pytest-xdist worker, so its module-scoped fixture is built once (make integration:
# loadgroup); the two groups can run side by side.
ON_LARGE_SOURCE = pytest.mark.xdist_group("migration")
ON_SMALL_SOURCE = pytest.mark.xdist_group("migration-small")

ITEMS = 20000
SMALL_ITEMS = 4000
PAYLOAD = 300  # bytes of padding per item: ~0.5 KB items, so the table spans ~9 scan pages of 1 MB
KEY_CHANGE = {"derive": {"PK": "SESSION#{sessionId}", "SK": "META"}}
SESSIONS_V2_TEMPLATE = os.path.join(ROOT, "files", "examples", "sessions-v2.yaml")

# Runs the module once per entry of migration_runs (failures included: each result is checked by the test)
# and keeps the results in a JSON file, so a test reads them as data.
MODULE_PLAYBOOK = """---
- name: Run dynamodb_table_migration
  hosts: all
  gather_facts: false
  tasks:
    - name: Migrate
      aichef.dynamodb.dynamodb_table_migration: "{{ item }}"
      loop: "{{ migration_runs }}"
      failed_when: false
      register: __runs
      module_defaults:
        group/aichef.dynamodb.aws:
          region: "{{ dynamodb_stack_aws_region }}"
          endpoint_url: "{{ dynamodb_stack_aws_endpoint_url }}"
          access_key: "{{ dynamodb_stack_aws_access_key }}"
          secret_key: "{{ dynamodb_stack_aws_secret_key }}"

    - name: Keep the results
      ansible.builtin.copy:
        content: "{{ __runs.results | to_json }}"
        dest: "{{ results_path }}"
        mode: "0600"
      check_mode: false
"""


def unique(prefix):
    # No "test" in names: the inventory's dummy secret key is "test", and Ansible masks it in every result.
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def session_item(number):
    """A low-level item with every kind of value, so that any type conversion would show."""
    item = {
        "sessionId": {"S": "session-%06d" % number},
        "userId": {"S": "user-%d" % (number % 500)},
        "createdAt": {"N": str(1700000000 + number)},
        "sessionStatus": {"S": "active" if number % 10 else "closed"},
        "tags": {"SS": ["chef", "tag-%d" % (number % 7)]},
        "ratings": {"NS": ["%d.%d" % (number % 5, number % 10), "10"]},
        "settings": {"M": {"lang": {"S": "ko"}, "servings": {"N": str(number % 6 + 1)},
                           "vegan": {"BOOL": number % 3 == 0}}},
        "steps": {"L": [{"S": "prep"}, {"N": "2"}, {"NULL": True}]},
        "payload": {"S": ("%06d" % number) * (PAYLOAD // 6)},
    }
    if number % 50 == 0:
        item["thumbnail"] = {"B": bytes([number % 256]) * 16}
    return item


def expected_target_item(source):
    return dict(source, PK={"S": "SESSION#" + source["sessionId"]["S"]}, SK={"S": "META"})


def canonical(item):
    """Sets compare unordered (DynamoDB does not keep their order)."""
    return dict((name, {kind: sorted(raw) for kind, raw in value.items()} if set(value) & {"SS", "NS", "BS"} else value)
                for name, value in item.items())


def create_table(ddb, name, key):
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": attribute, "KeyType": kind} for attribute, kind in key],
                     AttributeDefinitions=[{"AttributeName": attribute, "AttributeType": "S"} for attribute, dummy in key])
    return name


def create_target(ddb):
    return create_table(ddb, unique("mig-target"), [("PK", "HASH"), ("SK", "RANGE")])


def count_items(ddb, table):
    count, kwargs = 0, dict(TableName=table, Select="COUNT")
    for page in ddb.get_paginator("scan").paginate(**kwargs):
        count += page["Count"]
    return count


def seeded_table(endpoint, items):
    ddb = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="test",
                       aws_secret_access_key="test", config=botocore.config.Config(parameter_validation=False))
    name = create_table(ddb, unique("mig-sessions"), [("sessionId", "HASH")])

    def seed(start):
        for first in range(start, min(start + 1000, items), 25):
            ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": session_item(number)}}
                                                      for number in range(first, min(first + 25, items))]})

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(seed, range(0, items, 1000)))
    return ddb, name


@pytest.fixture(scope="module")
def source_table(endpoint):
    ddb, name = seeded_table(endpoint, ITEMS)
    first_page = ddb.scan(TableName=name)
    assert "LastEvaluatedKey" in first_page and first_page["Count"] < ITEMS / 5  # several 1 MB pages
    return name


@pytest.fixture(scope="module")
def small_source_table(endpoint):
    return seeded_table(endpoint, SMALL_ITEMS)[1]


def ansible_env(**extra):
    env = dict(os.environ, AICHEF_EMULATOR_PORT=str(PORT), ANSIBLE_NOCOLOR="1", ANSIBLE_CALLBACK_RESULT_FORMAT="json",
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"))
    env.update(extra)
    return env


def playbook_command(playbook, extra_vars, check=False):
    command = [os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-v", "-i", "inventories/local", playbook,
               "-e", json.dumps(extra_vars)]
    return command + (["--check"] if check else [])


TASK_HEADER = re.compile(r"^TASK \[(?P<name>.*)\] \**$", re.MULTILINE)
RECAP = re.compile(r"^localhost\s+:.*\bchanged=(\d+)", re.MULTILINE)


class Played:
    """A finished ansible-playbook -v run (results printed as JSON): exit code, and each task's result by name."""

    def __init__(self, completed):
        self.returncode = completed.returncode
        self.output = completed.stdout + completed.stderr
        self.tasks = {}
        headers = list(TASK_HEADER.finditer(completed.stdout))
        for index, header in enumerate(headers):
            end = headers[index + 1].start() if index + 1 < len(headers) else len(completed.stdout)
            chunk = completed.stdout[header.end():end]
            marker = chunk.find("=> {")
            if marker != -1:
                self.tasks[header.group("name")] = json.JSONDecoder().raw_decode(chunk[marker + 3:])[0]
        recap = RECAP.findall(completed.stdout)
        self.changed = int(recap[-1]) if recap else None

    def result(self, name="Migrate"):
        assert name in self.tasks, self.output
        return self.tasks[name]


def play(playbook, extra_vars, check=False):
    completed = subprocess.run(playbook_command(playbook, extra_vars, check), cwd=ROOT, env=ansible_env(),
                               capture_output=True, text=True, timeout=300, check=False)
    return Played(completed)


@pytest.fixture
def migrate(tmp_path):
    """migrate(*runs, check=False) -> the module's result for each run (dicts of module arguments)."""
    playbook, results = tmp_path / "migrate-runs.yml", tmp_path / "results.json"
    playbook.write_text(MODULE_PLAYBOOK)

    def run(*runs, **options):
        played = play(str(playbook), dict(migration_runs=list(runs), results_path=str(results)), **options)
        assert played.returncode == 0, played.output
        return json.loads(results.read_text())
    return run


@ON_LARGE_SOURCE
def test_playbook_migrates_20000_items_with_key_change_then_reruns_unchanged(source_table, ddb, tmp_path):
    """The guide's key-change flow: new stack for the PK/SK table, migrate, verify; the old table stays."""
    target = unique("mig-sessions-v2")
    template = tmp_path / "sessions-v2.yaml"
    with open(SESSIONS_V2_TEMPLATE) as handle:
        template.write_text(handle.read().replace("TableName: ai-chef-sessions-v2", "TableName: " + target))
    variables = dict(dynamodb_migration_source_table=source_table, dynamodb_migration_stack_name=target,
                     dynamodb_migration_template_path=str(template), dynamodb_migration_sample_size=20,
                     dynamodb_migration_checkpoint_path=str(tmp_path / "checkpoint.json"))

    first = play("playbooks/migrate-dynamodb-table.yml", variables)

    assert first.returncode == 0, first.output
    # Chosen by size (the default dynamodb_migration_method auto): a table this small is copied.
    assert "method copy" in first.result("Show the migration method")["msg"], first.output
    assert "under dynamodb_migration_s3_from_gb=5" in first.result("Show the migration method")["msg"]
    result = first.result("Copy the source table's items into the new table, transformed")
    migration = result["migration"]
    assert result["changed"] is True and migration["status"] == "complete"
    assert (migration["items_scanned"], migration["items_written"], migration["items_filtered"],
            migration["items_failed"]) == (ITEMS, ITEMS, 0, 0)
    assert sum(segment["items_scanned"] for segment in migration["segments"]) == ITEMS
    assert all(segment["complete"] for segment in migration["segments"])
    assert migration["verification"]["count_matches"] is True
    assert migration["verification"]["sample_matched"] == migration["verification"]["sample_checked"] > 0
    assert count_items(ddb, target) == ITEMS

    for number in random.Random(7).sample(range(ITEMS), 50):  # the test's own sample, independent of the module's
        source = ddb.get_item(TableName=source_table, Key={"sessionId": {"S": f"session-{number:06d}"}})["Item"]
        migrated = ddb.get_item(TableName=target, Key={"PK": {"S": f"SESSION#session-{number:06d}"},
                                                       "SK": {"S": "META"}})["Item"]
        assert canonical(migrated) == canonical(expected_target_item(source))
    assert count_items(ddb, source_table) == ITEMS  # the old table is left in place, untouched

    again = play("playbooks/migrate-dynamodb-table.yml", variables)
    assert again.returncode == 0, again.output
    assert again.changed == 0, again.output
    assert "already complete" in again.result("Copy the source table's items into the new table, transformed")["msg"]


@ON_LARGE_SOURCE
def test_guide_script_loses_items_on_the_same_data(source_table, ddb, endpoint):
    """The baseline's defect: one scan() without pagination copies only the first 1 MB page."""
    target = create_target(ddb)
    resource = boto3.resource("dynamodb", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="test",
                              aws_secret_access_key="test")

    migrated = guide_migration(resource, source_table, target)

    assert count_items(ddb, target) == migrated < ITEMS
    assert migrated < ITEMS / 5  # it silently left more than 80% of the sessions behind


@ON_SMALL_SOURCE
def test_check_mode_counts_everything_and_writes_nothing(small_source_table, ddb, migrate, tmp_path):
    target = create_target(ddb)
    checkpoint = tmp_path / "checkpoint.json"
    result, = migrate(dict(source_table=small_source_table, target_table=target, checkpoint_path=str(checkpoint),
                           transform=dict(KEY_CHANGE, filter=[dict(attribute="sessionStatus", equals="active")])),
                      check=True)
    migration = result["migration"]
    assert migration["status"] == "check_mode", result
    assert (migration["items_scanned"], migration["items_written"], migration["items_filtered"]) == (
        SMALL_ITEMS, SMALL_ITEMS * 9 // 10, SMALL_ITEMS // 10)
    assert count_items(ddb, target) == 0
    assert not checkpoint.exists()


@ON_SMALL_SOURCE
def test_write_limit_holds_the_rate_the_emulator_reports(small_source_table, ddb, migrate):
    """50 write units a second for the 400 closed sessions (1 unit each, items under 1 KB): the copy cannot take
    less than (units - 1 s of burst - one batch per thread) / 50 s, whereas unlimited it takes ~1 s here.
    The units are DynamoDB's own count (ReturnConsumedCapacity), reported per run."""
    target = create_target(ddb)
    limit, threads = 50.0, 4
    result, = migrate(dict(source_table=small_source_table, target_table=target, threads=threads,
                           total_segments=threads, max_write_units_per_second=limit,
                           transform=dict(KEY_CHANGE, filter=[dict(attribute="sessionStatus", equals="closed")])))
    migration = result["migration"]
    run = migration["run"]
    assert migration["status"] == "complete" and migration["items_written"] == SMALL_ITEMS // 10, result
    assert run["target_write_units"] >= migration["items_written"]  # at least one unit per item written
    assert run["seconds"] >= (run["target_write_units"] - limit - threads * 25) / limit, run
    assert run["source_read_units"] > 0, run
    # The limiter waits whenever the copy would outrun the limit. On a loaded machine, scanning the 4,000 source
    # items can itself take longer than the 400 writes are allowed (~7 s), and then no wait is due: the wait must
    # be there unless the writes, burst included, already fitted under the limit.
    if run["capacity_wait_seconds"] == 0:
        assert run["target_write_units"] <= limit * (run["seconds"] + 1) + threads * 25, run
    assert count_items(ddb, target) == SMALL_ITEMS // 10


@ON_SMALL_SOURCE
def test_killed_migration_rerun_finishes_with_exact_source_count(small_source_table, ddb, migrate, tmp_path):
    """SIGKILL ansible-playbook, its worker and the module once the checkpoint shows progress, then re-run. Pages of
    100 items: each segment's checkpoint advances ten times, so the kill lands while most of the copy remains.
    (Killing the process group alone left the module running: ansible's workers call setsid().)"""
    target = create_target(ddb)
    checkpoint = tmp_path / "checkpoint.json"
    args = dict(source_table=small_source_table, target_table=target, transform=KEY_CHANGE, verify_count=False,
                checkpoint_path=str(checkpoint), total_segments=4, threads=2,  # the test counts for itself
                page_size=100)
    playbook = tmp_path / "migrate-once.yml"
    playbook.write_text(MODULE_PLAYBOOK)
    command = playbook_command(str(playbook), dict(migration_runs=[args], results_path=str(tmp_path / "none.json")))
    process = subprocess.Popen(command, cwd=ROOT, env=ansible_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    written_at_kill = 0
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and not written_at_kill:
            if checkpoint.exists():  # replaced atomically: always a whole JSON document
                written_at_kill = sum(segment["items_written"]
                                      for segment in json.loads(checkpoint.read_text())["segments"])
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            kill_tree(process.pid)  # ansible-playbook, its worker (in a session of its own) and the module process
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the migration ended before it could be killed"
    at_kill = checkpoint.read_text()
    time.sleep(1)
    assert checkpoint.read_text() == at_kill, "the module outlived the kill: it still writes its checkpoint"
    assert json.loads(at_kill)["status"] == "in_progress"
    assert 0 < written_at_kill < SMALL_ITEMS

    result, = migrate(dict(args, threads=4))  # threads are not part of a checkpoint; segments are

    migration = result["migration"]
    assert migration["status"] == "complete", result
    assert migration["resumed"] is True
    assert migration["run"]["items_scanned"] < SMALL_ITEMS  # continued, did not start over
    assert migration["items_scanned"] == migration["items_written"] == SMALL_ITEMS
    assert count_items(ddb, target) == SMALL_ITEMS  # exactly: the overlap was put again, never duplicated or lost


@ON_SMALL_SOURCE
def test_bad_input_fails_clearly_before_any_write(small_source_table, ddb, migrate):
    target = create_target(ddb)
    good = dict(source_table=small_source_table, target_table=target, transform=KEY_CHANGE)
    cases = [
        (dict(good, source_table="mig-nowhere"), "Source table mig-nowhere does not exist"),
        (dict(good, target_table="mig-nowhere"), "Target table mig-nowhere does not exist"),
        (dict(good, transform=dict(derive=dict(PK="SESSION#{sessionId}"))),
         "The transform produces no valid target item (target key PK (S), SK (S))"),
        (dict(good, transform=dict(derive=dict(PK="SESSION#{sessionId}", SK="META"), drop=["SK"])),
         "SK is both derived and dropped"),
    ]
    results = migrate(*[args for args, dummy in cases])
    for (args, message), result in zip(cases, results):
        assert message in result["msg"], result
        assert "migration" not in result and result["changed"] is False
    assert count_items(ddb, target) == 0
