"""Run by .venv-spark's python for tests/integration/test_spark_job.py: one local[2] Spark session for the whole test
module, running the job (spark_job.run, the function the script's main() calls on Glue and EMR Serverless) once per
line of stdin.

argv: the job's script and the py-files zip, both as the module uploads them (spark_bundle.job_script() and
py_files_zip()), so the job imports the transform from the zip here as it does on Glue, not from the collection.
stdin: one JSON list of job arguments per line. stdout: one RESULT line per job, a JSON object with "report" or
"error". The job's progress and Spark's log go to stderr.
"""
import json
import sys

RESULT = "@@RESULT "
# A short-lived local JVM: the C1 compiler only (C2's compiling costs more CPU than it saves in a minute) and the
# serial collector (no GC threads competing for the two cores with the Python workers).
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def main():
    script, py_files = sys.argv[1], sys.argv[2]
    from pyspark.sql import SparkSession  # pylint: disable=import-outside-toplevel,import-error
    spark = (SparkSession.builder.master("local[2]").appName("test_spark_job")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.driver.extraJavaOptions", JAVA_OPTIONS).getOrCreate())
    spark.sparkContext.setLogLevel("WARN")
    # As --py-files does: on the driver's sys.path and shipped to the Python workers.
    spark.sparkContext.addPyFile(py_files)
    spark.sparkContext.addPyFile(script)
    import spark_job  # pylint: disable=import-outside-toplevel,import-error
    if "ansible_collections" in sys.modules:
        raise SystemExit("the job imported the collection; it must import the transform from the zip")

    def log(line):
        print(line, file=sys.stderr, flush=True)

    for line in sys.stdin:
        try:
            answer = dict(report=spark_job.run(spark, json.loads(line), log=log))
        except Exception as e:  # pylint: disable=broad-except
            answer = dict(error="%s: %s" % (type(e).__name__, e))
        print(RESULT + json.dumps(answer), flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
