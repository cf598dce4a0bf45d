# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of a migration through S3, checked before any AWS call, and its size and cost estimate.

build_s3_plan turns the module's parameters into an S3MigrationPlan or raises InputError with one line; the
transform spec is compiled by the copy's own reader (preflight.compile_transform), so both methods accept and
refuse exactly the same transforms. estimate() is what check mode reports.
"""

import collections
import datetime
import re

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import compile_transform
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.spark_options import build_spark_plan
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_identity import TABLE_NAME_PATTERN
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_keys import MAX_ATTRIBUTE_NAME_LENGTH

# S3 general purpose bucket names: 3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at
# each end (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# ExportTableToPointInTime's S3Prefix is at most 1024 characters; the module adds /export/AWSDynamoDB/<id>/...
MAX_PREFIX_LENGTH = 900
KEY_TYPES = ("S", "N", "B")

# Published us-east-1 on-demand prices (USD), https://aws.amazon.com/dynamodb/pricing/on-demand/ ("Data export
# to Amazon S3": per GB of table size at the export time; "Data import from Amazon S3": per GB of uncompressed
# source data, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.HowItWorks.html).
# Other regions differ; the estimate says which prices it assumed.
EXPORT_USD_PER_GB = 0.10
IMPORT_USD_PER_GB = 0.15
GB = 1024 ** 3
# The time estimate's two assumptions. AWS publishes no speed for its export and import jobs (they take minutes
# even for a small table): half an hour for both. The transform in the module: benchmarks/migration_methods.py
# measured 2,063 items/s for the run that transforms and imports (one core, session items of 772 bytes).
JOBS_MINUTES_ASSUMED = 30
MODULE_TRANSFORM_ITEMS_PER_SECOND = 2000

S3MigrationPlan = collections.namedtuple("S3MigrationPlan", [
    "source_table", "target_table", "identity", "transform_spec", "transform", "bucket", "prefix", "key_schema",
    "billing_mode", "read_capacity", "write_capacity", "export_time", "checkpoint_path", "max_failed_items",
    "verify_sample_size", "poll_interval", "wait_timeout", "spark", "import_by"])


def key_option(params, name):
    value = params.get(name)
    if not value:
        return None
    if not value.get("name") or len(value["name"]) > MAX_ATTRIBUTE_NAME_LENGTH:
        raise InputError(message="%s.name must be an attribute name of 1 to %d characters" % (
            name, MAX_ATTRIBUTE_NAME_LENGTH))
    return (value["name"], value.get("type") or "S")


def parse_export_time(text):
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(message="export_time %r is not an ISO 8601 date and time (2026-12-04T18:00:00+00:00)" % text)
    if moment.tzinfo is None:
        raise InputError(message="export_time %r needs a time zone (+00:00 for UTC)" % text)
    return moment


def build_s3_plan(params, identity):
    """Validate the module's options (no AWS call) into an S3MigrationPlan. Raises InputError."""
    if not BUCKET_NAME.match(params["s3_bucket"]) or ".." in params["s3_bucket"]:
        raise InputError(message="s3_bucket %r is not an S3 bucket name (3 to 63 lower-case letters, digits, dots "
                                 "and hyphens)" % params["s3_bucket"])
    # ImportTable would refuse a bad name only after the export and the transform: refused here, before both.
    if not TABLE_NAME_PATTERN.fullmatch(params["target_table"]):
        raise InputError(message="target_table %r breaks DynamoDB's naming rules; use 3-255 characters, only letters, "
                                 "digits, underscore, hyphen and dot" % params["target_table"])
    prefix = params["s3_prefix"].strip("/")
    if not prefix or len(prefix) > MAX_PREFIX_LENGTH:
        raise InputError(message="s3_prefix must be a non-empty key prefix of at most %d characters: the export and "
                                 "the transformed files are written under it" % MAX_PREFIX_LENGTH)
    hash_key, range_key = key_option(params, "hash_key"), key_option(params, "range_key")
    if range_key and range_key[0] == hash_key[0]:
        raise InputError(message="hash_key and range_key are both %s; a key needs two different attributes" % (
            hash_key[0]))
    provisioned = params["billing_mode"] == "PROVISIONED"
    capacities = (params.get("read_capacity"), params.get("write_capacity"))
    if provisioned and not all(capacity and capacity > 0 for capacity in capacities):
        raise InputError(message="billing_mode PROVISIONED needs read_capacity and write_capacity of at least 1")
    if not provisioned and any(capacity is not None for capacity in capacities):
        raise InputError(message="read_capacity and write_capacity apply to billing_mode PROVISIONED only")
    for name in ("max_failed_items", "verify_sample_size"):
        if params[name] < 0:
            raise InputError(message="%s must not be negative" % name)
    for name in ("poll_interval", "wait_timeout"):
        if params[name] < 1:
            raise InputError(message="%s must be at least 1 second" % name)
    if identity["source"] == identity["target"]:
        raise InputError(message="Source and target are the same table (%s); migrate into a new table" % (
            params["source_table"]))
    return S3MigrationPlan(
        source_table=params["source_table"], target_table=params["target_table"], identity=identity,
        transform_spec=params.get("transform") or {}, transform=compile_transform(params.get("transform")),
        bucket=params["s3_bucket"], prefix=prefix, key_schema=[key for key in (hash_key, range_key) if key],
        billing_mode=params["billing_mode"], read_capacity=capacities[0], write_capacity=capacities[1],
        export_time=parse_export_time(params.get("export_time")), checkpoint_path=params["checkpoint_path"],
        max_failed_items=params["max_failed_items"], verify_sample_size=params["verify_sample_size"],
        poll_interval=params["poll_interval"], wait_timeout=params["wait_timeout"],
        spark=build_spark_plan(params, params["s3_bucket"], prefix), import_by=params.get("import_by") or "module")


