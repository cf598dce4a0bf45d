#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: dynamodb_table_s3_migration
short_description: Migrate a DynamoDB table into a new one through an export to S3, a transform and an import
version_added: 0.2.0
description:
  - For tables too large for the single-process copy of M(aichef.dynamodb.dynamodb_table_migration). Four
    stages, each recorded in O(checkpoint_path).
  - B(Export) the source at a point in time to O(s3_bucket) under O(s3_prefix)C(/export)
    (C(ExportTableToPointInTime), C(DYNAMODB_JSON)). It reads the table's point-in-time recovery backups, not the
    table, so it takes none of its read capacity; point-in-time recovery must be on, else the module fails
    before any write.
  - B(Transform) each data file of the export with the same transform spec and code as the copy into gzip
    DynamoDB JSON under O(s3_prefix)C(/transformed). With O(transform_engine=module), in the module's process,
    streaming (one line at a time, at most one 64 MB compressed part in memory). With O(transform_engine=glue) or
    O(transform_engine=emr_serverless), as a PySpark job that the collection ships, run by AWS Glue or EMR
    Serverless. The module uploads the job's script and the zip of the transform's code, starts the run, records
    its id in O(checkpoint_path) and follows it to its end (RV(migration.transform_job)). Items that fail
    the transform or the new key are counted and reported by key, never dropped silently; more than
    O(max_failed_items) fails the module before the import.
  - B(Import) the transformed files into the new table O(target_table) (C(ImportTable), which creates the table
    with O(hash_key), O(range_key) and O(billing_mode)), and wait for it. An existing O(target_table) is refused
    before any write.
  - With O(import_by=stack), a CloudFormation stack creates the new table instead, so that it is a stack
    resource from its first second. The run stops after the transform with RV(migration.status)
    C(awaiting_import) and RV(migration.import_source), which the stack's table entry takes as its
    C(import_source) (C(ImportSourceSpecification)); see the role's C(dynamodb_stack_tables). The run after the
    stack's deploy finds that import (C(ListImports) by the table's ARN), waits for it and verifies. The
    C(migrate_dynamodb_table) playbook does exactly this with C(dynamodb_migration_method=s3).
  - B(Verify) the import's own counts (C(ImportedItemCount), C(ProcessedItemCount), C(ErrorCount)) against the
    items transformed, and O(verify_sample_size) random source items, transformed, against the target.
  - A re-run continues from the last finished stage (the export is reused, not made again; transformed files are
    not written again). A re-run after completion verifies again and reports C(changed=false).
  - The source table is only read; the export and transformed files stay in S3 (delete them when done).
