"""Fault tolerance (issue 9): the deploy playbook under injected AWS faults, hangs and interrupted runs.

Every AWS call of the playbook goes through scripts/fault_proxy.py, which forwards to the session's emulator and,
from a seeded random generator, answers about 30% of the calls itself: throttling in each service's own protocol,
HTTP 500/503, or a connection reset without a response; it also adds latency. It counts the calls, the faults by
kind, and the retries by layer (botocore's own retry handler, or the modules' AWSRetry once botocore gave up).
Test set-up calls (boto3 straight to the emulator) are never faulted or counted.

The figures of each scenario are printed at the end of the run ("fault tolerance" section; `make test` shows it)
and written to .run/fault-tolerance.json; README "Fault tolerance" quotes them.
"""
import concurrent.futures
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import botocore.config
import botocore.exceptions
import pytest

from conftest import ONE_LINE_RESULTS
from conftest import FAULT_SUMMARY_PATH as SUMMARY_PATH
from conftest import PORT
from conftest import ROOT
from conftest import aws_client
from conftest import playbook_command
from conftest import status_once_settled
from wait_conditions import signal_wait_condition, wait_for_the_wait_condition  # scripts/, on sys.path by conftest

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from fault_proxy import FaultProxy  # noqa: E402
# The migration tests' one-task playbook and items, reused as they are (helpers only, no test is imported).
from test_migration import KEY_CHANGE  # noqa: E402
from test_migration import MODULE_PLAYBOOK  # noqa: E402
from test_migration import canonical  # noqa: E402
from test_migration import create_table  # noqa: E402
from test_migration import expected_target_item  # noqa: E402
from test_migration import session_item  # noqa: E402

FAULT_RATE = 0.3
SEED = 20261125
BACKOFF_RETRIES = 10
# Small AWSRetry delays keep the suite quick; the kinds and number of faults, not the delays, are under test.
BACKOFF = dict(dynamodb_stack_backoff_retries=BACKOFF_RETRIES, dynamodb_stack_backoff_delay=1,
               dynamodb_stack_backoff_max_delay=2)
# Calls that change something: under faults each must reach the emulator exactly as often as without faults.
MUTATING_OPERATIONS = ("CreateStack", "UpdateStack", "DeleteStack", "CreateChangeSet", "DeleteChangeSet",
                       "ExecuteChangeSet", "ContinueUpdateRollback", "RollbackStack", "UpdateTerminationProtection")
# dynamodb_stack_wait_timeout of the hang tests, seconds. When the deploy itself holds the stack, the timeout must
# also cover amazon.aws.cloudformation's start and its CreateStack under the faults (retries, added latency):
# 6 s was once too short on a loaded machine, and the follow rightly reported the stack still ABSENT.
HANG_TIMEOUTS = {"another operation": 6, "the deploy itself": 12}
# A short botocore read timeout (and two attempts) for the endpoint that stops answering; the default is 60 s x 3.
SHORT_TIMEOUTS = dict(connect_timeout=1, read_timeout=2, retries=dict(total_max_attempts=2, mode="standard"))
# ansible-playbook start-up, template rendering and the tasks before and after the wait: a few seconds on a laptop.
PLAYBOOK_OVERHEAD = 25


# --- the summary printed at the end of the run ---------------------------------------------------------------------
class FaultToleranceSummary:
    """One line per scenario, printed in pytest's terminal summary and written to .run/fault-tolerance.json."""

    def __init__(self):
        self.rows = []

    def add(self, scenario, report, state_equal, seconds, baseline_calls=None, failure=None):
        """failure: the message a run that must fail failed with (its first line)."""
        self.rows.append(dict(scenario=scenario, state_equal=state_equal, seconds=round(seconds, 1),
                              baseline_calls=baseline_calls, failure=(failure or "").split("\n")[0] or None, **report))

    @staticmethod
    def line(row):
        kinds = ", ".join("%s %d" % (kind, row["faults"][kind]) for kind in sorted(row["faults"])) or "none"
        baseline = " (%d without faults)" % row["baseline_calls"] if row["baseline_calls"] is not None else ""
        return ("%s: %d calls%s; faults injected: %s (%d failures, %.0f%% of calls); retries: %d by botocore, %d by "
                "AWSRetry (longest run of faults on one request: %d); final state equal: %s; %.1f s" % (
                    row["scenario"], row["calls"], baseline, kinds, row["failures"], 100 * row["failure_rate"],
                    row["retries"]["botocore"], row["retries"]["module"], row["longest_fault_streak"],
                    "yes" if row["state_equal"] else "no", row["seconds"])) + (
                        "\n    failed as it must: %s" % row["failure"] if row["failure"] else "")

    def write(self):
        """Written when the module's tests end, with each row's printed line: under pytest-xdist the tests run in
        a worker, and the controller prints the lines from this file (conftest.py's pytest_terminal_summary)."""
        path = SUMMARY_PATH % os.environ.get("PYTEST_XDIST_WORKER", "main")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            json.dump([dict(row, line=self.line(row)) for row in self.rows], handle, indent=2, sort_keys=True)


