# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployer's statements, as data: what each one names, its actions, who needs them and why.

policies.py turns them into policy documents for one stack's resource ARNs.
"""

# --- what a statement names ----------------------------------------------------------------------------------
STACK = "stack"
TABLES = "tables"
# The tables and their streams: the resource-policy actions apply to a table or to its stream (CloudFormation
# sets a stream's policy from StreamSpecification.ResourcePolicy), and the IAM linter rejects them without a
# stream ARN. Only those actions apply to a stream among the ones granted on it.
TABLES_AND_STREAMS = "tables_and_streams"
INDEXES = "indexes"
ALARMS = "alarms"
LOG_GROUPS = "log_groups"
# The template bucket (plugins/module_utils/_stack/template_bucket.py): the collection's own bucket of the account and
# region, which the upload module creates and hardens when it is missing, or a bucket the user names, which it
# only reads; and the template objects of this stack in it (<stack name>/<sha256>.yaml).
OWN_TEMPLATE_BUCKET = "own_template_bucket"
TEMPLATE_BUCKET = "template_bucket"
TEMPLATE_OBJECTS = "template_objects"
# A table the template creates from S3 (ImportSourceSpecification): the table and its imports, the source bucket
# and the objects under its key prefix, and the CloudWatch Logs groups DynamoDB writes import errors to.
IMPORT_TABLES = "import_tables"
IMPORT_SOURCE_BUCKETS = "import_source_buckets"
IMPORT_SOURCE_OBJECTS = "import_source_objects"
IMPORT_LOG_GROUPS = "import_log_groups"
# Resource "*" is used only for actions that IAM cannot scope to a resource (the Service Authorization
# Reference lists no resource type for them); each such statement says so in its "why".
ANY_RESOURCE = "*"

CALLED_VIA_CLOUDFORMATION = {"ForAnyValue:StringEquals": {"aws:CalledVia": ["cloudformation.amazonaws.com"]}}
# Recovery only asks whether a table holds an item (Scan, Limit 1, Select COUNT): never read item data.
COUNT_ONLY = {"StringEquals": {"dynamodb:Select": "COUNT"}}

# One row per statement; "why" says who needs it. "planner" lists the actions that also form the pull-request
# policy (reads and a change-set preview). "via_cloudformation" rows change resources that hold data and get the
# aws:CalledVia condition (unless turned off): the role changes a table or the log group only through a stack
# operation, which the stack's events record and drift detection compares. Alarms hold no data and are one
# statement, so each alarm's ARN is listed once (a stack of a few tables then fits one managed policy). A row is
# left out when its resources are empty, or when all the kinds its "requires" names are (a "*" row for log groups).
DEPLOYER_STATEMENTS = (
    dict(sid="CloudFormationThisStack", resources=STACK,
         actions=("cloudformation:ContinueUpdateRollback", "cloudformation:CreateChangeSet",
                  "cloudformation:CreateStack", "cloudformation:DeleteChangeSet", "cloudformation:DeleteStack",
                  "cloudformation:DescribeChangeSet", "cloudformation:DescribeStackEvents",
                  "cloudformation:DescribeStackResourceDrifts", "cloudformation:DescribeStacks",
                  "cloudformation:DetectStackDrift", "cloudformation:GetStackPolicy", "cloudformation:GetTemplate",
                  "cloudformation:ListStackResources", "cloudformation:RollbackStack", "cloudformation:SetStackPolicy",
                  "cloudformation:TagResource", "cloudformation:UntagResource", "cloudformation:UpdateStack",
                  "cloudformation:UpdateTerminationProtection"),
         planner=("cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
                  "cloudformation:DescribeChangeSet", "cloudformation:DescribeStackEvents",
                  "cloudformation:DescribeStacks", "cloudformation:GetStackPolicy", "cloudformation:GetTemplate",
                  "cloudformation:ListStackResources", "cloudformation:TagResource"),
         why="recovery reads the stack, deletes a dead one, continues or starts a rollback; the plan step previews "
             "the change with a change set it deletes again (with the stack's tags: tag-on-create asks for "
             "TagResource); amazon.aws.cloudformation creates or updates the stack with tags and termination "
             "protection; the progress step reads its events; verification reads it and runs drift detection"),
    # s3:PutBucketPolicy is left out on purpose: a role that writes a bucket's policy can grant itself, or another
    # account, anything on that bucket (parliament's RESOURCE_POLICY_PRIVILEGE_ESCALATION); the CI role must not
    # widen its own rights. The upload module then creates the bucket without its TLS-only policy and says so.
    # create_actions: granted only on the collection's own bucket (OWN_TEMPLATE_BUCKET), never on a user's.
    dict(sid="S3TemplateBucket", resources=TEMPLATE_BUCKET, actions=("s3:ListBucket",), planner="all",
         create_actions=("s3:CreateBucket", "s3:PutBucketPublicAccessBlock", "s3:PutBucketVersioning",
                         "s3:PutEncryptionConfiguration"),
         why="the template upload checks the template bucket exists (HeadBucket; s3:ListBucket also makes HeadObject "
             "answer 404, not 403, for a template not uploaded yet), and creates the collection's own bucket of the "
             "account and region when it is missing, with public access blocked, default encryption and versioning"),
    dict(sid="S3TemplatesOfThisStack", resources=TEMPLATE_OBJECTS, actions=("s3:GetObject", "s3:PutObject"),
         planner=("s3:GetObject",),
         why="the template upload asks whether the template is there (HeadObject) and uploads it; CloudFormation "
             "reads a TemplateURL with the caller's credentials (s3:GetObject), for a change set too"),
    dict(sid="CloudFormationNoResourceType", resources=ANY_RESOURCE,
         actions=("cloudformation:DescribeStackDriftDetectionStatus", "cloudformation:ListExports",
                  "cloudformation:ListImports"),
         planner=("cloudformation:ListImports",),
         why='"*": IAM has no resource type for these (a drift detection id; the exports and imports of the '
             "account and region); the plan step refuses to drop an output another stack imports; verification "
             "polls the drift detection and checks the stack's exports"),
    dict(sid="DynamoDBReadTables", resources=TABLES_AND_STREAMS,
         actions=("dynamodb:DescribeContinuousBackups", "dynamodb:DescribeContributorInsights",
                  "dynamodb:DescribeKinesisStreamingDestination", "dynamodb:DescribeTable",
                  "dynamodb:DescribeTimeToLive", "dynamodb:GetResourcePolicy", "dynamodb:ListTagsOfResource"),
         planner="all",
         why="recovery and verification describe the tables; CloudFormation's table read handler (every update "
             "and drift detection) calls all of these"),
    dict(sid="DynamoDBCountItems", resources=TABLES, condition=COUNT_ONLY,
         actions=("dynamodb:Scan",), planner="all",
         why="recovery refuses to delete a failed stack whose tables hold items: a one-item COUNT scan, no data"),
    dict(sid="DynamoDBChangeTablesViaCloudFormation", resources=TABLES_AND_STREAMS, via_cloudformation=True,
         actions=("dynamodb:CreateTable", "dynamodb:DeleteResourcePolicy", "dynamodb:DeleteTable",
                  "dynamodb:PutResourcePolicy", "dynamodb:TagResource", "dynamodb:UntagResource",
                  "dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTable", "dynamodb:UpdateTimeToLive"),
         why="CloudFormation's table handlers, for the properties the template sets (keys, indexes, billing, "
             "TTL, PITR, SSE with the AWS managed key, deletion protection, streams, resource policy, tags)"),
    # The permissions AWS lists for a table import (DynamoDB Developer Guide, "Requesting a table import"):
    # CloudFormation's create handler starts the import with the caller's credentials and polls it, and DynamoDB
    # reads the source and logs to /aws-dynamodb/ with them too. Only for a template with such a table.
    dict(sid="DynamoDBImportTablesViaCloudFormation", resources=IMPORT_TABLES, via_cloudformation=True,
         actions=("dynamodb:DescribeImport", "dynamodb:ImportTable"),
         why="CloudFormation's table create handler, for a table created from S3 (a dynamodb_stack_tables entry "
             "with import_source): it starts the import and polls it"),
    dict(sid="S3ListImportSources", resources=IMPORT_SOURCE_BUCKETS, actions=("s3:ListBucket",),
         why="the import lists the files under the source's key prefix"),
    dict(sid="S3ReadImportSources", resources=IMPORT_SOURCE_OBJECTS, actions=("s3:GetObject",),
         why="the import reads the source's files (only those under its key prefix)"),
    dict(sid="LogsImportErrors", resources=IMPORT_LOG_GROUPS,
         actions=("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents",
                  "logs:PutRetentionPolicy"),
         why="the import writes the items it could not import to CloudWatch Logs, under /aws-dynamodb/ (its "
             "logs:DescribeLogGroups, which IAM cannot scope, is in LogsNoResourceType)"),
    dict(sid="CloudWatchAlarms", resources=ALARMS,
         actions=("cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource",
                  "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"),
         why="verification describes the alarms; CloudFormation's alarm handlers"),
    dict(sid="LogsReadLogGroup", resources=LOG_GROUPS,
         actions=("logs:GetDataProtectionPolicy", "logs:ListTagsForResource"),
         why="CloudFormation's log group read handler"),
    dict(sid="LogsNoResourceType", resources=ANY_RESOURCE, requires=(LOG_GROUPS, IMPORT_LOG_GROUPS),
         actions=("logs:DescribeIndexPolicies", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies"),
         why='"*": IAM has no resource type for these (they list by name prefix or for the account); '
             "verification, CloudFormation's log group read handler and a table import call them"),
    dict(sid="LogsChangeLogGroupViaCloudFormation", resources=LOG_GROUPS, via_cloudformation=True,
         actions=("logs:CreateLogGroup", "logs:DeleteDataProtectionPolicy", "logs:DeleteLogGroup",
                  "logs:DeleteRetentionPolicy", "logs:PutRetentionPolicy", "logs:TagResource",
                  "logs:UntagResource"),
         why="CloudFormation's log group handlers (retention, tags; the delete handler also removes a data "
             "protection policy)"),
)
