"""Integration fixtures: a fresh emulator for the session, boto3 clients on it, and a playbook runner."""
import glob
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time

import boto3
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import emulator  # noqa: E402  (scripts/emulator.py: stdlib only)
from strict_proxy import StrictProxy  # noqa: E402  (scripts/strict_proxy.py: stdlib + PyYAML)

# Under pytest-xdist (make integration runs one worker per core) each worker has its own emulator and proxy, ten
# ports apart: tests never share AWS state across workers, as they never did in one process.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
PORT = int(os.environ.get("AICHEF_EMULATOR_PORT", "4580")) + 10 * WORKER
ENDPOINT = "http://127.0.0.1:%d" % PORT
REGION = "us-east-1"
# The emulator listens on an internal port; the strict-AWS proxy (scripts/strict_proxy.py) listens on PORT, so every
# playbook, module and boto3 client of the tests reaches the emulator through it and is refused what AWS refuses.
EMULATOR_PORT = PORT + 1000


# test_faults.py writes its rows (one per fault scenario) to FAULT_SUMMARY_PATH % worker; the process that prints the
# run's summary (pytest-xdist's controller, or the only process) merges the files written during this run into
# .run/fault-tolerance.json and prints their lines.
FAULT_SUMMARY_PATH = os.path.join(ROOT, ".run", "fault-tolerance-%s.json")
SESSION_STARTED = time.time()


def pytest_terminal_summary(terminalreporter):
    rows = []
    for path in sorted(glob.glob(FAULT_SUMMARY_PATH % "*")):
        if os.path.getmtime(path) >= SESSION_STARTED:
            with open(path) as handle:
                rows.extend(json.load(handle))
    if not rows:
        return
    with open(os.path.join(ROOT, ".run", "fault-tolerance.json"), "w") as handle:
        json.dump(rows, handle, indent=2, sort_keys=True)
    terminalreporter.section("fault tolerance (tests/integration/test_faults.py)")
    for row in rows:
        terminalreporter.write_line(row["line"])


@pytest.fixture(scope="session")
def endpoint():
    emulator.stop(EMULATOR_PORT)
    emulator.start(EMULATOR_PORT)
    try:
        proxy = StrictProxy(EMULATOR_PORT, port=PORT)
    except BaseException:
        emulator.stop(EMULATOR_PORT)
        raise
    try:
        yield ENDPOINT
    finally:
        proxy.close()
        emulator.stop(EMULATOR_PORT)