@pytest.fixture(scope="module")
def summary():
    plugin = FaultToleranceSummary()
    yield plugin
    if plugin.rows:
        plugin.write()


@pytest.fixture
def proxies(endpoint):
    """proxies(**FaultProxy options) -> a fault proxy in front of the session emulator, closed after the test."""
    made = []

    def make(**options):
        proxy = FaultProxy(PORT, **options)
        made.append(proxy)
        return proxy
    yield make
    for proxy in made:
        proxy.close()


def through(proxy):
    """Environment of a playbook run whose every AWS call goes through proxy."""
    return dict(AICHEF_EMULATOR_PORT=str(proxy.port))


# --- state ---------------------------------------------------------------------------------------------------------
def stack_state(stack):
    """What a deploy declares, read back from the emulator, with the stack name replaced by <stack> (<Stack> in logical
    ids): status, outputs, tags, resources, each table's keys and indexes, and the exports."""
    cloudformation, dynamodb = aws_client("cloudformation"), aws_client("dynamodb")
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    tables = {}
    for resource in resources:
        if resource["ResourceType"] == "AWS::DynamoDB::Table":
            table = dynamodb.describe_table(TableName=resource["PhysicalResourceId"])["Table"]
            indexes = table.get("GlobalSecondaryIndexes", [])
            tables[table["TableName"]] = dict(
                status=table["TableStatus"], key_schema=table["KeySchema"],
                attributes=sorted(table["AttributeDefinitions"], key=lambda attribute: attribute["AttributeName"]),
                indexes=sorted((index["IndexName"], index["KeySchema"], index["Projection"]["ProjectionType"])
                               for index in indexes))
    exports = []
    for page in cloudformation.get_paginator("list_exports").paginate():
        exports.extend((export["Name"], export["Value"]) for export in page["Exports"]
                       if export["ExportingStackId"] == described["StackId"])
    state = dict(status=described["StackStatus"],
                 outputs=sorted((output["OutputKey"], output["OutputValue"])
                                for output in described.get("Outputs", [])),
                 tags=sorted((tag["Key"], tag["Value"]) for tag in described.get("Tags", [])),
                 resources=sorted((resource["LogicalResourceId"], resource["ResourceType"]) for resource in resources),
                 resources_settled=all(resource["ResourceStatus"].endswith("_COMPLETE") for resource in resources),
                 tables=tables, exports=sorted(exports))
    pascal_case = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", stack) if part)
    return json.loads(json.dumps(state).replace(stack, "<stack>").replace(pascal_case, "<Stack>"))


def table_entries(stack, extra=False):
    entries = [dict(name=stack + "-sessions", hash_key=dict(name="sessionId")),
               dict(name=stack + "-results", hash_key=dict(name="resultId"),
                    global_secondary_indexes=[dict(name="sessionId-index", hash_key=dict(name="sessionId"))])]
    if extra:
        entries.append(dict(name=stack + "-events", hash_key=dict(name="eventId"),
                            range_key=dict(name="eventAt", type="N")))
    return entries


def declared(stack, extra=False, **more):
    """Role variables of a stack of its own (tables, alarms, log group named after it), with small backoffs."""
    return dict(BACKOFF, dynamodb_stack_name=stack, dynamodb_stack_tables=table_entries(stack, extra),
                dynamodb_stack_table_name_prefix=stack + "-", dynamodb_stack_alarm_name_prefix=stack + "-",
                dynamodb_stack_log_group_name="/aws/dynamodb/" + stack, **more)