options:
  source_table:
    description: Name of the table to migrate from.
    type: str
    required: true
  target_table:
    description: Name of the new table; the import creates it, so it must not exist.
    type: str
    required: true
  s3_bucket:
    description:
      - Bucket for the export and the transformed files, in the module's region. The caller needs
        C(s3:PutObject), C(s3:GetObject) and C(s3:ListBucket) on it, and C(dynamodb:ExportTableToPointInTime)
        writes to it as the caller.
    type: str
    required: true
  s3_prefix:
    description:
      - Key prefix of this migration in O(s3_bucket); it must hold no object when the migration starts (the
        import reads every object under the transformed prefix).
    type: str
    required: true
  hash_key:
    description: Partition key of the new table.
    type: dict
    required: true
    suboptions:
      name:
        description: Attribute name.
        type: str
        required: true
      type:
        description: Attribute type.
        type: str
        choices: [S, N, B]
        default: S
  range_key:
    description: Sort key of the new table, if any.
    type: dict
    suboptions:
      name:
        description: Attribute name.
        type: str
        required: true
      type:
        description: Attribute type.
        type: str
        choices: [S, N, B]
        default: S
  billing_mode:
    description: Billing mode of the new table.
    type: str
    choices: [PAY_PER_REQUEST, PROVISIONED]
    default: PAY_PER_REQUEST
  read_capacity:
    description: Read capacity units of the new table, with O(billing_mode=PROVISIONED) only.
    type: int
  write_capacity:
    description: Write capacity units of the new table, with O(billing_mode=PROVISIONED) only.
    type: int
  export_time:
    description:
      - The point in time to export, ISO 8601 with a time zone (V(2026-12-04T18:00:00+00:00)), within the
        point-in-time recovery window. Default the time of the export request.
    type: str
  checkpoint_path:
    description:
      - File (on the host running the module) holding each stage's job ARN, files and state; written atomically.
      - Required, so that a re-run never starts a second export or import.
    type: path
    required: true
  max_failed_items:
    description: Items that may fail the transform or the new key before the module fails, before the import.
    type: int
    default: 0
  verify_sample_size:
    description:
      - After the import, read this many random source items, transform them and fail unless the target holds
        exactly the result. V(0) skips it.
      - The source is read as it is now, the target holds it as it was at the export time; stop writes to the
        source first, or expect items changed since to differ.
    type: int
    default: 20
  import_by:
    description:
      - Who creates the new table from the transformed files. V(module) with C(ImportTable). V(stack) a
        CloudFormation stack whose table declares RV(migration.import_source) as its C(import_source); the
        module stops before the import until that table exists, then verifies its import.
      - Needs C(dynamodb:ListImports) with V(stack).
    type: str
    choices: [module, stack]
    default: module
  transform_engine:
    description:
      - Where the transform runs. V(module) in the module's process (one core of the host running the module).
        V(glue) as a run of the AWS Glue job O(spark.glue_job_name) (Glue 5.0, Spark 3.5). V(emr_serverless) as a
        job run on the EMR Serverless application O(spark.application_id) (EMR 7.x, Spark 3.5).
      - Both Spark engines run the same script, C(plugins/module_utils/_migrate/spark_job.py), with the same
        transform code as V(module); see docs/migrate.md for the IAM the job's role needs.
      - The engine of a migration cannot change once its transform has started.
    type: str
    choices: [module, glue, emr_serverless]
    default: module
  spark:
    description: The Spark run of the transform, with O(transform_engine=glue) or O(transform_engine=emr_serverless).
    type: dict
    suboptions:
      glue_job_name:
        description:
          - With O(transform_engine=glue), the Glue job to run, a Spark job (C(glueetl)), Glue 5.0.
          - Its script location (C(Command.ScriptLocation)) is where the module writes the job's script before
            the run, so that the job runs this collection's code; an object already there that is not this
            collection's script is refused, never replaced.
        type: str
      application_id:
        description: With O(transform_engine=emr_serverless), the id of the EMR Serverless Spark application.
        type: str
      execution_role_arn:
        description: With O(transform_engine=emr_serverless), the IAM role the job run runs as.
        type: str
      code_location:
        description:
          - C(s3://bucket/prefix) where the module writes C(aichef_migrate.zip) (the transform's code, given to the
            job as C(--extra-py-files) on Glue, C(--py-files) on EMR Serverless) and, for EMR Serverless, the
            job's script C(spark_job.py). Default C(s3://)O(s3_bucket)C(/)O(s3_prefix)C(/spark-code).
        type: str
      files_per_stage:
        description:
          - The job transforms the export's data files in stages of this many files and records each finished
            stage in O(s3_prefix)C(/spark-work); a new run after a failed one skips the finished stages.
        type: int
        default: 200
  poll_interval:
    description: Seconds between two reads of the export's, the transform job's or the import's status.
    type: int
    default: 20
  wait_timeout:
    description:
      - Seconds to wait for the export, again for the transform job run, and again for the import. Past it the
        module fails; a re-run waits for the same job again (the checkpoint holds it).
    type: int
    default: 21600
