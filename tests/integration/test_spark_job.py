"""The PySpark transform job (plugins/module_utils/_migrate/spark_job.py) run for real, in Spark local mode
(local[2], from .venv-spark, which make install builds), on export files written here as ExportTableToPointInTime
writes them: <prefix>/AWSDynamoDB/<export id>/data/*.json.gz, one {"Item": {...}} DynamoDB JSON line per item.

100,000 items of every attribute type (S, N of 38 digits and at the exponent bounds, B, SS, NS, BS, nested M and L
holding binaries and sets, BOOL, NULL) go through the job twice:
- without a key change (no transform): the output must be the input items themselves, each once, JSON value for
  JSON value (N text, base64 text, set order), whatever the transform code does;
- with a key change (filter, rename, derive PK/SK, drop, defaults; some items filtered, some failing the derive):
  every output item must be what the pure-python transform (transform.py, the copy's own code, run here in the test
  process) makes of the same input line, each once, and the job's counts its counts. This run is started with
  spark-submit, as EMR Serverless starts it, and SIGKILLed once its first stage is done; the re-run skips that stage
  (its files are not written again) and completes.

The job's script and the zip of the transform are the bytes the module uploads (spark_bundle.py); the job imports
the transform from the zip, not from the collection, as on Glue. One Spark session serves the module
(tests/integration/spark_session.py); the killed run is the only other JVM. No emulator is needed.
"""
import base64
import glob
import gzip
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import dynamodb_json
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import spark_bundle
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import transform

SPARK_VENV = os.path.join(ROOT, ".venv-spark")
SPARK_PYTHON = os.path.join(SPARK_VENV, "bin", "python")
SPARK_SUBMIT = os.path.join(SPARK_VENV, "bin", "spark-submit")
RESULT = "@@RESULT "
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"  # as spark_session.py's, which says why
ITEMS = 100000
DATA_FILES = 8
FILES_PER_STAGE = 2  # 4 stages: the killed run stops between two of them
EXPORT_ID = "01733311200000-a1b2c3d4"
KEY_CHANGE = {
    "filter": [{"attribute": "archived", "exists": False}],
    "rename": {"title": "name"},
    "derive": {"PK": "USER#{userId}", "SK": "SESSION#{sessionId}"},
    "drop": ["deletedAt"],
    "defaults": {"schemaVersion": 2, "origin": {"from": "ai-chef-sessions", "tags": ["migrated"]}},
}
SOURCE_KEY = [["sessionId", "S"]]
TARGET_KEY = [["PK", "S"], ["SK", "S"]]
EDGE_NUMBERS = ["9" * 38, "-" + "9" * 38, "0.%s" % ("1" * 38), "1E+125", "-1E-130", "1E-130",
                "9.9999999999999999999999999999999999999E+125", "-9.9999999999999999999999999999999999999E+125",
                "12345678901234567890123456789012345678", "0", "-0.000001", "100"]
TIMES = {}
# Both tests in one pytest-xdist worker, so the module's one Spark session serves both.
pytestmark = pytest.mark.xdist_group("spark-job")


def b64(data):
    return base64.b64encode(data).decode("ascii")


# Binary values, made once: every length from 0 to 23 (empty included) and every byte value.
BLOBS = [b64(bytes((number * 7 + offset) % 256 for offset in range(number % 24))) for number in range(256)]
DEEP = [b64(bytes(range(256))[number:number + 8]) for number in range(256)]