def settled_status(stack, timeout=60):
    return status_once_settled(aws_client("cloudformation"), stack, timeout)


def differences(state, expected, path=""):
    """Where two states differ, one line each (for assertion messages)."""
    if isinstance(state, dict) and isinstance(expected, dict):
        return [line for key in sorted(set(state) | set(expected))
                for line in differences(state.get(key), expected.get(key), "%s/%s" % (path, key))]
    if isinstance(state, list) and isinstance(expected, list) and state != expected:
        return ["%s: only here %r, only expected %r" % (path, [item for item in state if item not in expected],
                                                        [item for item in expected if item not in state])]
    return [] if state == expected else ["%s: %r != %r" % (path, state, expected)]


def mutating_calls(report):
    return dict((name, count) for name, count in report["forwarded_by_operation"].items()
                if name in MUTATING_OPERATIONS)


# --- the faults are what the SDK sees from AWS ------------------------------------------------------------------------
FAULT_SHAPES = [
    # kind, client, call, status, error code botocore parses
    ("throttle", "cloudformation", dict(operation="describe_stacks"), 400, "Throttling"),
    ("throttle", "dynamodb", dict(operation="describe_table", TableName="t"), 400, "ThrottlingException"),
    ("throttle", "dynamodb", dict(operation="scan", TableName="t"), 400, "ProvisionedThroughputExceededException"),
    ("http_500", "cloudformation", dict(operation="describe_stacks"), 500, "InternalFailure"),
    ("http_500", "dynamodb", dict(operation="describe_table", TableName="t"), 500, "InternalServerError"),
    ("http_503", "cloudformation", dict(operation="describe_stacks"), 503, "ServiceUnavailable"),
    ("http_503", "dynamodb", dict(operation="scan", TableName="t"), 503, "ServiceUnavailable"),
]


@pytest.mark.parametrize("kind, service, call, status, code", FAULT_SHAPES)
def test_each_fault_reaches_botocore_as_the_service_error_it_imitates(proxies, kind, service, call, status, code):
    """Every request faulted, botocore's retries off: the error botocore parses is the one AWS sends (query protocol
    XML for CloudFormation, JSON 1.0 for DynamoDB), so botocore's and AWSRetry's retry rules apply as on AWS."""
    proxy = proxies(rate=1.0, mix={kind: 1}, latency_rate=0.0)
    client = aws_client(service, endpoint_url="http://127.0.0.1:%d" % proxy.port,
                        config=botocore.config.Config(retries=dict(total_max_attempts=1)))
    operation = call.pop("operation")

    with pytest.raises(botocore.exceptions.ClientError) as e:
        getattr(client, operation)(**call)

    assert e.value.response["Error"]["Code"] == code
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert proxy.report()["forwarded"] == 0


def test_a_reset_closes_the_connection_without_any_answer(proxies):
    proxy = proxies(rate=1.0, mix=dict(reset=1), latency_rate=0.0, reset_on_last_attempt=True)
    client = aws_client("cloudformation", endpoint_url="http://127.0.0.1:%d" % proxy.port,
                        config=botocore.config.Config(retries=dict(total_max_attempts=1)))

    with pytest.raises((botocore.exceptions.ConnectionClosedError, botocore.exceptions.EndpointConnectionError)):
        client.describe_stacks()

    assert proxy.report()["fault_codes"] == dict(reset=1)


# --- 30% of the calls throttled or failing ---------------------------------------------------------------------------
def lifecycle(deploy, proxy, stack, render_template):
    """create, no-op re-run, update (a third table and a stack tag), then the recovery of a ROLLBACK_COMPLETE stack of
    its own; returns {step: PlaybookRun} and {stack: state}."""
    failed = stack + "-rc"  # made first, so that its create has rolled back by the time the recovery runs
    with open(render_template("failing-last-resource.yaml", prefix=failed)) as handle:
        aws_client("cloudformation").create_stack(StackName=failed, TemplateBody=handle.read())
    runs = dict(create=deploy(extra_vars=declared(stack), env=through(proxy)))
    runs["no-op"] = deploy(extra_vars=declared(stack), env=through(proxy))
    runs["update"] = deploy(extra_vars=declared(stack, extra=True, dynamodb_stack_tags=dict(Revision="2")),
                            env=through(proxy))
    assert settled_status(failed) == "ROLLBACK_COMPLETE"
    runs["recovery"] = deploy(extra_vars=dict(BACKOFF, dynamodb_stack_name=failed, dynamodb_stack_template_path=(
        render_template("good.yaml", prefix=failed))), env=through(proxy))
    return runs, dict(lifecycle=stack_state(stack), recovery=stack_state(failed))


