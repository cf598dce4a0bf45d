# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the transform stage of a migration through S3 runs: the options, checked before any AWS call.

transform_engine: module (in the module's process, export_transform.py), glue (a run of an AWS Glue job) or
emr_serverless (a job run on an EMR Serverless application); the last two run spark_job.py. build_spark_plan
returns None for module, else a SparkPlan with the S3 locations the job reads and writes, all under the migration's
bucket and prefix except the code (spark.code_location, default <s3_prefix>/spark-code).
"""

import collections
import re

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError

ENGINES = ("module", "glue", "emr_serverless")
S3_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(.*))?$")
# Glue job names: 1-255 characters of the single-line string pattern; EMR Serverless ids are 1-64 of [0-9a-z].
GLUE_JOB_NAME = re.compile(r"^[\u0020-\uD7FF\uE000-\uFFFD\t]{1,255}$")
APPLICATION_ID = re.compile(r"^[0-9a-z]+$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")

SPARK_ARGUMENT_SPEC = dict(
    transform_engine=dict(type="str", choices=list(ENGINES), default="module"),
    spark=dict(type="dict", options=dict(
        glue_job_name=dict(type="str"),
        application_id=dict(type="str"),
        execution_role_arn=dict(type="str"),
        code_location=dict(type="str"),
        files_per_stage=dict(type="int", default=200),
    )),
)

SparkPlan = collections.namedtuple("SparkPlan", [
    "engine", "glue_job_name", "application_id", "execution_role_arn", "code_bucket", "code_prefix",
    "files_per_stage", "target", "work_prefix"])


def parse_s3_uri(text, name):
    match = S3_URI.match(text or "")
    if not match or ".." in match.group(1):
        raise InputError(message="%s %r is not an s3://bucket/prefix location" % (name, text))
    return match.group(1), (match.group(2) or "").strip("/")


def build_spark_plan(params, bucket, prefix):
    """None for transform_engine=module; else the SparkPlan. Raises InputError naming the option."""
    engine, spark = params.get("transform_engine") or "module", params.get("spark") or {}
    if engine == "module":
        if any(value is not None for name, value in spark.items() if name != "files_per_stage"):
            raise InputError(message="spark applies to transform_engine glue or emr_serverless only")
        return None
    if engine == "glue":
        if not GLUE_JOB_NAME.match(spark.get("glue_job_name") or ""):
            raise InputError(message="transform_engine glue needs spark.glue_job_name, the name of a Glue job")
        if spark.get("application_id") or spark.get("execution_role_arn"):
            raise InputError(message="spark.application_id and spark.execution_role_arn apply to transform_engine "
                                     "emr_serverless only (a Glue job has its own role)")
    else:
        if spark.get("glue_job_name"):
            raise InputError(message="spark.glue_job_name applies to transform_engine glue only")
        if not APPLICATION_ID.match(spark.get("application_id") or "") or len(spark["application_id"]) > 64:
            raise InputError(message="transform_engine emr_serverless needs spark.application_id, the id of an EMR "
                                     "Serverless application")
        if not ROLE_ARN.match(spark.get("execution_role_arn") or ""):
            raise InputError(message="transform_engine emr_serverless needs spark.execution_role_arn, the ARN of the "
                                     "IAM role the job runs as")
    files_per_stage = 200 if spark.get("files_per_stage") is None else spark["files_per_stage"]
    if files_per_stage < 1:
        raise InputError(message="spark.files_per_stage must be at least 1")
    code = spark.get("code_location") or "s3://%s/%s/spark-code" % (bucket, prefix)
    code_bucket, code_prefix = parse_s3_uri(code, "spark.code_location")
    if code_bucket == bucket and (code_prefix + "/").startswith(prefix + "/transformed/"):
        raise InputError(message="spark.code_location must not be under %s/transformed/, which the import reads "
                                 "whole" % prefix)
    return SparkPlan(engine=engine, glue_job_name=spark.get("glue_job_name"),
                     application_id=spark.get("application_id"),
                     execution_role_arn=spark.get("execution_role_arn"), code_bucket=code_bucket,
                     code_prefix=code_prefix, files_per_stage=files_per_stage,
                     target="s3://%s/%s/transformed" % (bucket, prefix), work_prefix=prefix + "/spark-work")