def target_table_description(plan):
    """The target as DescribeTable would show it: what preflight.check_transform_against_schemas reads."""
    return dict(TableName=plan.target_table,
                KeySchema=[dict(AttributeName=name, KeyType=key_type)
                           for (name, dummy), key_type in zip(plan.key_schema, ("HASH", "RANGE"))],
                AttributeDefinitions=[dict(AttributeName=name, AttributeType=attribute_type)
                                      for name, attribute_type in plan.key_schema])


def transform_engine(plan):
    """Where the plan's transform runs: module, glue or emr_serverless."""
    return plan.spark.engine if plan.spark else "module"


def import_source(plan):
    """Where the import reads, as a dynamodb_stack_tables entry's import_source (rendered as the table's
    ImportSourceSpecification): what a stack needs to create the new table from the transformed files."""
    return dict(s3_bucket=plan.bucket, s3_key_prefix=plan.prefix + "/transformed/", input_format="DYNAMODB_JSON",
                input_compression_type="GZIP")


def table_creation_parameters(plan):
    """ImportTable's TableCreationParameters: the key and billing of the new table."""
    description = target_table_description(plan)
    parameters = dict(TableName=plan.target_table, KeySchema=description["KeySchema"],
                      AttributeDefinitions=description["AttributeDefinitions"], BillingMode=plan.billing_mode)
    if plan.billing_mode == "PROVISIONED":
        parameters["ProvisionedThroughput"] = dict(ReadCapacityUnits=plan.read_capacity,
                                                   WriteCapacityUnits=plan.write_capacity)
    return parameters


def estimate(table, engine="module"):
    """Size, time and cost of the migration, from DescribeTable's TableSizeBytes and ItemCount (which DynamoDB
    refreshes about every six hours). The import is billed on the uncompressed DynamoDB JSON, which is larger than
    the table's own size: the cost is a lower bound. The time is JOBS_MINUTES_ASSUMED plus, with the transform in
    the module, the items at MODULE_TRANSFORM_ITEMS_PER_SECOND; a Spark transform's time depends on its workers
    (None)."""
    size, items = table.get("TableSizeBytes", 0), table.get("ItemCount", 0)
    gigabytes = float(size) / GB
    transform_hours = round(items / float(MODULE_TRANSFORM_ITEMS_PER_SECOND) / 3600, 2) if engine == "module" else None
    jobs_hours = JOBS_MINUTES_ASSUMED / 60.0
    return dict(table_size_bytes=size, item_count=items, gigabytes=round(gigabytes, 3),
                export_usd=round(gigabytes * EXPORT_USD_PER_GB, 2), import_usd=round(gigabytes * IMPORT_USD_PER_GB, 2),
                transform_hours=transform_hours,
                hours=round(jobs_hours + transform_hours, 2) if transform_hours is not None else None,
                prices=dict(region="us-east-1", export_usd_per_gb=EXPORT_USD_PER_GB,
                            import_usd_per_gb=IMPORT_USD_PER_GB,
                            source="https://aws.amazon.com/dynamodb/pricing/on-demand/"),
                assumptions=dict(export_and_import_minutes=JOBS_MINUTES_ASSUMED,
                                 module_transform_items_per_second=MODULE_TRANSFORM_ITEMS_PER_SECOND,
                                 source="benchmarks/migration_methods.py; AWS publishes no speed for its jobs"))