def test_create_noop_update_and_recovery_under_30_percent_faults_end_as_a_fault_free_run(
        deploy, proxies, stack_name, render_template, summary):
    """The same four runs twice, at once: through a proxy that only counts, and through one that faults 30% of the
    calls. Both must succeed alike and leave the same state; every mutating call reaches the emulator as often."""
    clean, faulty = proxies(rate=0.0, latency_rate=0.0), proxies(rate=FAULT_RATE, seed=SEED)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        baseline = pool.submit(lifecycle, deploy, clean, stack_name + "-base", render_template)
        runs, states = lifecycle(deploy, faulty, stack_name + "-fault", render_template)
        base_runs, base_states = baseline.result()
    seconds = time.monotonic() - started
    report, base_report = faulty.take_report(), clean.take_report()
    summary.add("create, no-op, update, ROLLBACK_COMPLETE recovery at %d%% faults" % (100 * FAULT_RATE), report,
                states == base_states, seconds, baseline_calls=base_report["calls"])

    for step, run in list(base_runs.items()) + list(runs.items()):
        assert run.returncode == 0, "%s failed:\n%s" % (step, run.output)
    assert runs["create"].changed >= 1 and runs["update"].changed >= 1
    assert runs["no-op"].changed == 0, runs["no-op"].output
    assert "recovered from ROLLBACK_COMPLETE by delete" in runs["recovery"].output, runs["recovery"].output
    assert states == base_states, differences(states, base_states)
    assert states["lifecycle"]["status"] == "UPDATE_COMPLETE" and states["recovery"]["status"] == "CREATE_COMPLETE"
    assert len(states["lifecycle"]["tables"]) == 3 and len(states["lifecycle"]["exports"]) == 6
    # The faults really happened, at about the configured rate, and of every kind.
    assert abs(report["failure_rate"] - FAULT_RATE) <= 0.05, report
    assert set(report["faults"]) >= {"throttle", "http_500", "http_503", "reset", "latency"}, report
    # No retry storm: every retry answers a fault, and no request was faulted more often than the retries allow.
    assert report["retries"]["total"] <= report["failures"], report
    assert report["longest_fault_streak"] <= (BACKOFF_RETRIES + 1) * 3, report
    assert base_report["faults"] == {} and base_report["retries"]["total"] == 0
    # No duplicated or lost side effect: each mutating call reached the emulator as often as without faults.
    assert mutating_calls(report) == mutating_calls(base_report)


# --- hangs: a stack busy past the timeout, an endpoint that stops answering -----------------------------------------
@pytest.mark.parametrize("held_by", ["another operation", "the deploy itself"])
def test_a_stack_busy_past_the_wait_timeout_fails_clearly_in_time_and_deletes_nothing(
        deploy, proxies, stack_name, render_template, summary, held_by):
    """The stack waits on a wait condition nobody signals (its own timeout is 60 s), so it stays *_IN_PROGRESS:
    either an operation started outside the deploy (the recovery waits for it), or the deploy's own create (the
    follow task waits for it). Both must fail within dynamodb_stack_wait_timeout, say so, and delete nothing."""
    waits = render_template("create-adds-vpc-then-waits.yaml")
    cloudformation = aws_client("cloudformation")
    if held_by == "another operation":
        with open(waits) as handle:
            cloudformation.create_stack(StackName=stack_name, TemplateBody=handle.read())
        wait_for_the_wait_condition(cloudformation, stack_name)
        template = render_template("good.yaml")
    else:
        template = waits
    proxy = proxies(rate=FAULT_RATE, seed=SEED + 1)
    hang_timeout = HANG_TIMEOUTS[held_by]
    started = time.monotonic()

    run = deploy(extra_vars=dict(BACKOFF, dynamodb_stack_name=stack_name, dynamodb_stack_template_path=template,
                                 dynamodb_stack_wait_timeout=hang_timeout), env=through(proxy))

    seconds = time.monotonic() - started
    report = proxy.take_report()
    status = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
    summary.add("stack busy past the %d s wait timeout, held by %s" % (hang_timeout, held_by), report,
                status == "CREATE_IN_PROGRESS", seconds, failure="; ".join(run.failures) or "did not fail")
    resources = wait_for_the_wait_condition(cloudformation, stack_name)
    # End the create now rather than in 60 s, and let it settle: later tests compare the whole region before and after.
    signal_wait_condition(resources["Handle"], "FAILURE")
    assert settled_status(stack_name) == "ROLLBACK_COMPLETE"

    assert run.returncode != 0, run.output
    assert len(run.failures) == 1, run.output
    message = run.failures[0]
    assert stack_name in message and "CREATE_IN_PROGRESS" in message, message
    assert "within wait_timeout=%ds" % hang_timeout in message or "within its wait_timeout" in message, message
    assert "No delete was issued" in message, message
    assert seconds < hang_timeout + PLAYBOOK_OVERHEAD, run.output
    assert status == "CREATE_IN_PROGRESS"
    assert "DeleteStack" not in report["calls_by_operation"], report


