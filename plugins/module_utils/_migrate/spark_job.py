# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transform stage of a migration through S3 as a PySpark job: AWS Glue 5.0 and EMR Serverless 7.x run it
unchanged (Spark 3.5, Python 3.11), as tests/integration/test_spark_job.py does in local mode.

Why a module_utils file: dynamodb_table_s3_migration uploads this file's source as the job's script. AnsiballZ
carries only the module_utils a module imports, so the module imports this file (through spark_bundle.py, which
reads its source back with pkgutil.get_data, from the payload zip or the collection alike) and never runs it:
pyspark is imported in run() only, so importing this file needs nothing beyond the standard library.

The transform is transform.py, the copy's and the in-process stage's own code, with dynamodb_json.py for the
export's lines: in the collection they are imported from it; on Glue (--extra-py-files) and EMR Serverless
(--py-files) from the zip spark_bundle.py builds (package aichef_migrate). There is no second implementation.

Arguments are `--name value` pairs, the same on Glue (the job run's Arguments, among Glue's own, which are ignored)
and EMR Serverless (entryPointArguments): --source (an export's directory, <prefix>/AWSDynamoDB/<export id>, whose
data/*.json.gz are read), --target (where the gzip DynamoDB JSON for ImportTable is written, one directory per
stage), --work (the job's checkpoint and report), --transform (the spec, JSON), --target_key (JSON [[name, type]]),
--source_key (JSON [name], for the keys of failed items), --files_per_stage.

Stages: the data files are transformed in stages of --files_per_stage files. Each stage's output is written whole
(a rerun of a stage deletes what a killed run left of it first) and then its counts are written as a marker under
--work/stages; a rerun with the same arguments skips the stages that have a marker. Then the target keys of all
the items written (each stage writes them beside its items, under --work/meta) are counted, unless the target key
is the source's unchanged: keys shared by several items (a many-to-one key transform, which ImportTable would
resolve by keeping one item) fail the job before its report, so the module never imports them. The report
(--work/report/part-00000, one JSON line: counts, part files per stage, the first failed items' keys) is written
last; the module reads it. Items are never converted: N stays the exported string, B and BS stay base64 outside
the transform, so 38-digit numbers, exponents, sets, nested M and L, BOOL and NULL come out as they went in.
"""

import argparse
import hashlib
import json
import operator
import sys
import time

try:
    from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import dynamodb_json
    from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import transform
except ImportError:  # on Glue or EMR Serverless: the zip of --extra-py-files / --py-files
    from aichef_migrate import dynamodb_json  # pylint: disable=import-error
    from aichef_migrate import transform  # pylint: disable=import-error

ITEM, FAILED, COUNTS = "item", "failed", "counts"
# The lines of a stage's metadata (--work/meta/stage-N): one per item (its target key), one per partition (its
# counts), one per failed item among the partition's first MAX_EXAMPLES.
KEY_LINE, FAILED_LINE, COUNTS_LINE = "k\t", "f\t", "c\t"
COUNT_NAMES = ("items_read", "items_written", "items_filtered", "items_failed")
MAX_EXAMPLES = 5
GZIP_CODEC = "org.apache.hadoop.io.compress.GzipCodec"
REPORT = "report"


class JobError(Exception):
    """The job cannot run: its message is what Glue's ErrorMessage (or the driver log) shows."""


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="spark_job.py", allow_abbrev=False,
                                     description="Transform a DynamoDB export into DynamoDB JSON for ImportTable")
    parser.add_argument("--source", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--transform", default="{}")
    parser.add_argument("--target_key", required=True)
    parser.add_argument("--source_key", default="[]")
    parser.add_argument("--files_per_stage", type=int, default=200)
    # Glue adds its own (--JOB_ID, --JOB_RUN_ID, --TempDir, ...), and the module a --run_token it finds runs by.
    args, dummy = parser.parse_known_args(argv)
    if args.files_per_stage < 1:
        raise JobError("--files_per_stage must be at least 1")
    for name in ("source", "target", "work"):
        setattr(args, name, getattr(args, name).rstrip("/"))
    try:
        args.spec = json.loads(args.transform)
        args.target_key = [tuple(key) for key in json.loads(args.target_key)]
        args.source_key = list(json.loads(args.source_key))
    except (ValueError, TypeError) as e:
        raise JobError("--transform, --target_key and --source_key must be JSON: %s" % e)
    try:
        args.compiled = transform.compile_transform(args.spec)
    except transform.TransformSpecError as e:
        raise JobError(str(e))
    return args


def transform_lines(lines, compiled, target_key, source_key, where):
    """The records of one partition's export lines: (ITEM, import line, target key text) per item kept,
    (FAILED, {key, reason}) for the first MAX_EXAMPLES items that fail, and last (COUNTS, {count name: number}).
    The same steps as export_transform.transform_data_file, in the same order."""
    names = [name for name, dummy in target_key]
    counts = dict((name, 0) for name in COUNT_NAMES)
    for number, line in enumerate(lines, 1):
        try:
            item = dynamodb_json.parse_line(line)
        except (ValueError, TypeError) as e:
            raise JobError("%s line %d is not DynamoDB JSON: %s" % (where, number, e))
        if item is None:
            continue
        counts["items_read"] += 1
        try:
            result = transform.transform_item(item, compiled)
            if result is None:
                counts["items_filtered"] += 1
                continue
            transform.check_target_item(result, target_key)
        except transform.ItemRejected as e:
            counts["items_failed"] += 1
            if counts["items_failed"] <= MAX_EXAMPLES:
                yield FAILED, dict(key=transform.readable_key(transform.key_of(item, source_key)), reason=e.reason)
            continue
        counts["items_written"] += 1
        yield (ITEM, dynamodb_json.item_line(result).decode("utf-8").rstrip("\n"),
               json.dumps([[name, dynamodb_json.encode_value(result[name])] for name in names], sort_keys=True))
    yield COUNTS, counts


def meta_line(record):
    """A record's line in the stage's metadata."""
    if record[0] == ITEM:
        return KEY_LINE + record[2]
    return (FAILED_LINE if record[0] == FAILED else COUNTS_LINE) + json.dumps(record[1], sort_keys=True)


class Files:
    """The Hadoop file system of a path (s3:// on Glue and EMR, local paths in tests), through Spark's JVM."""

    def __init__(self, spark):
        self.context = spark.sparkContext
        self.jvm = self.context._jvm  # pylint: disable=protected-access
        self.conf = self.context._jsc.hadoopConfiguration()  # pylint: disable=protected-access

    def _fs(self, path):
        jpath = self.jvm.org.apache.hadoop.fs.Path(path)
        return jpath.getFileSystem(self.conf), jpath

    def glob(self, pattern):
        fs, jpath = self._fs(pattern)
        return sorted(status.getPath().toString() for status in (fs.globStatus(jpath) or []))

    def exists(self, path):
        fs, jpath = self._fs(path)
        return fs.exists(jpath)

    def delete(self, path):
        fs, jpath = self._fs(path)
        if fs.exists(jpath):
            fs.delete(jpath, True)

    def part_names(self, directory):
        return [path.rsplit("/", 1)[-1] for path in self.glob(directory + "/part-*")]

    def read_line(self, directory):
        """The one line saved in directory by write_line, or None when it was not (completely) written."""
        if not self.exists(directory + "/part-00000"):
            return None
        lines = self.context.textFile(directory).collect()
        return lines[0] if lines else None

    def write_line(self, directory, line):
        self.delete(directory)
        self.context.parallelize([line], 1).saveAsTextFile(directory)


def fingerprint(args, files):
    """What a stage marker must match to be reused: the same files, transform and target key."""
    text = json.dumps([files, args.spec, args.target_key, args.files_per_stage], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def run_stage(spark, args, paths, output, meta):
    """Transform one stage's data files into output, and their metadata (target keys, counts, failed examples) into
    meta -> the stage's counts and failed examples. The transform runs once (its records are persisted for the
    second write); counts come from the records written, so a task run twice counts once."""
    from pyspark import StorageLevel  # pylint: disable=import-outside-toplevel,import-error
    compiled, target_key, source_key = args.compiled, args.target_key, args.source_key
    names = [path.rsplit("/", 1)[-1] for path in paths]

    def partition(index, lines):
        # A gzip file is never split: partition index is the file's position in paths.
        where = names[index] if index < len(names) else "partition %d" % index
        return transform_lines(lines, compiled, target_key, source_key, where)

    results = spark.sparkContext.textFile(",".join(paths)).mapPartitionsWithIndex(partition)
    results.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        results.filter(lambda record: record[0] == ITEM).map(lambda record: record[1]).saveAsTextFile(
            output, compressionCodecClass=GZIP_CODEC)
        results.map(meta_line).saveAsTextFile(meta, compressionCodecClass=GZIP_CODEC)
    finally:
        results.unpersist()
    counts = dict((name, 0) for name in COUNT_NAMES)
    examples = []
    for line in spark.sparkContext.textFile(meta).filter(lambda line: not line.startswith(KEY_LINE)).collect():
        if line.startswith(COUNTS_LINE):
            for name, number in json.loads(line[len(COUNTS_LINE):]).items():
                counts[name] += number
        elif len(examples) < MAX_EXAMPLES:
            examples.append(json.loads(line[len(FAILED_LINE):]))
    return dict(counts, failed_examples=examples)


def shared_keys(spark, args, stage_names):
    """(how many target keys several written items share, the first few with their item counts), from the keys
    each stage wrote in its metadata: ImportTable would keep one item of each, so the job refuses them before the
    import."""
    paths = ",".join("%s/meta/%s" % (args.work, name) for name in stage_names)
    keys = spark.sparkContext.textFile(paths).filter(lambda line: line.startswith(KEY_LINE))
    shared = keys.map(lambda line: (line[len(KEY_LINE):], 1)).reduceByKey(operator.add).filter(
        lambda pair: pair[1] > 1)
    examples = shared.take(MAX_EXAMPLES)
    return (shared.count() if examples else 0), examples


def key_unchanged(args):
    """The target key is the source's, carried as it is: the source table's keys are unique, no check is needed."""
    names = [name for name, dummy in args.target_key]
    compiled = args.compiled
    touched = set(compiled.derive) | set(compiled.rename) | set(compiled.rename.values()) | set(compiled.defaults)
    return names == args.source_key and not touched & set(names)


def readable(key, count):
    """[[name, {type: value}]] -> 'PK=USER#1 (3 items)'; B stays its base64 text."""
    return "%s (%d items)" % (", ".join("%s=%s" % (name, list(value.values())[0]) for name, value in json.loads(key)),
                              count)


def progress(line):
    """A progress line in the driver's log (stdout: CloudWatch on Glue, the driver's stdout log on EMR)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(spark, argv, log=None):
    """The job: every stage not done yet, then the report. Returns the report (a dict)."""
    log = log or progress
    args = parse_args(argv)
    files = Files(spark)
    # Part files only: no _SUCCESS object in what ImportTable reads (it reads every object under its prefix).
    files.conf.set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
    data = files.glob(args.source + "/data/*.json.gz")
    if not data:
        raise JobError("No export data files under %s/data/ (expected *.json.gz)" % args.source)
    stages = [data[start:start + args.files_per_stage] for start in range(0, len(data), args.files_per_stage)]
    mark = fingerprint(args, data)
    totals = dict((name, 0) for name in COUNT_NAMES)
    report = dict(totals, fingerprint=mark, files=len(data), stages={}, stages_resumed=0, failed_examples=[])
    for index, paths in enumerate(stages):
        name = "stage-%05d" % index
        marker = "%s/stages/%s" % (args.work, name)
        done = files.read_line(marker)
        if done is not None:
            counts = json.loads(done)
            if counts.get("fingerprint") != mark:
                raise JobError("%s was written by a run with other files or another transform; give this run an "
                               "empty --work and --target" % marker)
            report["stages_resumed"] += 1
            log("stage %d/%d (%d files): done by an earlier run" % (index + 1, len(stages), len(paths)))
        else:
            output, meta = "%s/%s" % (args.target, name), "%s/meta/%s" % (args.work, name)
            files.delete(output)  # what a killed run left of this stage
            files.delete(meta)
            started = time.time()
            counts = run_stage(spark, args, paths, output, meta)
            counts.update(fingerprint=mark, parts=files.part_names(output))
            files.write_line(marker, json.dumps(counts, sort_keys=True))
            log("stage %d/%d (%d files) in %.1f s: %d items read, %d written, %d filtered, %d failed" % (
                index + 1, len(stages), len(paths), time.time() - started, counts["items_read"],
                counts["items_written"], counts["items_filtered"], counts["items_failed"]))
        for count in COUNT_NAMES:
            report[count] += counts[count]
        room = MAX_EXAMPLES - len(report["failed_examples"])
        report["failed_examples"].extend(counts["failed_examples"][:max(room, 0)])
        report["stages"][name] = dict((count, counts[count]) for count in COUNT_NAMES + ("parts",))
    started = time.time()
    total, examples = (0, []) if key_unchanged(args) else shared_keys(spark, args, list(report["stages"]))
    log("target keys %s in %.1f s: %d shared" % ("unchanged (the source's)" if key_unchanged(args) else "checked",
                                                 time.time() - started, total))
    if total:
        raise JobError("%d target keys are each the key of several items: the transform maps several items to one "
                       "key, and the import would keep one of them; first %s" % (
                           total, "; ".join(readable(key, count) for key, count in examples)))
    files.write_line("%s/%s" % (args.work, REPORT), json.dumps(report, sort_keys=True))
    log("done: %d items read, %d written, %d filtered, %d failed" % tuple(report[name] for name in COUNT_NAMES))
    return report


def main(argv=None):
    from pyspark.sql import SparkSession  # pylint: disable=import-outside-toplevel,import-error
    spark = SparkSession.builder.appName("aichef-dynamodb-migration-transform").getOrCreate()
    try:
        run(spark, sys.argv[1:] if argv is None else argv)
    except JobError as e:
        # Glue shows the exception's text as the run's ErrorMessage; EMR Serverless keeps it in the driver log.
        sys.stderr.write("aichef transform job failed: %s\n" % e)
        sys.stderr.flush()
        raise
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
