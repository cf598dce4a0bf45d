# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the CloudFormation template of a stack from its table declarations (dynamodb_stack_tables).

Pure data in, data out: the lint (schema_lint.py) has already rejected bad declarations, so this module only
applies defaults, derives names (table_spec.py) and lays the resources out, hardened by default.
"""

try:
    import yaml
except ImportError:  # ansible-core brings PyYAML to the controller, where the filters that call this run
    yaml = None

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import LOGS_LOG_GROUP
from ansible_collections.aichef.dynamodb.plugins.module_utils._template import aws_rules
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import DEFAULT_NAME_PREFIX
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import table_id
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import table_logical_id

# DynamoDB publishes ThrottledRequests and SystemErrors per (TableName, Operation) only: an alarm on the
# TableName dimension alone, as the team's template has, watches a series that never receives a data point
# and so never fires. The read/write throttle events are published per table; SystemErrors needs an
# operation, so it gets one alarm per operation the application uses.
DEFAULT_ALARMS = (
    dict(metric="ReadThrottleEvents", threshold=5),
    dict(metric="WriteThrottleEvents", threshold=5),
    dict(metric="SystemErrors", threshold=0, operations=["GetItem", "PutItem", "Query"]),
)

MAX_STACK_RESOURCES = aws_rules.MAX_RESOURCES

DEFAULT_SETTINGS = dict(
    description="AI Chef DynamoDB Tables Schema",
    name_prefix=DEFAULT_NAME_PREFIX,
    alarm_name_prefix="AI-Chef-DynamoDB-",
    alarms=DEFAULT_ALARMS,
    alarm_period=300,
    alarm_evaluation_periods=1,
    alarm_topic_arn="",
    log_group_name="/aws/dynamodb/ai-chef-tables",
    log_retention_days=7,
    table_tags={},
)


# The team's stack keeps the names it has always had; any other stack derives its own (two stacks in one account
# must never share an alarm or a log group).
TEAM_STACK_NAME = "ai-chef-dynamodb"
STACK_DERIVED_NAMES = dict(alarm_name_prefix="%s-", log_group_name="/aws/dynamodb/%s")


def stack_settings(settings=None, stack_name=None):
    """The settings over DEFAULT_SETTINGS. A name setting left None (the role's default) is derived from the stack
    name: <stack>- for alarms, /aws/dynamodb/<stack> for the log group; the team's names for the team's stack or
    when no stack name is known. An empty log_group_name means no log group."""
    settings = settings or {}
    merged = dict(DEFAULT_SETTINGS, **dict((key, value) for key, value in settings.items() if value is not None))
    if stack_name and stack_name != TEAM_STACK_NAME:
        for key, pattern in STACK_DERIVED_NAMES.items():
            if settings.get(key) is None:
                merged[key] = pattern % stack_name
    return merged


def key_schema(hash_key, range_key=None):
    schema = [dict(AttributeName=hash_key["name"], KeyType="HASH")]
    if range_key:
        schema.append(dict(AttributeName=range_key["name"], KeyType="RANGE"))
    return schema


def attribute_definitions(table):
    """One definition per key attribute of the table and its indexes (CloudFormation rejects any other)."""
    keys = [table["hash_key"], table.get("range_key")]
    for index in table.get("global_secondary_indexes") or []:
        keys += [index["hash_key"], index.get("range_key")]
    for index in table.get("local_secondary_indexes") or []:
        keys.append(index["range_key"])
    definitions = {}
    for key in keys:
        if key and key["name"] not in definitions:
            definitions[key["name"]] = key.get("type", "S")
    return [dict(AttributeName=name, AttributeType=kind) for name, kind in definitions.items()]


def projection(index):
    rendered = dict(ProjectionType=index.get("projection", "ALL"))
    if rendered["ProjectionType"] == "INCLUDE":
        rendered["NonKeyAttributes"] = list(index["non_key_attributes"])
    return rendered


def throughput(entry):
    return dict(ReadCapacityUnits=entry["read_capacity"], WriteCapacityUnits=entry["write_capacity"])


def import_source_specification(source):
    """A table's ImportSourceSpecification: the table is created by DynamoDB's ImportTable from the S3 objects
    under the prefix. Only the keys given are written (AWS's defaults apply to the others), except InputFormat,
    which CloudFormation requires: DYNAMODB_JSON, the format of DynamoDB's own export, unless told."""
    bucket_source = dict(S3Bucket=source["s3_bucket"])
    if source.get("s3_key_prefix"):
        bucket_source["S3KeyPrefix"] = source["s3_key_prefix"]
    if source.get("s3_bucket_owner"):
        bucket_source["S3BucketOwner"] = source["s3_bucket_owner"]
    rendered = dict(S3BucketSource=bucket_source, InputFormat=source.get("input_format") or "DYNAMODB_JSON")
    if source.get("input_compression_type"):
        rendered["InputCompressionType"] = source["input_compression_type"]
    options = source.get("input_format_options")
    if options:
        csv = {}
        if options.get("delimiter"):
            csv["Delimiter"] = options["delimiter"]
        if options.get("header_list"):
            csv["HeaderList"] = list(options["header_list"])
        rendered["InputFormatOptions"] = dict(Csv=csv)
    return rendered


def table_properties(table, settings):
    provisioned = table.get("billing_mode", "PAY_PER_REQUEST") == "PROVISIONED"
    properties = dict(
        TableName=table["name"],
        BillingMode="PROVISIONED" if provisioned else "PAY_PER_REQUEST",
        AttributeDefinitions=attribute_definitions(table),
        KeySchema=key_schema(table["hash_key"], table.get("range_key")),
    )
    if provisioned:
        properties["ProvisionedThroughput"] = throughput(table)
    if table.get("global_secondary_indexes"):
        properties["GlobalSecondaryIndexes"] = []
        for index in table["global_secondary_indexes"]:
            rendered = dict(IndexName=index["name"], KeySchema=key_schema(index["hash_key"], index.get("range_key")),
                            Projection=projection(index))
            if provisioned:
                rendered["ProvisionedThroughput"] = throughput(index)
            properties["GlobalSecondaryIndexes"].append(rendered)
    if table.get("local_secondary_indexes"):
        properties["LocalSecondaryIndexes"] = [
            dict(IndexName=index["name"], KeySchema=key_schema(table["hash_key"], index["range_key"]),
                 Projection=projection(index))
            for index in table["local_secondary_indexes"]]
    if table.get("ttl_attribute"):
        properties["TimeToLiveSpecification"] = dict(AttributeName=table["ttl_attribute"], Enabled=True)
    properties["PointInTimeRecoverySpecification"] = dict(
        PointInTimeRecoveryEnabled=bool(table.get("point_in_time_recovery", True)))
    properties["SSESpecification"] = dict(SSEEnabled=True)
    properties["DeletionProtectionEnabled"] = bool(table.get("deletion_protection", True))
    properties["TableClass"] = table.get("table_class", "STANDARD")
    if table.get("stream_view_type"):
        properties["StreamSpecification"] = dict(StreamViewType=table["stream_view_type"])
    if table.get("resource_policy"):
        # Embedded in the table: a policy cannot name its own table's ARN, so it grants on "this table".
        properties["ResourcePolicy"] = dict(PolicyDocument=dict(Version="2012-10-17", Statement=[dict(
            Effect="Allow", Principal=dict(AWS=list(table["resource_policy"]["principals"])),
            Action=list(table["resource_policy"]["actions"]), Resource="*")]))
    if table.get("import_source"):
        properties["ImportSourceSpecification"] = import_source_specification(table["import_source"])
    tags = dict(settings["table_tags"])
    tags.update(table.get("tags") or {})
    if tags:
        properties["Tags"] = [dict(Key=key, Value=str(value)) for key, value in tags.items()]
    return properties


def alarm_resources(table, logical_id, identifier, settings):
    resources = {}
    for alarm in settings["alarms"]:
        for operation in alarm.get("operations") or [None]:
            suffix = alarm["metric"] + (operation or "")
            dimensions = [dict(Name="TableName", Value={"Ref": logical_id})]
            if operation:
                dimensions.append(dict(Name="Operation", Value=operation))
            properties = dict(
                AlarmName="%s%s-%s" % (settings["alarm_name_prefix"], identifier,
                                       "-".join(filter(None, [alarm["metric"], operation]))),
                AlarmDescription="%s of DynamoDB table %s%s above %s in %d s" % (
                    alarm["metric"], table["name"], " (%s)" % operation if operation else "", alarm["threshold"],
                    settings["alarm_period"]),
                Namespace="AWS/DynamoDB",
                MetricName=alarm["metric"],
                Dimensions=dimensions,
                Statistic=alarm.get("statistic", "Sum"),
                Period=settings["alarm_period"],
                EvaluationPeriods=settings["alarm_evaluation_periods"],
                Threshold=alarm["threshold"],
                ComparisonOperator="GreaterThanThreshold",
                TreatMissingData="notBreaching",
            )
            if settings["alarm_topic_arn"]:
                properties["AlarmActions"] = [settings["alarm_topic_arn"]]
            resources["%s%sAlarm" % (identifier, suffix)] = dict(Type=CLOUDWATCH_ALARM, Properties=properties)
    return resources


def table_outputs(table, logical_id, identifier):
    outputs = {
        identifier + "Name": dict(Description="%s name" % table["name"], Value={"Ref": logical_id},
                                  Export=dict(Name={"Fn::Sub": "${AWS::StackName}-%s" % identifier})),
        identifier + "Arn": dict(Description="%s ARN" % table["name"], Value={"Fn::GetAtt": [logical_id, "Arn"]},
                                 Export=dict(Name={"Fn::Sub": "${AWS::StackName}-%sArn" % identifier})),
    }
    if table.get("stream_view_type"):
        outputs[identifier + "StreamArn"] = dict(
            Description="%s stream ARN" % table["name"], Value={"Fn::GetAtt": [logical_id, "StreamArn"]},
            Export=dict(Name={"Fn::Sub": "${AWS::StackName}-%sStreamArn" % identifier}))
    return outputs


def render_stack_template(tables, settings=None):
    """The template as a dict. ValueError when two tables would share a logical id (names that differ only in
    punctuation) or the stack would exceed CloudFormation's resource quota."""
    settings = stack_settings(settings)
    resources, outputs = {}, {}
    if settings["log_group_name"]:
        # Retained like the tables: a rename (a replacement) or a removal leaves the old group and its events.
        properties = dict(LogGroupName=settings["log_group_name"], RetentionInDays=settings["log_retention_days"])
        resources["DynamoDBLogGroup"] = dict(Type=LOGS_LOG_GROUP, DeletionPolicy="Retain",
                                             UpdateReplacePolicy="Retain", Properties=properties)
    for table in tables:
        logical_id = table_logical_id(table)
        if logical_id in resources:
            raise ValueError("tables %r and another table both render as the logical id %s: rename one"
                             % (table["name"], logical_id))
        identifier = table_id(table, settings["name_prefix"])
        resources[logical_id] = dict(Type=DYNAMODB_TABLE, DeletionPolicy="RetainExceptOnCreate",
                                     UpdateReplacePolicy="Retain", Properties=table_properties(table, settings))
        if table.get("alarms", True):
            resources.update(alarm_resources(table, logical_id, identifier, settings))
        outputs.update(table_outputs(table, logical_id, identifier))
    if len(resources) > MAX_STACK_RESOURCES:
        raise ValueError("the stack would hold %d resources (tables, alarms, log group) and CloudFormation allows %d: "
                         "split the tables over several stacks or turn alarms off for some (alarms: false)"
                         % (len(resources), MAX_STACK_RESOURCES))
    template = dict(AWSTemplateFormatVersion="2010-09-09", Description=settings["description"], Resources=resources)
    if outputs:
        template["Outputs"] = outputs
    return template


def render_template_body(tables, settings=None):
    """The template as YAML text, keys in the order written above (what a person reviewing a diff expects)."""
    if yaml is None:
        raise ImportError("PyYAML is required to write the template as YAML")
    return yaml.safe_dump(render_stack_template(tables, settings), sort_keys=False, default_flow_style=False,
                          width=120)