def test_an_endpoint_that_stops_answering_fails_within_the_read_timeout_and_deletes_nothing(
        deploy, proxies, stack_name, render_template, summary):
    """Once the deploy has started the create, the endpoint stops answering (the proxy holds every connection open
    without a word). With dynamodb_stack_aws_config's short read timeout the run fails in seconds, naming the
    timeout, where botocore's default would wait 60 s per attempt."""
    proxy = proxies(rate=FAULT_RATE, seed=SEED + 2)

    def stall_once_created():
        deadline = time.monotonic() + 60
        while not proxy.report()["forwarded_by_operation"].get("CreateStack") and time.monotonic() < deadline:
            time.sleep(0.02)
        proxy.stall()
    watcher = threading.Thread(target=stall_once_created, daemon=True)
    watcher.start()
    started = time.monotonic()

    run = deploy(extra_vars=dict(BACKOFF, dynamodb_stack_name=stack_name,
                                 dynamodb_stack_template_path=render_template("good.yaml"),
                                 dynamodb_stack_aws_config=SHORT_TIMEOUTS), env=through(proxy))

    seconds = time.monotonic() - started
    report = proxy.take_report()
    status = settled_status(stack_name)
    summary.add("endpoint stops answering after CreateStack (read timeout 2 s, 2 attempts)", report,
                status == "CREATE_COMPLETE", seconds, failure="; ".join(run.failures) or "did not fail")

    assert run.returncode != 0, run.output
    assert len(run.failures) == 1, run.output
    assert "Read timeout on endpoint URL" in run.failures[0], run.failures[0]
    assert report["faults"].get("stall", 0) >= 1, report
    assert seconds < 30 + PLAYBOOK_OVERHEAD, run.output
    assert "DeleteStack" not in report["calls_by_operation"], report
    assert status == "CREATE_COMPLETE"  # the emulator finished the create that the deploy had started


# --- interrupted runs ---------------------------------------------------------------------------------------------
def start_deploy(proxy, extra_vars):
    command, env = playbook_command("deploy-dynamodb.yml", extra_vars=extra_vars,
                                    env=dict(ONE_LINE_RESULTS, PYTHONUNBUFFERED="1", **through(proxy)))
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    lines = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    return process, lines


def interrupt_while_following(process, lines, stack, how):
    """Once the follow task polls the stack held busy on its wait condition, send `how` to the whole run (the
    process group, as a CI cancel does); the deploy job that ansible daemonised goes on, as it would."""
    deadline = time.monotonic() + 60
    while not any("Follow, event by event, the update" in line for line in lines):
        assert process.poll() is None and time.monotonic() < deadline, "".join(lines)
        time.sleep(0.05)
    resources = wait_for_the_wait_condition(aws_client("cloudformation"), stack)
    os.killpg(process.pid, how)
    process.wait(timeout=30)
    return resources


INTERRUPTIONS = dict(
    # SIGKILL while the create waits; then the create fails and rolls back: the next run finds ROLLBACK_COMPLETE (or
    # ROLLBACK_IN_PROGRESS, and waits), deletes the dead stack and creates it again.
    create=(signal.SIGKILL, "FAILURE"),
    # SIGTERM while an update waits; then the update completes with what the killed run declared (an index and a wait
    # condition more): the next run updates the stack back to the declaration.
    update=(signal.SIGTERM, "SUCCESS"),
)