def make_item(number, rng):
    """One source item in the export's JSON form (B and BS as base64 text), every attribute type."""
    digits = str(rng.randrange(10 ** 37, 10 ** 38))
    item = {
        "sessionId": {"S": "session-%06d" % number},
        "title": {"S": "ünïcødé #%d 🍲 \"q\" \\ \t" % number},
        "big": {"N": digits if number % 2 else "-0." + digits[:37]},
        "edge": {"N": EDGE_NUMBERS[number % len(EDGE_NUMBERS)]},
        "blob": {"B": BLOBS[number % 256]},
        "tags": {"SS": ["chef", "ü%d" % number]},
        "ratings": {"NS": [EDGE_NUMBERS[(number + 1) % len(EDGE_NUMBERS)], str(number)]},
        "keys": {"BS": [BLOBS[1], DEEP[number % 256]]},
        "settings": {"M": {"nested": {"M": {"deep": {"L": [
            {"N": "1E-130"}, {"B": DEEP[(number + 3) % 256]}, {"NULL": True}, {"BOOL": False},
            {"SS": ["a"]}, {"BS": [BLOBS[2]]}, {"NS": ["-1E+125"]}, {"M": {}}, {"L": []}]}}}}},
        "vegan": {"BOOL": number % 2 == 0},
        "deletedAt": {"NULL": True},
    }
    if number % 97:
        # Most users by S, some by a 38-digit N: derive formats either as its exact text.
        item["userId"] = {"N": digits} if number % 5 == 0 else {"S": "user-%d" % (number % 1000)}
    if number % 50 == 0:
        item["archived"] = {"BOOL": True}
    return item