notes:
  - Supports check mode; it then checks the tables, point-in-time recovery, the transform against the new key,
    the prefix and, with a Spark engine, the Glue job or EMR Serverless application, and returns
    RV(migration.estimate) (size from C(TableSizeBytes), cost at the published us-east-1 prices, time), writing and
    starting nothing.
  - Export to S3 is billed per GB of the table at the export time, import from S3 per GB of uncompressed source
    data (U(https://aws.amazon.com/dynamodb/pricing/on-demand/)).
  - On the ministack emulator an export completes without writing its data files; see docs/migrate.md.
author:
  - AI Chef platform team (@aichef)
extends_documentation_fragment:
  - aichef.dynamodb.backoff
  - aichef.dynamodb.migration_transform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Estimate the size and cost of moving ai-chef-sessions to a PK/SK table through S3
  aichef.dynamodb.dynamodb_table_s3_migration:
    source_table: ai-chef-sessions
    target_table: ai-chef-sessions-v2
    s3_bucket: ai-chef-migrations
    s3_prefix: sessions-v2
    hash_key: {name: PK, type: S}
    range_key: {name: SK, type: S}
    transform:
      derive:
        PK: "SESSION#{sessionId}"
        SK: META
    checkpoint_path: /var/lib/ai-chef/migrations/sessions-v2-s3.json
    region: us-east-1
  check_mode: true
  register: estimated

- name: Show the estimate
  ansible.builtin.debug:
    msg: >-
      {{ estimated.migration.estimate.gigabytes }} GB: export about {{ estimated.migration.estimate.export_usd }} USD,
      import about {{ estimated.migration.estimate.import_usd }} USD, about {{ estimated.migration.estimate.hours }} hours

- name: Migrate it, the transform running as a run of the Glue job ai-chef-migration-transform
  aichef.dynamodb.dynamodb_table_s3_migration:
    source_table: ai-chef-sessions
    target_table: ai-chef-sessions-v2
    s3_bucket: ai-chef-migrations
    s3_prefix: sessions-v2
    hash_key: {name: PK, type: S}
    range_key: {name: SK, type: S}
    transform:
      derive:
        PK: "SESSION#{sessionId}"
        SK: META
    transform_engine: glue
    spark:
      glue_job_name: ai-chef-migration-transform
    checkpoint_path: /var/lib/ai-chef/migrations/sessions-v2-s3.json
    region: us-east-1

- name: The same on EMR Serverless
  aichef.dynamodb.dynamodb_table_s3_migration:
    source_table: ai-chef-sessions
    target_table: ai-chef-sessions-v2
    s3_bucket: ai-chef-migrations
    s3_prefix: sessions-v2
    hash_key: {name: PK, type: S}
    range_key: {name: SK, type: S}
    transform:
      derive:
        PK: "SESSION#{sessionId}"
        SK: META
    transform_engine: emr_serverless
    spark:
      application_id: 00fabcdefghij123
      execution_role_arn: arn:aws:iam::123456789012:role/ai-chef-migration-job
    checkpoint_path: /var/lib/ai-chef/migrations/sessions-v2-s3.json
    region: us-east-1
"""

RETURN = r"""
migration:
  description: What the migration did, as job ARNs, counts and keys; item payloads are never returned.
  returned: always
  type: dict
  contains:
    source_table:
      description: The source table.
      returned: always
      type: str
      sample: ai-chef-sessions
    target_table:
      description: The new table.
      returned: always
      type: str
      sample: ai-chef-sessions-v2
    status:
      description:
        - C(complete), C(in_progress) (a stage failed or timed out; re-run to continue), C(check_mode), or with
          O(import_by=stack) C(awaiting_import) (transformed; deploy the new table with RV(migration.import_source),
          then re-run).
      returned: always
      type: str
      sample: complete
    resumed:
      description: Whether this run continued an interrupted migration from its checkpoint.
      returned: always
      type: bool
      sample: false
    checkpoint_path:
      description: The checkpoint file.
      returned: always
      type: str
      sample: /var/lib/ai-chef/migrations/sessions-v2-s3.json
    s3_prefix:
      description: Where the export and the transformed files are.
      returned: always
      type: str
      sample: s3://ai-chef-migrations/sessions-v2/
    import_by:
      description: Who creates the new table, O(import_by).
      returned: always
      type: str
      sample: stack
    import_source:
      description:
        - Where the import reads the transformed files, as a C(dynamodb_stack_tables) entry's C(import_source).
      returned: always
      type: dict
      sample: {"s3_bucket": "ai-chef-migrations", "s3_key_prefix": "sessions-v2/transformed/",
               "input_format": "DYNAMODB_JSON", "input_compression_type": "GZIP"}
    export:
      description: The export's C(arn), C(status) (C(done) once complete), C(item_count) and C(billed_size_bytes).
      returned: always
      type: dict
      sample: {"arn": "arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-sessions/export/0166-ab12",
               "status": "done", "item_count": 20000, "billed_size_bytes": 4000000}
    transform:
      description: Counts over the transformed data files.
      returned: always
      type: dict
      sample: {"files": 4, "parts": 4, "items_read": 20000, "items_written": 19990, "items_filtered": 10,
               "items_failed": 0}
    transform_job:
      description:
        - The C(engine) of the transform and, with a Spark engine, its run. C(id) (the Glue job run id or the EMR
          Serverless job run id), C(token) it was started with, C(state) (the service's), C(script) and
          C(py_files) it ran, C(started_at), C(progress) (the last 20 changes, each a time, the state and the job's
          finished stages) and C(failed_runs) (C(id), C(state) and the service's C(message) of each run that ended
          badly).
      returned: always
      type: dict
      sample: {"engine": "glue", "id": "jr_0123456789abcdef", "token": "0f3a9c2e4b1d7a6c5e8f9012-0",
               "state": "SUCCEEDED", "script": "s3://ai-chef-glue/scripts/spark_job.py",
               "py_files": "s3://ai-chef-migrations/sessions-v2/spark-code/aichef_migrate.zip",
               "started_at": "2026-12-04T21:00:00Z",
               "progress": ["2026-12-04T21:00:20Z RUNNING jr_0123456789abcdef: 0 of 3 stages done",
                            "2026-12-04T21:09:40Z SUCCEEDED jr_0123456789abcdef: 3 of 3 stages done"],
               "failed_runs": []}
    import_job:
      description: The import's C(arn), C(status) and its own C(imported_item_count), C(processed_item_count)
        and C(error_count).
      returned: always
      type: dict
      sample: {"arn": "arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-sessions-v2/import/0166-cd34",
               "status": "done", "imported_item_count": 19990, "processed_item_count": 19990, "error_count": 0}
    failed_examples:
      description: The source key and the reason of the first few items that failed (at most 5).
      returned: always
      type: list
      elements: dict
      sample: [{"key": {"sessionId": "abc"}, "reason": "derive PK: attribute sessionId is missing"}]
    verification:
      description:
        - The import's counts against the items transformed (C(expected_item_count), C(imported_item_count),
          C(processed_item_count), C(error_count), C(counts_match)) and the sample comparison (C(sample_size),
          C(sample_checked), C(sample_matched), C(sample_skipped), C(sample_mismatches) by key).
      returned: always
      type: dict
      sample: {"expected_item_count": 19990, "imported_item_count": 19990, "processed_item_count": 19990,
               "error_count": 0, "counts_match": true, "sample_size": 20, "sample_checked": 20,
               "sample_matched": 20, "sample_skipped": 0, "sample_mismatches": []}
    estimate:
      description:
        - In check mode, the source's C(table_size_bytes), C(item_count) and C(gigabytes); the cost in USD of the
          export (C(export_usd)) and of the import (C(import_usd), a lower bound, as the import is billed on the
          uncompressed DynamoDB JSON) at the C(prices) assumed; and the time in C(hours), the C(assumptions)' half
          hour for the export and import jobs (AWS publishes no speed for them) plus C(transform_hours), the items
          at the module's measured transform rate. With a Spark engine the transform's time depends on its workers, so
          C(transform_hours) and C(hours) are null.
      returned: in check mode
      type: dict
      sample: {"table_size_bytes": 53687091200, "item_count": 100000000, "gigabytes": 50.0, "export_usd": 5.0,
               "import_usd": 7.5, "transform_hours": 13.89, "hours": 14.39,
               "prices": {"region": "us-east-1", "export_usd_per_gb": 0.1, "import_usd_per_gb": 0.15,
                          "source": "https://aws.amazon.com/dynamodb/pricing/on-demand/"},
               "assumptions": {"export_and_import_minutes": 30, "module_transform_items_per_second": 2000,
                               "source": "benchmarks/migration_methods.py; AWS publishes no speed for its jobs"}}
"""

try:
    # Unused here on purpose: AnsibleAWSModule reports a missing SDK.
    import botocore  # noqa: F401  # pylint: disable=unused-import
except ImportError:
    pass

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import LazyClient
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.migration import MigrationFailed
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration import S3Migration
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_migration_plan import build_s3_plan
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.spark_options import SPARK_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.spark_runs import spark_runs_for
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform_options import TRANSFORM_ARGUMENT_SPEC

KEY_OPTIONS = dict(name=dict(type="str", required=True), type=dict(type="str", choices=["S", "N", "B"], default="S"))

ARGUMENT_SPEC = dict(
    source_table=dict(type="str", required=True),
    target_table=dict(type="str", required=True),
    s3_bucket=dict(type="str", required=True),
    s3_prefix=dict(type="str", required=True),
    # no_log=False: key *names* of the new table, not secrets (validate-modules guesses from "key").
    hash_key=dict(type="dict", required=True, no_log=False, options=KEY_OPTIONS),
    range_key=dict(type="dict", no_log=False, options=KEY_OPTIONS),
    billing_mode=dict(type="str", choices=["PAY_PER_REQUEST", "PROVISIONED"], default="PAY_PER_REQUEST"),
    read_capacity=dict(type="int"),
    write_capacity=dict(type="int"),
    export_time=dict(type="str"),
    checkpoint_path=dict(type="path", required=True),
    max_failed_items=dict(type="int", default=0),
    verify_sample_size=dict(type="int", default=20),
    poll_interval=dict(type="int", default=20),
    wait_timeout=dict(type="int", default=21600),
    import_by=dict(type="str", choices=["module", "stack"], default="module"),
    **dict(TRANSFORM_ARGUMENT_SPEC, **dict(SPARK_ARGUMENT_SPEC, **BACKOFF_ARGUMENT_SPEC))
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    # Both tables and the bucket are in the module's region and endpoint: ImportTable creates the table where
    # it is called, and an export's bucket may be anywhere the caller can write.
    where = dict(region=module.region, endpoint_url=module.params.get("endpoint_url"))
    identity = dict(source=dict(where, table=module.params["source_table"]),
                    target=dict(where, table=module.params["target_table"]))
    try:
        plan = build_s3_plan(module.params, identity)
        decorator = retry_decorator(module.params)
        # S3 on first use: a run refused by its preflight never pays for a second client.
        s3 = LazyClient(lambda: module.client("s3", retry_decorator=decorator))
        spark_runs = None
        if plan.spark is not None:
            spark_runs = spark_runs_for(plan.spark, plan.target_table, lambda service: LazyClient(
                lambda: module.client(service, retry_decorator=decorator)))
        migration = S3Migration(module.client("dynamodb", retry_decorator=decorator), s3, plan,
                                check_mode=module.check_mode, spark_runs=spark_runs)
        result = migration.run()
    except MigrationFailed as e:
        module.fail_json(msg=e.message, **e.kwargs)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