def process_tree(pid):
    """pid and every process descended from it, parents first, read from /proc. ansible-playbook's workers call
    setsid() (ansible-core 2.19), so killing ansible-playbook's process group leaves them and their module
    processes running: a run killed as a crashed host would be must be killed by its tree."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # ended meanwhile
            children.setdefault(parent, []).append(int(entry))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop(0)
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def kill_tree(pid, how=signal.SIGKILL):
    """Send `how` to pid and all its descendants, found before any is signalled (so none is re-parented first)."""
    for member in process_tree(pid):
        try:
            os.kill(member, how)
        except ProcessLookupError:
            pass


def aws_client(service, **options):
    """A boto3 client on the emulator; options (endpoint_url, config, ...) override the defaults."""
    return boto3.client(service, **dict(dict(region_name=REGION, endpoint_url=ENDPOINT, aws_access_key_id="test",
                                             aws_secret_access_key="test"), **options))


def all_exports(cfn):
    """{export name: value} over every ListExports page: a long test run leaves more exports than one page holds."""
    return dict((export["Name"], export["Value"]) for page in cfn.get_paginator("list_exports").paginate()
                for export in page["Exports"])


@pytest.fixture
def cfn(endpoint):
    return aws_client("cloudformation")


@pytest.fixture
def ddb(endpoint):
    return aws_client("dynamodb")


RECAP_PATTERN = re.compile(r"^localhost\s+:\s+(.*)$", re.MULTILINE)
FATAL_PREFIX = "fatal: [localhost]: FAILED! => "
# Task results as one JSON line each: messages are checked whole, not as the YAML callback wraps them.
ONE_LINE_RESULTS = dict(ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="false")


class PlaybookRun:
    """A finished ansible-playbook run: exit code, whole output, and the localhost recap counters."""

    def __init__(self, completed):
        self.returncode = completed.returncode
        self.output = completed.stdout + completed.stderr
        recaps = RECAP_PATTERN.findall(completed.stdout)
        self.stats = dict((key, int(value)) for key, value in
                          (pair.split("=") for pair in recaps[-1].split())) if recaps else {}

    @property
    def changed(self):
        return self.stats["changed"]

    @property
    def failures(self):
        """The msg of every failed task; needs one-line JSON results (the `deploy` fixture sets them)."""
        return [json.loads(line[len(FATAL_PREFIX):]).get("msg", "") for line in self.output.splitlines()
                if line.startswith(FATAL_PREFIX)]


def playbook_command(playbook, *args, extra_vars=None, env=None):
    """(command, environment) of an ansible-playbook run on the local inventory against the test emulator.

    env: variables to set for this run only; a value of None removes the variable."""
    command = [os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", "inventories/local",
               os.path.join("playbooks", playbook)] + list(args)
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    run_env = dict(os.environ, AICHEF_EMULATOR_PORT=str(PORT),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"))
    for name, value in (env or {}).items():
        if value is None:
            run_env.pop(name, None)
        else:
            run_env[name] = value
    return command, run_env


@pytest.fixture
def run_playbook(endpoint):
    def run(playbook, *args, extra_vars=None, env=None):
        """env: variables to set for this run only; a value of None removes the variable."""
        command, run_env = playbook_command(playbook, *args, extra_vars=extra_vars, env=env)
        completed = subprocess.run(command, cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=600,
                                   check=False)
        return PlaybookRun(completed)
    return run


@pytest.fixture
def deploy(run_playbook):
    """deploy(*args, extra_vars=..., env=...): run deploy-dynamodb.yml with one-line JSON task results."""
    def run(*args, extra_vars=None, env=None):
        return run_playbook("deploy-dynamodb.yml", *args, extra_vars=extra_vars,
                            env=dict(ONE_LINE_RESULTS, **(env or {})))
    return run


# --- per-test names, templates and stack helpers (recovery and bad-input tests) -----------------------------
# The emulator lives for the whole session, so every test works on its own stack and its own tables: the
# templates under templates/ name their tables __PREFIX__-sessions and __PREFIX__-results, and the prefix is
# the test's own stack name.
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
PREFIX_TOKEN = "__PREFIX__"


@pytest.fixture
def stack_name(request):
    """A stack name unique to this test (and parameter): "it-" + the test name, shortened, + a short hash."""
    digest = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:6]
    words = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower().replace("test_", "", 1)).strip("-")
    return "it-%s-%s" % (words[:40].rstrip("-"), digest)


@pytest.fixture
def render_template(stack_name, tmp_path):
    """render_template("good.yaml") -> path of a copy whose table names start with this test's stack name
    (or with prefix, for a test that works on several stacks)."""
    def render(name, prefix=None):
        with open(os.path.join(TEMPLATES, name)) as handle:
            body = handle.read().replace(PREFIX_TOKEN, prefix or stack_name)
        path = tmp_path / ("%s-%s" % (prefix, name) if prefix else name)
        path.write_text(body)
        return str(path)
    return render


def status_once_settled(cfn, stack, timeout=60):
    """The stack's status once it is no longer *_IN_PROGRESS (polls every 0.1 s), or the last one after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


@pytest.fixture
def settle(cfn):
    """settle(stack, timeout=60) -> status_once_settled on the emulator's client."""
    return lambda stack, timeout=60: status_once_settled(cfn, stack, timeout)


@pytest.fixture
def aws_state(endpoint):
    """aws_state(region="us-east-1") -> everything a deploy could change in the region: stacks (id, status,
    termination protection), tables, exports. Compare it before and after a run that must not touch AWS."""
    def snapshot(region=REGION):
        cfn, ddb = (boto3.client(service, region_name=region, endpoint_url=endpoint, aws_access_key_id="test",
                                 aws_secret_access_key="test") for service in ("cloudformation", "dynamodb"))
        stacks = []
        for page in cfn.get_paginator("list_stacks").paginate():
            stacks.extend((summary["StackId"], summary["StackStatus"]) for summary in page["StackSummaries"])
        live = [stack_id for stack_id, status in stacks if status != "DELETE_COMPLETE"]
        protection = dict((stack_id, cfn.describe_stacks(StackName=stack_id)["Stacks"][0].get(
            "EnableTerminationProtection", False)) for stack_id in live)
        tables = []
        for page in ddb.get_paginator("list_tables").paginate():
            tables.extend(page["TableNames"])
        exports = []
        for page in cfn.get_paginator("list_exports").paginate():
            exports.extend((export["Name"], export["Value"]) for export in page["Exports"])
        return dict(stacks=sorted(stacks), termination_protection=protection, tables=sorted(tables),
                    exports=sorted(exports))
    return snapshot