def import_line(item):
    """An item's import line as the job writes it (dynamodb_json.item_line: keys sorted, no spaces), newline aside."""
    return json.dumps({"Item": item}, separators=(",", ":"), sort_keys=True)


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """The export directory, its lines, and the import lines of its items unchanged. DATA_FILES gzip files, named
    as ExportTableToPointInTime names them."""
    rng = random.Random(17)
    directory = tmp_path_factory.mktemp("export") / "AWSDynamoDB" / EXPORT_ID
    (directory / "data").mkdir(parents=True)
    # Written as the job writes its lines (keys sorted, no spaces), so one string is both the export's line and
    # the import line the job must write for it without a transform.
    lines = [import_line(make_item(number, rng)) for number in range(ITEMS)]
    unchanged = set(lines)
    per_file = -(-ITEMS // DATA_FILES)
    for index in range(DATA_FILES):
        name = "%032x.json.gz" % rng.getrandbits(128)
        with gzip.open(str(directory / "data" / name), "wt", encoding="utf-8", compresslevel=1) as handle:
            for line in lines[index * per_file:(index + 1) * per_file]:
                handle.write(line + "\n")
    return str(directory), lines, unchanged


def machine_cpu():
    """CPU seconds the machine has spent busy (all processes), from /proc/stat: the module's Spark processes are a
    JVM, its Python workers and their daemon, which no one process's rusage holds; on an otherwise idle machine the
    difference over the module is their CPU and the test's."""
    with open("/proc/stat") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / float(os.sysconf("SC_CLK_TCK"))


def spark_env():
    return dict(os.environ, PYSPARK_PYTHON=SPARK_PYTHON, PYSPARK_DRIVER_PYTHON=SPARK_PYTHON,
                SPARK_LOCAL_IP="127.0.0.1", PYTHONPATH="")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The job's script and py-files zip, as the module uploads them."""
    if not os.path.exists(os.path.join(SPARK_VENV, ".installed")):
        pytest.fail("%s is missing: `make install` builds it (requirements-spark.txt); this test never skips" % (
            SPARK_VENV))
    directory = tmp_path_factory.mktemp("bundle")
    script, py_files = directory / "spark_job.py", directory / "aichef_migrate.zip"
    script.write_bytes(spark_bundle.job_script())
    py_files.write_bytes(spark_bundle.py_files_zip())
    return str(script), str(py_files)


@pytest.fixture(scope="module")
def spark(bundle, tmp_path_factory):
    """run(argv, fails=False) -> the job's report (or error), in the module's one local[2] session."""
    started, cpu = time.time(), machine_cpu()
    log = open(str(tmp_path_factory.mktemp("logs") / "spark-session.log"), "w")
    process = subprocess.Popen([SPARK_PYTHON, os.path.join(ROOT, "tests", "integration", "spark_session.py")]
                               + list(bundle), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                               env=spark_env(), universal_newlines=True)

    def run(argv, fails=False):
        """The job's report; with fails=True, the error it fails with."""
        process.stdin.write(json.dumps(argv) + "\n")
        process.stdin.flush()
        for line in process.stdout:
            if line.startswith(RESULT):
                answer = json.loads(line[len(RESULT):])
                if fails:
                    assert "error" in answer, "the job did not fail"
                    return answer["error"]
                assert "error" not in answer, answer["error"]
                return answer["report"]
        log.flush()
        raise AssertionError("the Spark session ended: see %s" % log.name)
    try:
        yield run
    finally:
        process.stdin.close()
        process.wait(timeout=120)
        log.close()
        TIMES["module wall"] = time.time() - started
        TIMES["machine cpu during the module"] = machine_cpu() - cpu
        record_times()


def record_times():
    """The Spark processes' wall and CPU seconds, in .run/spark-job-times.json and on stderr (pytest -s)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    TIMES["pytest process cpu"] = own.ru_utime + own.ru_stime
    times = dict((name, round(value, 1)) for name, value in TIMES.items())
    os.makedirs(os.path.join(ROOT, ".run"), exist_ok=True)
    with open(os.path.join(ROOT, ".run", "spark-job-times.json"), "w") as handle:
        json.dump(times, handle, indent=2, sort_keys=True)
    print("\nspark job times (s): %s" % json.dumps(times, sort_keys=True), file=sys.stderr)


def job_args(export_dir, out, spec, target_key):
    return ["--source", export_dir, "--target", str(out / "transformed"), "--work", str(out / "work"),
            "--transform", json.dumps(spec), "--target_key", json.dumps(target_key),
            "--source_key", json.dumps(["sessionId"]), "--files_per_stage", str(FILES_PER_STAGE),
            "--JOB_ID", "j_ignored", "--run_token", "ignored-too"]


def output_lines(out):
    """Every line of the import files the job wrote (part files; Hadoop's local .crc files aside)."""
    lines = []
    for path in sorted(glob.glob(str(out / "transformed" / "stage-*" / "part-*"))):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            lines.extend(handle.read().splitlines())
    leftovers = [path for path in glob.glob(str(out / "transformed" / "**"), recursive=True)
                 if os.path.isfile(path) and not os.path.basename(path).startswith((".", "part-"))]
    assert not leftovers, "ImportTable would read these too: %s" % leftovers
    return lines


def expected(lines, spec, target_key):
    """What the pure-python transform (the copy's and the in-process stage's code) makes of each export line:
    the set of import lines (dynamodb_json.item_line) of the items it keeps, and its counts."""
    compiled = transform.compile_transform(spec)
    target_key = [tuple(key) for key in target_key]
    result = set()
    counts = dict(items_read=0, items_written=0, items_filtered=0, items_failed=0)
    for line in lines:
        item = dynamodb_json.parse_line(line)
        counts["items_read"] += 1
        try:
            target = transform.transform_item(item, compiled)
            if target is None:
                counts["items_filtered"] += 1
                continue
            transform.check_target_item(target, target_key)
        except transform.ItemRejected:
            counts["items_failed"] += 1
            continue
        counts["items_written"] += 1
        result.add(dynamodb_json.item_line(target).decode("utf-8").rstrip("\n"))
    return result, counts


def assert_same_items(out, want):
    """The job's output holds each wanted item once and nothing else. Lines are compared as text: both sides are
    dynamodb_json.item_line's canonical JSON (keys sorted), so equal text is an equal item, N text, base64 and set
    order included, and a difference is shown decoded."""
    got = output_lines(out)
    assert len(set(got)) == len(got), "the job wrote %d items twice" % (len(got) - len(set(got)))
    missing, unexpected = sorted(want - set(got)), sorted(set(got) - want)
    assert not missing and not unexpected, "%d items missing, %d unexpected; first missing %s, first unexpected %s" % (
        len(missing), len(unexpected), missing[:1] and dynamodb_json.parse_line(missing[0]),
        unexpected[:1] and dynamodb_json.parse_line(unexpected[0]))


def test_without_key_change_every_item_round_trips_exactly(spark, export, tmp_path):
    export_dir, dummy, unchanged = export
    started = time.time()
    report = spark(job_args(export_dir, tmp_path, {}, SOURCE_KEY))
    TIMES["job without key change"] = time.time() - started
    assert report["items_read"] == report["items_written"] == ITEMS
    assert (report["items_filtered"], report["items_failed"], report["files"]) == (0, 0, DATA_FILES)
    # What the pure-python transform makes of an item with no transform is the item itself: so each item out must
    # be its input item, JSON value for JSON value (N text, base64 text, set order), whatever the transform does.
    assert_same_items(tmp_path, unchanged)


def test_key_change_killed_between_stages_resumes(spark, bundle, export, tmp_path):
    export_dir, lines, dummy = export
    script, py_files = bundle
    argv = job_args(export_dir, tmp_path, KEY_CHANGE, TARGET_KEY)
    first_marker = tmp_path / "work" / "stages" / "stage-00000" / "part-00000"
    report_file = tmp_path / "work" / "report" / "part-00000"
    started = time.time()
    with open(str(tmp_path / "killed-run.log"), "w") as log:
        process = subprocess.Popen([SPARK_SUBMIT, "--master", "local[2]", "--conf", "spark.ui.enabled=false",
                                    "--driver-java-options", JAVA_OPTIONS, "--py-files", py_files, script] + argv,
                                   stdout=log, stderr=subprocess.STDOUT,
                                   env=spark_env(), start_new_session=True)
        try:
            while not first_marker.exists():
                assert process.poll() is None, "spark-submit ended before its first stage: see %s" % log.name
                assert time.time() - started < 600, "no stage done in 10 minutes: see %s" % log.name
                time.sleep(0.05)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    TIMES["killed run wall"] = time.time() - started
    assert not report_file.exists(), "the job ended before the kill: nothing was resumed"
    stage_zero = sorted(glob.glob(str(tmp_path / "transformed" / "stage-00000" / "part-*")))
    written_at = dict((path, os.stat(path).st_mtime_ns) for path in stage_zero)
    assert stage_zero

    started = time.time()
    report = spark(argv)
    TIMES["resumed job with key change"] = time.time() - started
    assert report["stages_resumed"] >= 1
    assert dict((path, os.stat(path).st_mtime_ns) for path in stage_zero) == written_at, "stage 0 written again"
    want, counts = expected(lines, KEY_CHANGE, TARGET_KEY)
    assert dict((name, report[name]) for name in counts) == counts
    assert counts["items_filtered"] and counts["items_failed"]
    assert report["failed_examples"][0]["reason"] == "derive PK: attribute userId is missing"
    assert report["failed_examples"][0]["key"]["sessionId"].startswith("session-")
    assert_same_items(tmp_path, want)


def test_many_items_to_one_key_fail_the_job_before_its_report(spark, tmp_path):
    """Two files of 60 items of 40 users, the new key the user's alone: three items per key, across the files and
    the stages."""
    directory = tmp_path / "export" / "AWSDynamoDB" / EXPORT_ID
    (directory / "data").mkdir(parents=True)
    rng = random.Random(5)
    for index in range(2):
        with gzip.open(str(directory / "data" / ("%d.json.gz" % index)), "wt", encoding="utf-8") as handle:
            for number in range(index * 60, (index + 1) * 60):
                item = dict(make_item(number, rng), userId={"S": "user-%d" % (number % 40)})
                handle.write(import_line(item) + "\n")
    argv = job_args(str(directory), tmp_path, {"derive": {"PK": "USER#{userId}"}}, [["PK", "S"]])
    argv[argv.index("--files_per_stage") + 1] = "1"
    error = spark(argv, fails=True)
    assert "40 target keys are each the key of several items" in error and "(3 items)" in error
    assert not (tmp_path / "work" / "report").exists()