def interrupted_then_next_run(deploy, proxy, stack, render_template, operation):
    """Start a deploy whose operation waits on a wait condition, kill it while it follows, let CloudFormation end the
    operation, then run the deploy of good.yaml; returns the killed run's exit code and output, the next run, and the
    seconds both took."""
    how, outcome = INTERRUPTIONS[operation]
    good = render_template("good.yaml", prefix=stack)
    if operation == "create":
        waiting = render_template("create-adds-vpc-then-waits.yaml", prefix=stack)
    else:
        with open(good) as handle:
            aws_client("cloudformation").create_stack(StackName=stack, TemplateBody=handle.read())
        assert settled_status(stack) == "CREATE_COMPLETE"
        waiting = render_template("update-adds-index-then-waits.yaml", prefix=stack)
    started = time.monotonic()
    process, lines = start_deploy(proxy, dict(BACKOFF, dynamodb_stack_name=stack, dynamodb_stack_template_path=waiting,
                                              dynamodb_stack_wait_timeout=60))
    resources = interrupt_while_following(process, lines, stack, how)
    signal_wait_condition(resources["Handle"], outcome)
    run = deploy(extra_vars=dict(BACKOFF, dynamodb_stack_name=stack, dynamodb_stack_template_path=good),
                 env=through(proxy))
    return dict(killed_code=process.returncode, killed_output="".join(lines), run=run,
                seconds=time.monotonic() - started)


def test_runs_killed_midway_are_recovered_by_the_next_run_to_the_declared_state(
        deploy, proxies, stack_name, render_template, summary):
    """Both interruptions at once, each on its own stack and under its own 30% faults: the next run ends in the
    declared state, the same as a stack created straight from that template (the reference)."""
    reference = stack_name + "-ref"
    with open(render_template("good.yaml", prefix=reference)) as handle:
        aws_client("cloudformation").create_stack(StackName=reference, TemplateBody=handle.read())
    proxy = dict((operation, proxies(rate=FAULT_RATE, seed=SEED + 3 + number))
                 for number, operation in enumerate(INTERRUPTIONS))
    stacks = dict((operation, "%s-%s" % (stack_name, operation)) for operation in INTERRUPTIONS)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(INTERRUPTIONS)) as pool:
        futures = dict((operation, pool.submit(interrupted_then_next_run, deploy, proxy[operation], stacks[operation],
                                               render_template, operation)) for operation in INTERRUPTIONS)
        results = dict((operation, future.result()) for operation, future in futures.items())
    assert settled_status(reference) == "CREATE_COMPLETE"
    expected = stack_state(reference)
    states = dict((operation, stack_state(stacks[operation])) for operation in INTERRUPTIONS)
    for operation, result in results.items():
        summary.add("%s of the run during its %s, then the next run" % (
            INTERRUPTIONS[operation][0].name, operation), proxy[operation].take_report(),
            dict(states[operation], status=None) == dict(expected, status=None), result["seconds"])

    for operation, result in results.items():
        assert result["killed_code"] != 0, result["killed_output"]
        assert result["run"].returncode == 0, result["run"].output
        state = states[operation]
        assert dict(state, status=None) == dict(expected, status=None), differences(state, expected)
    # The rollback may still run when the next run starts: it waits, then deletes the dead stack.
    assert re.search(r"recovered from ROLLBACK_\w+ by (wait -> )?delete", results["create"]["run"].output)
    assert states["create"]["status"] == "CREATE_COMPLETE"
    assert re.search(r"Stack \S+ (is UPDATE_COMPLETE: nothing to recover|recovered from UPDATE_\w+ by wait)",
                     results["update"]["run"].output)
    assert states["update"]["status"] == "UPDATE_COMPLETE"


# --- the data migration module under 30% faults ---------------------------------------------------------------------
MIGRATION_ITEMS = 2000
MIGRATION_BACKOFF = dict(backoff_retries=BACKOFF_RETRIES, backoff_delay=1, backoff_max_delay=2)


