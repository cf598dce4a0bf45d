# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS's own rules, kept as data in one place, each naming the AWS documentation it comes from, and the pure
checks that apply them to the role's settings and to a template before the first AWS write.

Why here and not left to AWS: CloudFormation accepts most bad values at CreateStack/UpdateStack and fails later,
one resource at a time, with a rollback each; some (a TemplateBody over 51,200 bytes) it refuses outright, and the
embedded emulator accepts them all. Each finding is one line naming the variable (or the template's resource) and
the fix. Pure: no AWS, no Ansible.
"""

import difflib
import re
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import LOGS_LOG_GROUP

# The documentation each rule comes from (cited in every finding's fix, so a user can check the rule).
DOCS = dict(
    cloudformation_quotas="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html",
    log_retention="https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
    log_group_name="https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    alarm="https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    dynamodb_metrics="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html",
    sns_arn="https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
    tags="https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
    stack_tags="https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Tag.html",
    gsi_updates="https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html",
    capabilities="https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html",
    import_source="https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
                  "aws-properties-dynamodb-table-importsourcespecification.html",
    import_table="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ImportTable.html",
    csv_options="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CsvOptions.html",
    bucket_name="https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
)

# CloudFormation quotas: a TemplateBody in a request is at most 51,200 bytes (else an S3 TemplateURL, at most 1 MB).
TEMPLATE_BODY_MAX_BYTES = 51200
# CloudFormation enforces 1,000,000 bytes ("Template may not exceed 1000000 bytes in size."), cfn-lint E1002 too.
TEMPLATE_URL_MAX_BYTES = 1000000
MAX_RESOURCES = 500
MAX_OUTPUTS = 200
MAX_PARAMETERS = 200
MAX_MAPPINGS = 200
MAX_DESCRIPTION_BYTES = 1024
MAX_STACK_TAGS = 50
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")

# CloudWatch Logs: RetentionInDays takes exactly these values; a log group name 1-512 of these characters.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653)
LOG_GROUP_NAME_PATTERN = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}\Z")

# CloudWatch PutMetricAlarm: Period 10, 20, 30 or a multiple of 60; Period x EvaluationPeriods at most one day.
ALARM_SHORT_PERIODS = (10, 20, 30)
ALARM_MAX_EVALUATION_SECONDS = 86400
ALARM_NAME_MAX_LENGTH = 255
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")

# DynamoDB's published metrics with a TableName dimension. Those in OPERATION_METRICS are published per
# (TableName, Operation) only: an alarm on TableName alone watches a series that never gets a data point.
# Account-level metrics (UserErrors, AccountMax*) have no TableName dimension at all.
TABLE_METRICS = frozenset((
    "ConditionalCheckFailedRequests", "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits",
    "OnlineIndexConsumedWriteCapacity", "OnlineIndexPercentageProgress", "OnlineIndexThrottleEvents",
    "ProvisionedReadCapacityUnits", "ProvisionedWriteCapacityUnits", "ReadThrottleEvents", "WriteThrottleEvents",
    "ReadProvisionedThroughputThrottleEvents", "WriteProvisionedThroughputThrottleEvents",
    "ReadKeyRangeThroughputThrottleEvents", "WriteKeyRangeThroughputThrottleEvents",
    "ReadMaxOnDemandThroughputThrottleEvents", "WriteMaxOnDemandThroughputThrottleEvents",
    "ReadAccountLimitThrottleEvents", "WriteAccountLimitThrottleEvents", "TimeToLiveDeletedItemCount",
    "TransactionConflict", "ReplicationLatency", "PendingReplicationCount", "AgeOfOldestUnreplicatedRecord",
    "ConsumedChangeDataCaptureUnits", "FailedToReplicateRecordCount", "ThrottledPutRecordCount",
))
OPERATION_METRICS = dict(
    SuccessfulRequestLatency=("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                              "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement",
                              "BatchExecuteStatement", "ExecuteTransaction", "GetRecords"),
    SystemErrors=("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
                  "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement",
                  "ExecuteTransaction", "GetRecords"),
    ThrottledRequests=("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                       "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement",
                       "BatchExecuteStatement", "ExecuteTransaction"),
    ReturnedItemCount=("Query", "Scan", "ExecuteStatement"),
    ReturnedBytes=("GetRecords",),
    ReturnedRecordsCount=("GetRecords",),
)

SNS_TOPIC_ARN_PATTERN = re.compile(r"arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?\Z")

# Tags: key 1-128, value 0-256 characters, letters, digits, spaces and _ . : / = + - @; "aws:" is AWS's own prefix.
TAG_KEY_MAX_LENGTH = 128
TAG_VALUE_MAX_LENGTH = 256
TAG_CHARACTERS = re.compile(r"[\w\s.:/=+\-@]*\Z", re.UNICODE)

# DynamoDB: one GSI created or deleted per table per update; a GSI's KeySchema and Projection cannot change.
MAX_GSI_CREATIONS_OR_DELETIONS_PER_UPDATE = 1

# A table's ImportSourceSpecification (ImportTable from S3): create-only, so any change replaces the table.
# ImportTable's TableCreationParameters take global secondary indexes but no local ones.
IMPORT_INPUT_FORMATS = ("DYNAMODB_JSON", "ION", "CSV")
IMPORT_COMPRESSION_TYPES = ("GZIP", "ZSTD", "NONE")
CSV_DELIMITERS = (",", ";", ":", "|", "\t", " ")
CSV_MAX_HEADERS = 255
CSV_HEADER_PATTERN = re.compile(r"[\x20-\x21\x23-\x2B\x2D-\x7E]{1,65536}\Z")  # printable ASCII but " and ,
S3_KEY_PREFIX_MAX_LENGTH = 1024
ACCOUNT_ID_PATTERN = re.compile(r"\d{12}\Z")
# General purpose bucket names: 3-63 lowercase letters, digits, dots and hyphens, a letter or digit at each end,
# no two dots in a row, not an IP address.
S3_BUCKET_NAME_PATTERN = re.compile(r"(?!\d+\.\d+\.\d+\.\d+\Z)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")


def _see(doc):
    return " (%s)" % DOCS[doc]


def _metric_advice(metric):
    known = sorted(TABLE_METRICS | set(OPERATION_METRICS))
    close = difflib.get_close_matches(str(metric), known, n=1, cutoff=0.8)
    return "did you mean %s?" % close[0] if close else "use one of %s" % ", ".join(known)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def body_size(template_body):
    return len(template_body.encode("utf-8"))


def needs_template_url(template_body):
    """Whether CloudFormation refuses the body inline and it must go through S3 as a TemplateURL."""
    return body_size(template_body) > TEMPLATE_BODY_MAX_BYTES


# --- settings ------------------------------------------------------------------------------------------------
def log_retention_findings(name, value):
    if value in LOG_RETENTION_DAYS and _is_int(value):
        return []
    return ["%s: %r is not a retention CloudWatch Logs accepts; use one of %s%s"
            % (name, value, ", ".join(str(days) for days in LOG_RETENTION_DAYS), _see("log_retention"))]


def log_group_name_findings(name, value):
    if not value or (isinstance(value, str) and LOG_GROUP_NAME_PATTERN.match(value)):
        return []
    return ["%s: %r is not a log group name; use 1-512 letters, digits and . - _ / # (no spaces)%s"
            % (name, value, _see("log_group_name"))]


def alarm_period_findings(name, period):
    if _is_int(period) and period > 0 and (period in ALARM_SHORT_PERIODS or period % 60 == 0):
        return []
    return ["%s: %r is not an alarm period CloudWatch accepts; use 10, 20, 30 or a multiple of 60 (seconds)%s"
            % (name, period, _see("alarm"))]


def evaluation_periods_findings(name, evaluation_periods, period):
    if not _is_int(evaluation_periods) or evaluation_periods < 1:
        return ["%s: %r must be a whole number of periods, at least 1%s" % (name, evaluation_periods, _see("alarm"))]
    if _is_int(period) and period * evaluation_periods > ALARM_MAX_EVALUATION_SECONDS:
        return ["%s: %d periods of %d s span more than one day (%d s), the most CloudWatch evaluates; use at most %d"
                % (name, evaluation_periods, period, ALARM_MAX_EVALUATION_SECONDS,
                   ALARM_MAX_EVALUATION_SECONDS // period)]
    return []


def topic_arn_findings(name, value):
    if not value or (isinstance(value, str) and SNS_TOPIC_ARN_PATTERN.match(value)):
        return []
    return ["%s: %r is not an SNS topic ARN; write arn:aws:sns:<region>:<12-digit account>:<topic>, or leave it empty "
            "for no notification%s" % (name, value, _see("sns_arn"))]


def alarm_findings(name, alarms):
    """Each alarm: a metric DynamoDB publishes per table, a statistic, a threshold >= 0, operations where needed."""
    if not isinstance(alarms, (list, tuple)):
        return ["%s: must be a list of alarms ({metric: ..., threshold: ...}), got %r" % (name, alarms)]
    findings = []
    for position, alarm in enumerate(alarms):
        where = "%s[%d]" % (name, position)
        if not isinstance(alarm, dict):
            findings.append("%s: must be a mapping {metric: ..., threshold: ...}, got %r" % (where, alarm))
            continue
        unknown = sorted(set(alarm) - set(("metric", "threshold", "operations", "statistic")))
        if unknown:
            findings.append("%s: unknown key(s) %s; an alarm takes metric, threshold, operations and statistic"
                            % (where, ", ".join(unknown)))
        metric = alarm.get("metric")
        operations = alarm.get("operations") or []
        named = isinstance(metric, str)  # a list or a mapping is no metric name (and cannot be looked up)
        if not isinstance(operations, (list, tuple)):  # a string would render one alarm per character
            findings.append("%s.operations: must be a list of operations, e.g. [GetItem, PutItem], got %r"
                            % (where, operations))
        elif named and metric in OPERATION_METRICS:
            if not operations:
                findings.append("%s.operations: DynamoDB publishes %s per operation only; list the operations to watch, "
                                "e.g. [GetItem, PutItem, Query]%s" % (where, metric, _see("dynamodb_metrics")))
            for operation in operations:
                if operation not in OPERATION_METRICS[metric]:
                    findings.append("%s.operations: DynamoDB publishes no %s for operation %r; use %s%s" % (
                        where, metric, operation, ", ".join(OPERATION_METRICS[metric]), _see("dynamodb_metrics")))
        elif named and metric in TABLE_METRICS:
            if operations:
                findings.append("%s.operations: DynamoDB publishes %s per table, not per operation; remove operations%s"
                                % (where, metric, _see("dynamodb_metrics")))
        if not (named and (metric in OPERATION_METRICS or metric in TABLE_METRICS)):
            findings.append("%s.metric: %r is not a metric DynamoDB publishes per table; %s%s"
                            % (where, metric, _metric_advice(metric), _see("dynamodb_metrics")))
        threshold = alarm.get("threshold")
        if not _is_number(threshold) or threshold < 0:
            findings.append("%s.threshold: %r can never be crossed by a DynamoDB count or latency; use a number >= 0"
                            % (where, threshold))
        if alarm.get("statistic", "Sum") not in STATISTICS:
            findings.append("%s.statistic: %r is not a CloudWatch statistic; use one of %s%s"
                            % (where, alarm.get("statistic"), ", ".join(STATISTICS), _see("alarm")))
    return findings


def tag_findings(name, tags, limit=None):
    """AWS's tag rules: key 1-128 and value 0-256 allowed characters, no "aws:" prefix; at most limit tags."""
    if not isinstance(tags, dict):
        return ["%s: must be a mapping of tag keys to values, got %r" % (name, tags)]
    findings = []
    if limit and len(tags) > limit:
        findings.append("%s: %d tags; AWS allows at most %d%s" % (name, len(tags), limit, _see("stack_tags")))
    for key, value in tags.items():
        where = "%s.%s" % (name, key)
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX_LENGTH or not TAG_CHARACTERS.match(key):
            findings.append("%s: a tag key is 1-%d letters, digits, spaces or _ . : / = + - @%s"
                            % (where, TAG_KEY_MAX_LENGTH, _see("tags")))
        elif key.lower().startswith("aws:"):
            findings.append('%s: the prefix "aws:" is reserved for AWS\'s own tags; choose another key%s'
                            % (where, _see("tags")))
        text = value if isinstance(value, str) else str(value)
        if isinstance(value, (dict, list)) or value is None:
            findings.append("%s: a tag value is a string, got %r" % (where, value))
        elif len(text) > TAG_VALUE_MAX_LENGTH or not TAG_CHARACTERS.match(text):
            findings.append("%s: a tag value is 0-%d letters, digits, spaces or _ . : / = + - @%s"
                            % (where, TAG_VALUE_MAX_LENGTH, _see("tags")))
    return findings


def description_findings(name, value):
    if isinstance(value, str) and len(value.encode("utf-8")) <= MAX_DESCRIPTION_BYTES:
        return []
    return ["%s: a template description is a string of at most %d bytes%s"
            % (name, MAX_DESCRIPTION_BYTES, _see("cloudformation_quotas"))]


def alarm_name_findings(name, prefix, longest_suffix):
    if len(prefix) + longest_suffix <= ALARM_NAME_MAX_LENGTH:
        return []
    return ["%s: alarm names would reach %d characters; CloudWatch allows %d, so shorten the prefix%s"
            % (name, len(prefix) + longest_suffix, ALARM_NAME_MAX_LENGTH, _see("alarm"))]


def render_settings_findings(settings, prefix):
    """Findings for the stack-wide settings of a rendered template (the filter's settings, the role's variables);
    prefix names them ("dynamodb_stack_" for the role, "settings." for the filter)."""
    findings = []
    findings += description_findings(prefix + "description", settings.get("description", ""))
    findings += alarm_findings(prefix + "alarms", settings.get("alarms", []))
    findings += alarm_period_findings(prefix + "alarm_period", settings.get("alarm_period", 300))
    findings += evaluation_periods_findings(prefix + "alarm_evaluation_periods",
                                            settings.get("alarm_evaluation_periods", 1),
                                            settings.get("alarm_period", 300))
    findings += topic_arn_findings(prefix + "alarm_topic_arn", settings.get("alarm_topic_arn", ""))
    if settings.get("log_group_name"):
        findings += log_group_name_findings(prefix + "log_group_name", settings["log_group_name"])
        findings += log_retention_findings(prefix + "log_retention_days", settings.get("log_retention_days", 7))
    findings += tag_findings(prefix + "table_tags", settings.get("table_tags", {}))
    return findings


def stack_settings_findings(capabilities, tags, prefix):
    findings = ["%scapabilities: %r is not a CloudFormation capability; use %s%s"
                % (prefix, capability, ", ".join(CAPABILITIES), _see("capabilities"))
                for capability in capabilities or [] if capability not in CAPABILITIES]
    return findings + tag_findings(prefix + "tags", tags, limit=MAX_STACK_TAGS)


# --- templates -----------------------------------------------------------------------------------------------
def template_size_findings(name, template_body):
    size = body_size(template_body)
    if size <= TEMPLATE_URL_MAX_BYTES:
        return []
    return ["%s: the template has %d bytes; CloudFormation reads at most %d from S3: split the tables over "
            "several stacks%s" % (name, size, TEMPLATE_URL_MAX_BYTES, _see("cloudformation_quotas"))]


def template_quota_findings(name, template):
    findings = []
    for section, limit in (("Resources", MAX_RESOURCES), ("Outputs", MAX_OUTPUTS), ("Parameters", MAX_PARAMETERS),
                           ("Mappings", MAX_MAPPINGS)):
        count = len(template.get(section) or {})
        if count > limit:
            findings.append("%s: %d %s; CloudFormation allows %d per stack: split the tables over several stacks%s"
                            % (name, count, section, limit, _see("cloudformation_quotas")))
    if "Description" in template:
        findings += description_findings("%s Description" % name, template["Description"])
    return findings


def _literal(value):
    """A property value CloudFormation would take as written (not an intrinsic function, resolved at deploy time)."""
    return not isinstance(value, dict)


def resource_findings(template):
    """Settings in a template's log groups and DynamoDB alarms that AWS refuses, named by logical id."""
    findings = []
    for logical_id, resource in sorted((template.get("Resources") or {}).items()):
        if not isinstance(resource, dict):
            continue
        properties = resource.get("Properties") or {}
        kind = resource.get("Type")
        where = "Resources.%s" % logical_id
        if kind == LOGS_LOG_GROUP:
            if "RetentionInDays" in properties and _literal(properties["RetentionInDays"]):
                findings += log_retention_findings(where + ".RetentionInDays", _as_int(properties["RetentionInDays"]))
            if "LogGroupName" in properties and isinstance(properties["LogGroupName"], str):
                findings += log_group_name_findings(where + ".LogGroupName", properties["LogGroupName"])
        elif kind == CLOUDWATCH_ALARM:
            if _literal(properties.get("Period", 60)):
                findings += alarm_period_findings(where + ".Period", _as_int(properties.get("Period", 60)))
            statistic = properties.get("Statistic")
            if statistic is not None and _literal(statistic) and statistic not in STATISTICS:
                findings.append("%s.Statistic: %r is not a CloudWatch statistic; use one of %s%s"
                                % (where, statistic, ", ".join(STATISTICS), _see("alarm")))
            metric = properties.get("MetricName")
            if properties.get("Namespace") == "AWS/DynamoDB" and isinstance(metric, str) and \
                    metric not in TABLE_METRICS and metric not in OPERATION_METRICS and metric != "UserErrors":
                findings.append("%s.MetricName: %r is not a metric DynamoDB publishes; %s%s"
                                % (where, metric, _metric_advice(metric), _see("dynamodb_metrics")))
    return findings


def alarm_warnings(template):
    """Alarms that CloudWatch accepts but that can never fire: a per-operation metric without an Operation."""
    warnings = []
    for logical_id, resource in sorted((template.get("Resources") or {}).items()):
        properties = (resource or {}).get("Properties") or {} if isinstance(resource, dict) else {}
        if not isinstance(resource, dict) or resource.get("Type") != CLOUDWATCH_ALARM:
            continue
        dimensions = properties.get("Dimensions") or []
        names = set(dimension.get("Name") for dimension in dimensions if isinstance(dimension, dict))
        metric = properties.get("MetricName")
        if properties.get("Namespace") == "AWS/DynamoDB" and isinstance(metric, str) \
                and metric in OPERATION_METRICS and "Operation" not in names:
            warnings.append("Resources.%s: DynamoDB publishes %s per (TableName, Operation) only; this alarm has no "
                            "Operation dimension and can never fire%s"
                            % (logical_id, properties["MetricName"], _see("dynamodb_metrics")))
    return warnings


def _as_int(value):
    """Numbers in YAML templates are often quoted ('7'); CloudFormation converts them the same way."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value
