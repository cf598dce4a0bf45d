"""module_utils/_migrate/spark_job.py and spark_bundle.py without Spark: the job's arguments as Glue and EMR
Serverless pass them, its per-line transform, and the code the module uploads (the zip imports alone, the script
parses as Python 3.9, EMR Serverless 7's default). The job itself runs in tests/integration/test_spark_job.py."""
import ast
import io
import json
import os
import subprocess
import sys
import zipfile

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import spark_bundle
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import spark_job

ARGS = ["--source", "s3://b/p/export/AWSDynamoDB/0170-ab", "--target", "s3://b/p/transformed/", "--work", "s3://b/w",
        "--target_key", '[["PK", "S"]]', "--transform", json.dumps({"derive": {"PK": "S#{sessionId}"}}),
        "--source_key", '["sessionId"]']


def test_glue_arguments_beside_the_job_are_ignored():
    args = spark_job.parse_args(["--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1", "--job-bookmark-option",
                                 "job-bookmark-disable", "--TempDir", "s3://t/"] + ARGS + ["--run_token", "x-0"])
    assert (args.source, args.target, args.work) == ("s3://b/p/export/AWSDynamoDB/0170-ab", "s3://b/p/transformed",
                                                     "s3://b/w")
    assert args.target_key == [("PK", "S")] and args.source_key == ["sessionId"] and args.files_per_stage == 200


@pytest.mark.parametrize("extra, message", [
    (["--transform", "{not json"], "must be JSON"),
    (["--transform", json.dumps({"derive": {"PK": "{"}})], "unclosed or empty {placeholder}"),
    (["--files_per_stage", "0"], "at least 1"),
])
def test_bad_arguments_fail_the_job_with_one_message(extra, message):
    with pytest.raises(spark_job.JobError, match=message):
        spark_job.parse_args(ARGS + extra)


def test_lines_become_import_lines_counts_and_failed_keys():
    args = spark_job.parse_args(ARGS + ["--transform", json.dumps({
        "derive": {"PK": "S#{sessionId}"}, "filter": [{"attribute": "skip", "exists": False}]})])
    lines = [json.dumps({"Item": {"sessionId": {"S": "a"}, "n": {"N": "-1.0000000000000000000000000000000000001E-130"},
                                  "b": {"BS": ["AP8=", "AQ=="]}}}), "", json.dumps({"Item": {"skip": {"NULL": True}}})]
    lines += [json.dumps({"Item": {"other": {"S": "x%d" % number}}}) for number in range(7)]
    records = list(spark_job.transform_lines(lines, args.compiled, args.target_key, args.source_key, "f.json.gz"))
    assert [record[0] for record in records] == [spark_job.ITEM] + [spark_job.FAILED] * 5 + [spark_job.COUNTS]
    assert json.loads(records[0][1]) == {"Item": {"PK": {"S": "S#a"}, "sessionId": {"S": "a"}, "n": {
        "N": "-1.0000000000000000000000000000000000001E-130"}, "b": {"BS": ["AP8=", "AQ=="]}}}
    assert spark_job.meta_line(records[0]) == "k\t" + json.dumps([["PK", {"S": "S#a"}]])
    assert records[1][1] == dict(key={}, reason="derive PK: attribute sessionId is missing")
    # Every failure counted, the first five kept as examples.
    assert records[-1][1] == dict(items_read=9, items_written=1, items_filtered=1, items_failed=7)


def test_a_line_that_is_not_dynamodb_json_names_its_file_and_line():
    args = spark_job.parse_args(ARGS)
    with pytest.raises(spark_job.JobError, match="f.json.gz line 2 is not DynamoDB JSON"):
        list(spark_job.transform_lines(['{"Item": {}}', "[1]"], args.compiled, args.target_key, [], "f.json.gz"))


def test_the_script_is_python_3_9():
    ast.parse(spark_bundle.job_script(), feature_version=(3, 9))
    for name, module in spark_bundle.ZIP_MODULES:
        ast.parse(spark_bundle.source_of(module), feature_version=(3, 9), filename=name)


def test_the_zip_is_the_collection_code_and_the_script_imports_it_alone(tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(spark_bundle.py_files_zip()))
    assert sorted(archive.namelist()) == ["aichef_migrate/__init__.py", "aichef_migrate/dynamodb_json.py",
                                          "aichef_migrate/transform.py"]
    assert spark_bundle.py_files_zip() == spark_bundle.py_files_zip()  # the same bytes each time
    (tmp_path / "spark_job.py").write_bytes(spark_bundle.job_script())
    (tmp_path / "code.zip").write_bytes(spark_bundle.py_files_zip())
    # As on Glue: no collection on the path, the zip on it; the job's transform comes from the zip.
    probe = ("import sys; sys.path.insert(0, 'code.zip'); import spark_job; "
             "assert 'ansible_collections' not in sys.modules; print(spark_job.transform.__file__)")
    output = subprocess.check_output([sys.executable, "-S", "-c", probe], cwd=str(tmp_path),
                                     env=dict(os.environ, PYTHONPATH=""), universal_newlines=True)
    assert output.strip() == os.path.join("code.zip", "aichef_migrate", "transform.py")


@pytest.mark.parametrize("transform, target_key, unchanged", [
    ({}, [["sessionId", "S"]], True),
    ({"drop": ["title"], "defaults": {"v": 1}}, [["sessionId", "S"]], True),
    ({"rename": {"sessionId": "id", "other": "sessionId"}}, [["sessionId", "S"]], False),
    ({"derive": {"sessionId": "S#{sessionId}"}}, [["sessionId", "S"]], False),
    ({}, [["userId", "S"]], False),
])
def test_the_shared_key_check_is_skipped_only_for_the_source_key_carried_unchanged(transform, target_key, unchanged):
    args = spark_job.parse_args(ARGS + ["--transform", json.dumps(transform), "--target_key", json.dumps(target_key)])
    assert spark_job.key_unchanged(args) is unchanged