def scan_all(ddb, table):
    items = []
    for page in ddb.get_paginator("scan").paginate(TableName=table):
        items.extend(page["Items"])
    return items


def migrate_through(run_playbook, proxy, source, target, directory):
    """One dynamodb_table_migration run (a key change) whose every call goes through proxy; (seconds, result)."""
    directory.mkdir()
    playbook, results = directory / "migrate.yml", directory / "results.json"
    playbook.write_text(MODULE_PLAYBOOK)
    started = time.monotonic()
    run = run_playbook(str(playbook), extra_vars=dict(
        results_path=str(results), migration_runs=[dict(
            MIGRATION_BACKOFF, source_table=source, target_table=target, transform=KEY_CHANGE,
            checkpoint_path=str(directory / "checkpoint.json"), verify_sample_size=20,
            aws_config=SHORT_TIMEOUTS)]), env=through(proxy))
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.output
    return seconds, json.loads(results.read_text())[0]


def test_migration_of_2000_items_under_30_percent_faults_copies_every_item_exactly_once(
        run_playbook, proxies, stack_name, tmp_path, summary):
    """dynamodb_table_migration with a key change, every call of the module (scans, BatchWriteItem, the count
    verification) through 30% faults: it succeeds, and the target holds exactly the source's items, transformed.
    The same migration runs at once through a proxy that only counts: the faulted run may take longer than it only
    by the latency the proxy added and at most backoff_max_delay per fault (no retry waits longer)."""
    ddb = aws_client("dynamodb", config=botocore.config.Config(parameter_validation=False))
    source = create_table(ddb, stack_name + "-mig-src", [("sessionId", "HASH")])
    target = create_table(ddb, stack_name + "-mig-dst", [("PK", "HASH"), ("SK", "RANGE")])
    base_target = create_table(ddb, stack_name + "-mig-base", [("PK", "HASH"), ("SK", "RANGE")])
    for first in range(0, MIGRATION_ITEMS, 25):  # seeded straight to the emulator, never faulted or counted
        ddb.batch_write_item(RequestItems={source: [{"PutRequest": {"Item": session_item(number)}}
                                                    for number in range(first, min(first + 25, MIGRATION_ITEMS))]})
    clean, proxy = proxies(rate=0.0, latency_rate=0.0), proxies(rate=FAULT_RATE, seed=SEED + 5)

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        baseline = pool.submit(migrate_through, run_playbook, clean, source, base_target, tmp_path / "clean")
        seconds, result = migrate_through(run_playbook, proxy, source, target, tmp_path / "faulty")
        base_seconds, base_result = baseline.result()

    report = proxy.take_report()
    target_items = sorted((canonical(item) for item in scan_all(ddb, target)), key=lambda item: item["PK"]["S"])
    # As the source holds them (the emulator normalises numbers, e.g. "0.0" to "0"), with the key change applied.
    source_items = scan_all(ddb, source)
    expected = sorted((canonical(expected_target_item(item)) for item in source_items), key=lambda item: item["PK"]["S"])
    summary.add("migration of %d items with a key change at %d%% faults" % (MIGRATION_ITEMS, 100 * FAULT_RATE),
                report, target_items == expected, seconds)

    for outcome in (result, base_result):
        assert not outcome.get("failed"), outcome
        migration = outcome["migration"]
        assert migration["status"] == "complete", migration
        assert migration["items_written"] == MIGRATION_ITEMS and migration["items_failed"] == 0, migration
        assert migration["verification"]["target_item_count"] == MIGRATION_ITEMS, migration
    assert len(target_items) == MIGRATION_ITEMS == len(source_items)
    assert target_items == expected
    # The faults really hit the module's own calls, and were retried, without a retry storm.
    assert abs(report["failure_rate"] - FAULT_RATE) <= 0.08, report
    assert report["faulted_operations"].get("BatchWriteItem"), report
    assert 0 < report["retries"]["total"] <= report["failures"], report
    # No retry waited longer than the backoff allows: beyond the clean run, only the added latency and at most
    # backoff_max_delay per fault (plus the playbook's own start, which the two runs share the machine for).
    allowed = (base_seconds + report["latency_added_seconds"] + report["failures"] * MIGRATION_BACKOFF["backoff_max_delay"]
               + PLAYBOOK_OVERHEAD)
    assert seconds <= allowed, (seconds, base_seconds, report)
