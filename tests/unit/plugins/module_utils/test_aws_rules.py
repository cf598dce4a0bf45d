"""aws_rules.py: AWS's own rules applied before any AWS call, each finding one line naming the variable (or the
template's resource) and the fix.

Every rule is tried at its accepted boundary and just past it; a refusal asserts the whole finding list, so a case
also proves that nothing else is reported.
"""
import os

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._template import aws_rules
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_stack_template


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
ACCOUNT = "123456789012"


def the_one(findings):
    assert len(findings) == 1, findings
    return findings[0]


# --- log retention and log group name ---------------------------------------------------------------------------
@pytest.mark.parametrize("days", aws_rules.LOG_RETENTION_DAYS)
def test_every_retention_cloudwatch_logs_accepts_passes(days):
    assert aws_rules.log_retention_findings("dynamodb_stack_log_retention_days", days) == []


@pytest.mark.parametrize("days", [8, 0, -7, 2, 366, 3654, "7", 7.0, True, None])
def test_a_retention_cloudwatch_logs_refuses_names_the_variable_and_the_allowed_values(days):
    line = the_one(aws_rules.log_retention_findings("dynamodb_stack_log_retention_days", days))
    assert line.startswith("dynamodb_stack_log_retention_days: %r is not a retention" % (days,))
    assert "use one of 1, 3, 5, 7, 14, 30, 60, 90," in line and "3653" in line
    assert aws_rules.DOCS["log_retention"] in line


@pytest.mark.parametrize("name", ["/aws/dynamodb/ai-chef-tables", "a", "x" * 512, "app.logs#1_a-b", ""])
def test_log_group_names_aws_accepts_pass(name):
    assert aws_rules.log_group_name_findings("dynamodb_stack_log_group_name", name) == []


@pytest.mark.parametrize("name", ["my logs", "x" * 513, "logs:main", "tables*", "caf\u00e9", 42])
def test_a_log_group_name_aws_refuses_names_the_variable_and_the_characters(name):
    line = the_one(aws_rules.log_group_name_findings("dynamodb_stack_log_group_name", name))
    assert line.startswith("dynamodb_stack_log_group_name: %r is not a log group name" % (name,))
    assert "1-512 letters, digits and . - _ / # (no spaces)" in line
    assert aws_rules.DOCS["log_group_name"] in line


# --- alarm period and evaluation periods ------------------------------------------------------------------------
@pytest.mark.parametrize("period", [10, 20, 30, 60, 120, 300, 3600, 86400])
def test_alarm_periods_cloudwatch_accepts_pass(period):
    assert aws_rules.alarm_period_findings("dynamodb_stack_alarm_period", period) == []


@pytest.mark.parametrize("period", [61, 0, "60", -60, 15, 40, 90, 60.0, True, None])
def test_an_alarm_period_cloudwatch_refuses_names_the_variable_and_the_fix(period):
    line = the_one(aws_rules.alarm_period_findings("dynamodb_stack_alarm_period", period))
    assert line.startswith("dynamodb_stack_alarm_period: %r is not an alarm period CloudWatch accepts" % (period,))
    assert "use 10, 20, 30 or a multiple of 60 (seconds)" in line
    assert aws_rules.DOCS["alarm"] in line


@pytest.mark.parametrize("evaluation_periods, period", [(1, 300), (288, 300), (1440, 60), (8640, 10), (1, 86400)])
def test_evaluation_periods_up_to_one_day_pass(evaluation_periods, period):
    assert aws_rules.evaluation_periods_findings("dynamodb_stack_alarm_evaluation_periods", evaluation_periods,
                                                 period) == []


@pytest.mark.parametrize("evaluation_periods, period, most", [
    (289, 300, 288), (1441, 60, 1440), (8641, 10, 8640), (2, 86400, 1)])
def test_evaluation_periods_over_one_day_give_the_largest_allowed_count(evaluation_periods, period, most):
    line = the_one(aws_rules.evaluation_periods_findings("dynamodb_stack_alarm_evaluation_periods",
                                                         evaluation_periods, period))
    assert line == ("dynamodb_stack_alarm_evaluation_periods: %d periods of %d s span more than one day (86400 s), "
                    "the most CloudWatch evaluates; use at most %d" % (evaluation_periods, period, most))


@pytest.mark.parametrize("evaluation_periods", [0, -1, "2", 1.5, None])
def test_evaluation_periods_must_be_a_whole_number_of_at_least_one(evaluation_periods):
    line = the_one(aws_rules.evaluation_periods_findings("dynamodb_stack_alarm_evaluation_periods",
                                                         evaluation_periods, 300))
    assert line.startswith("dynamodb_stack_alarm_evaluation_periods: %r must be a whole number of periods, at least 1"
                           % (evaluation_periods,))


# --- SNS topic ARN ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("arn", [
    "",
    None,
    "arn:aws:sns:us-east-1:%s:ai-chef-ops" % ACCOUNT,
    "arn:aws:sns:eu-central-1:%s:ai_chef-ops2" % ACCOUNT,
    "arn:aws:sns:ap-southeast-2:%s:alerts" % ACCOUNT,
    "arn:aws:sns:us-east-1:%s:orders.fifo" % ACCOUNT,
    "arn:aws-cn:sns:cn-north-1:%s:ops" % ACCOUNT,
    "arn:aws-us-gov:sns:us-gov-west-1:%s:ops" % ACCOUNT,
    "arn:aws:sns:us-east-1:%s:%s" % (ACCOUNT, "t" * 256),
])
def test_sns_topic_arns_of_every_partition_and_fifo_pass(arn):
    assert aws_rules.topic_arn_findings("dynamodb_stack_alarm_topic_arn", arn) == []


@pytest.mark.parametrize("arn", [
    "not-an-arn",
    "ai-chef-ops",
    "arn:aws:sns:us-east-1:12345678901:ops",            # 11-digit account
    "arn:aws:sns:us-east-1:1234567890123:ops",          # 13-digit account
    "arn:aws:sqs:us-east-1:%s:ops" % ACCOUNT,           # a queue, not a topic
    "arn:aws:sns:useast1:%s:ops" % ACCOUNT,             # no region shape
    "arn:aws:sns:us-east-1:%s:" % ACCOUNT,              # no topic name
    "arn:aws:sns:us-east-1:%s:ops team" % ACCOUNT,      # a space in the name
    "arn:aws:sns:us-east-1:%s:ops.fifo.fifo" % ACCOUNT,
    "arn:aws:sns:us-east-1:%s:%s" % (ACCOUNT, "t" * 257),
    "arn:azure:sns:us-east-1:%s:ops" % ACCOUNT,
])
def test_a_value_that_is_no_sns_topic_arn_names_the_variable_and_the_shape(arn):
    line = the_one(aws_rules.topic_arn_findings("dynamodb_stack_alarm_topic_arn", arn))
    assert line.startswith("dynamodb_stack_alarm_topic_arn: %r is not an SNS topic ARN" % arn)
    assert "write arn:aws:sns:<region>:<12-digit account>:<topic>, or leave it empty for no notification" in line
    assert aws_rules.DOCS["sns_arn"] in line


# --- tags -------------------------------------------------------------------------------------------------------
def test_tags_within_aws_rules_pass():
    tags = {"Environment": "production", "k" * 128: "v" * 256, "team/owner": "a.b:c=d+e-f@g_h", "empty": "",
            "Cost Center": 12, "awsome": "not the reserved prefix"}
    assert aws_rules.tag_findings("dynamodb_stack_table_tags", tags) == []


@pytest.mark.parametrize("key", ["aws:owner", "AWS:owner", "Aws:Owner", "aWs:x"])
def test_the_aws_prefix_is_refused_in_any_case(key):
    line = the_one(aws_rules.tag_findings("dynamodb_stack_tags", {key: "v"}))
    assert line == ('dynamodb_stack_tags.%s: the prefix "aws:" is reserved for AWS\'s own tags; choose another key (%s)'
                    % (key, aws_rules.DOCS["tags"]))


@pytest.mark.parametrize("key", ["k" * 129, "", "owner!", "a;b", "name*"])
def test_a_tag_key_too_long_empty_or_with_other_characters_is_refused(key):
    line = the_one(aws_rules.tag_findings("dynamodb_stack_table_tags", {key: "v"}))
    assert line == ("dynamodb_stack_table_tags.%s: a tag key is 1-128 letters, digits, spaces or _ . : / = + - @ (%s)"
                    % (key, aws_rules.DOCS["tags"]))


@pytest.mark.parametrize("value", ["v" * 257, "a;b", "50%", "x<y"])
def test_a_tag_value_too_long_or_with_other_characters_is_refused(value):
    line = the_one(aws_rules.tag_findings("dynamodb_stack_table_tags", {"Owner": value}))
    assert line == ("dynamodb_stack_table_tags.Owner: a tag value is 0-256 letters, digits, spaces or _ . : / = + - @ "
                    "(%s)" % aws_rules.DOCS["tags"])


@pytest.mark.parametrize("value", [None, ["a"], {"a": "b"}])
def test_a_tag_value_that_is_no_scalar_is_refused(value):
    line = the_one(aws_rules.tag_findings("dynamodb_stack_table_tags", {"Owner": value}))
    assert line == "dynamodb_stack_table_tags.Owner: a tag value is a string, got %r" % (value,)


def test_tags_that_are_no_mapping_are_refused():
    line = the_one(aws_rules.tag_findings("dynamodb_stack_tags", ["Owner=me"]))
    assert line == "dynamodb_stack_tags: must be a mapping of tag keys to values, got ['Owner=me']"


def test_fifty_stack_tags_pass_and_fifty_one_are_refused():
    fifty = dict(("Tag%02d" % number, "v") for number in range(50))
    assert aws_rules.stack_settings_findings(["CAPABILITY_IAM"], fifty, "dynamodb_stack_") == []
    line = the_one(aws_rules.stack_settings_findings(["CAPABILITY_IAM"], dict(fifty, Tag50="v"), "dynamodb_stack_"))
    assert line == "dynamodb_stack_tags: 51 tags; AWS allows at most 50 (%s)" % aws_rules.DOCS["stack_tags"]


def test_table_tags_have_no_stack_tag_limit():
    assert aws_rules.tag_findings("dynamodb_stack_table_tags", dict(("Tag%02d" % n, "v") for n in range(51))) == []


# --- capabilities -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("capabilities", [[], None, list(aws_rules.CAPABILITIES), ["CAPABILITY_NAMED_IAM"]])
def test_cloudformation_capabilities_pass(capabilities):
    assert aws_rules.stack_settings_findings(capabilities, {}, "dynamodb_stack_") == []


@pytest.mark.parametrize("capability", ["CAPABILITY_FOO", "capability_iam", "IAM", ""])
def test_an_unknown_capability_names_the_variable_and_the_three_capabilities(capability):
    line = the_one(aws_rules.stack_settings_findings(["CAPABILITY_IAM", capability], {}, "dynamodb_stack_"))
    assert line == ("dynamodb_stack_capabilities: %r is not a CloudFormation capability; use CAPABILITY_IAM, "
                    "CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND (%s)" % (capability, aws_rules.DOCS["capabilities"]))


# --- alarms -----------------------------------------------------------------------------------------------------
def alarms(*entries):
    return aws_rules.alarm_findings("dynamodb_stack_alarms", list(entries))


def test_the_role_default_alarms_pass():
    assert alarms(dict(metric="ReadThrottleEvents", threshold=5), dict(metric="WriteThrottleEvents", threshold=5),
                  dict(metric="SystemErrors", threshold=0, operations=["GetItem", "PutItem", "Query"])) == []


@pytest.mark.parametrize("metric", sorted(aws_rules.TABLE_METRICS))
def test_every_table_metric_passes_without_operations(metric):
    assert alarms(dict(metric=metric, threshold=1)) == []


@pytest.mark.parametrize("metric", sorted(aws_rules.OPERATION_METRICS))
def test_every_operation_metric_passes_with_its_operations(metric):
    assert alarms(dict(metric=metric, threshold=1, operations=list(aws_rules.OPERATION_METRICS[metric]))) == []


@pytest.mark.parametrize("statistic", aws_rules.STATISTICS)
def test_every_cloudwatch_statistic_passes(statistic):
    assert alarms(dict(metric="ReadThrottleEvents", threshold=0.5, statistic=statistic)) == []


def test_a_metric_typo_gives_did_you_mean():
    line = the_one(alarms(dict(metric="ReadThrotleEvents", threshold=5)))
    assert line == ("dynamodb_stack_alarms[0].metric: 'ReadThrotleEvents' is not a metric DynamoDB publishes per "
                    "table; did you mean ReadThrottleEvents? (%s)" % aws_rules.DOCS["dynamodb_metrics"])


def test_a_metric_far_from_any_lists_the_published_metrics():
    line = the_one(alarms(dict(metric="CPUUtilization", threshold=5)))
    assert line.startswith("dynamodb_stack_alarms[0].metric: 'CPUUtilization' is not a metric DynamoDB publishes per "
                           "table; use one of ")
    assert "did you mean" not in line
    for metric in ("ReadThrottleEvents", "SystemErrors", "ConsumedReadCapacityUnits"):
        assert metric in line


def test_an_account_metric_is_no_table_metric():
    line = the_one(alarms(dict(metric="UserErrors", threshold=5)))
    assert line.startswith("dynamodb_stack_alarms[0].metric: 'UserErrors' is not a metric DynamoDB publishes per table")


def test_the_issue_typo_with_threshold_minus_five_is_two_lines_naming_the_alarm():
    assert alarms(dict(metric="ReadThrottleEvents", threshold=5), dict(metric="WriteThrotleEvents", threshold=-5)) == [
        "dynamodb_stack_alarms[1].metric: 'WriteThrotleEvents' is not a metric DynamoDB publishes per table; did you "
        "mean WriteThrottleEvents? (%s)" % aws_rules.DOCS["dynamodb_metrics"],
        "dynamodb_stack_alarms[1].threshold: -5 can never be crossed by a DynamoDB count or latency; use a number >= 0",
    ]


@pytest.mark.parametrize("metric", sorted(aws_rules.OPERATION_METRICS))
def test_an_operation_metric_without_operations_says_to_list_them(metric):
    for operations in (dict(), dict(operations=[]), dict(operations=None)):
        line = the_one(alarms(dict(metric=metric, threshold=0, **operations)))
        assert line == ("dynamodb_stack_alarms[0].operations: DynamoDB publishes %s per operation only; list the "
                        "operations to watch, e.g. [GetItem, PutItem, Query] (%s)"
                        % (metric, aws_rules.DOCS["dynamodb_metrics"]))


def test_an_operation_the_metric_is_not_published_for_is_named():
    line = the_one(alarms(dict(metric="ReturnedItemCount", threshold=0, operations=["Query", "GetItem"])))
    assert line == ("dynamodb_stack_alarms[0].operations: DynamoDB publishes no ReturnedItemCount for operation "
                    "'GetItem'; use Query, Scan, ExecuteStatement (%s)" % aws_rules.DOCS["dynamodb_metrics"])


def test_operations_as_one_string_are_refused_rather_than_rendered_one_alarm_per_character():
    """A bare string would pass the per-operation check as one operation and then render as one alarm per
    character (SystemErrorsG, SystemErrorse, ...): it must be refused."""
    line = the_one(alarms(dict(metric="SystemErrors", threshold=0, operations="GetItem")))
    assert line == ("dynamodb_stack_alarms[0].operations: must be a list of operations, e.g. [GetItem, PutItem], "
                    "got 'GetItem'")


@pytest.mark.parametrize("metric", ["ReadThrottleEvents", "ConsumedWriteCapacityUnits"])
def test_a_table_metric_with_operations_says_to_remove_them(metric):
    line = the_one(alarms(dict(metric=metric, threshold=0, operations=["GetItem"])))
    assert line == ("dynamodb_stack_alarms[0].operations: DynamoDB publishes %s per table, not per operation; remove "
                    "operations (%s)" % (metric, aws_rules.DOCS["dynamodb_metrics"]))


@pytest.mark.parametrize("threshold", [0, 0.0, 5, 2.5, 1e9])
def test_thresholds_of_zero_and_above_pass(threshold):
    assert alarms(dict(metric="ReadThrottleEvents", threshold=threshold)) == []


@pytest.mark.parametrize("threshold", [-5, -0.1, "5", "five", None, True, [5]])
def test_a_negative_or_non_numeric_threshold_is_refused(threshold):
    line = the_one(alarms(dict(metric="ReadThrottleEvents", threshold=threshold)))
    assert line == ("dynamodb_stack_alarms[0].threshold: %r can never be crossed by a DynamoDB count or latency; use a "
                    "number >= 0" % (threshold,))


@pytest.mark.parametrize("statistic", ["Avg", "sum", "p99", None])
def test_an_unknown_statistic_is_refused(statistic):
    line = the_one(alarms(dict(metric="ReadThrottleEvents", threshold=1, statistic=statistic)))
    assert line == ("dynamodb_stack_alarms[0].statistic: %r is not a CloudWatch statistic; use one of SampleCount, "
                    "Average, Sum, Minimum, Maximum (%s)" % (statistic, aws_rules.DOCS["alarm"]))


def test_an_unknown_alarm_key_is_named():
    line = the_one(alarms(dict(metric="ReadThrottleEvents", threshold=1, period=60, treshold=2)))
    assert line == ("dynamodb_stack_alarms[0]: unknown key(s) period, treshold; an alarm takes metric, threshold, "
                    "operations and statistic")


@pytest.mark.parametrize("metric", [["ReadThrottleEvents"], {"name": "ReadThrottleEvents"}, None])
def test_a_metric_that_is_no_name_is_refused_without_a_crash(metric):
    line = the_one(alarms(dict(metric=metric, threshold=1)))
    assert line.startswith("dynamodb_stack_alarms[0].metric: %r is not a metric DynamoDB publishes per table"
                           % (metric,))


def test_alarms_that_are_no_list_or_no_mappings_are_refused():
    assert aws_rules.alarm_findings("dynamodb_stack_alarms", "ReadThrottleEvents") == [
        "dynamodb_stack_alarms: must be a list of alarms ({metric: ..., threshold: ...}), got 'ReadThrottleEvents'"]
    assert alarms("ReadThrottleEvents") == [
        "dynamodb_stack_alarms[0]: must be a mapping {metric: ..., threshold: ...}, got 'ReadThrottleEvents'"]


# --- description and alarm names --------------------------------------------------------------------------------
def test_a_description_of_1024_bytes_passes_and_1025_is_refused():
    assert aws_rules.description_findings("dynamodb_stack_description", "d" * 1024) == []
    assert aws_rules.description_findings("dynamodb_stack_description", "\u00e9" * 512) == []
    for value in ("d" * 1025, "\u00e9" * 512 + "d", None):
        assert aws_rules.description_findings("dynamodb_stack_description", value) == [
            "dynamodb_stack_description: a template description is a string of at most 1024 bytes (%s)"
            % aws_rules.DOCS["cloudformation_quotas"]]


def test_alarm_names_up_to_255_characters_pass():
    assert aws_rules.alarm_name_findings("dynamodb_stack_alarm_name_prefix", "p" * 200, 55) == []
    assert aws_rules.alarm_name_findings("dynamodb_stack_alarm_name_prefix", "p" * 200, 56) == [
        "dynamodb_stack_alarm_name_prefix: alarm names would reach 256 characters; CloudWatch allows 255, so shorten "
        "the prefix (%s)" % aws_rules.DOCS["alarm"]]


# --- the role's settings together -------------------------------------------------------------------------------
GOOD_SETTINGS = dict(description="AI Chef DynamoDB Tables Schema",
                     alarms=[dict(metric="ReadThrottleEvents", threshold=5)],
                     alarm_period=300, alarm_evaluation_periods=1, alarm_topic_arn="",
                     log_group_name="/aws/dynamodb/ai-chef-tables", log_retention_days=7,
                     table_tags=dict(Environment="production"))


def test_good_render_settings_pass():
    assert aws_rules.render_settings_findings(GOOD_SETTINGS, "dynamodb_stack_") == []
    assert aws_rules.render_settings_findings({}, "settings.") == []


def test_render_settings_name_each_variable_with_the_prefix_given():
    bad = dict(GOOD_SETTINGS, alarm_period=61, alarm_evaluation_periods=0, log_retention_days=8,
               alarm_topic_arn="ops", log_group_name="my logs", table_tags={"aws:team": "x"})
    lines = aws_rules.render_settings_findings(bad, "settings.")
    assert [line.split(":")[0] for line in lines] == [
        "settings.alarm_period", "settings.alarm_evaluation_periods", "settings.alarm_topic_arn",
        "settings.log_group_name", "settings.log_retention_days", "settings.table_tags.aws"]


def test_retention_is_not_checked_without_a_log_group():
    settings = dict(GOOD_SETTINGS, log_group_name="", log_retention_days=8)
    assert aws_rules.render_settings_findings(settings, "dynamodb_stack_") == []
    settings["log_group_name"] = "/aws/dynamodb/x"
    assert [line.split(":")[0] for line in aws_rules.render_settings_findings(settings, "dynamodb_stack_")] == [
        "dynamodb_stack_log_retention_days"]


def test_evaluation_periods_are_checked_against_the_period_set():
    settings = dict(GOOD_SETTINGS, alarm_period=3600, alarm_evaluation_periods=25)
    assert aws_rules.render_settings_findings(settings, "dynamodb_stack_") == [
        "dynamodb_stack_alarm_evaluation_periods: 25 periods of 3600 s span more than one day (86400 s), the most "
        "CloudWatch evaluates; use at most 24"]


# --- template size and quotas -----------------------------------------------------------------------------------
def test_a_body_of_51200_bytes_goes_inline_and_51201_through_s3():
    assert aws_rules.needs_template_url("x" * 51200) is False
    assert aws_rules.needs_template_url("x" * 51201) is True


def test_the_body_limit_counts_utf8_bytes_not_characters():
    two_byte = "\u00e9" * 25600                 # 25,600 characters, 51,200 bytes
    assert aws_rules.body_size(two_byte) == 51200
    assert aws_rules.needs_template_url(two_byte) is False
    assert aws_rules.needs_template_url(two_byte + "x") is True
    three_byte = "\u20ac" * 17067               # 17,067 characters, 51,201 bytes
    assert len(three_byte) < 51200 and aws_rules.body_size(three_byte) == 51201
    assert aws_rules.needs_template_url(three_byte) is True


def test_a_template_of_1_mb_passes_and_one_byte_more_is_refused():
    assert aws_rules.template_size_findings("dynamodb_stack_template_path big.yaml", "x" * 1000000) == []
    line = the_one(aws_rules.template_size_findings("dynamodb_stack_template_path big.yaml", "x" * 1000001))
    assert line == ("dynamodb_stack_template_path big.yaml: the template has 1000001 bytes; CloudFormation reads at "
                    "most 1000000 from S3: split the tables over several stacks (%s)"
                    % aws_rules.DOCS["cloudformation_quotas"])


def test_the_1_mb_limit_counts_utf8_bytes():
    assert len(aws_rules.template_size_findings("t", "\u00e9" * 500000)) == 0
    assert len(aws_rules.template_size_findings("t", "\u00e9" * 500000 + "x")) == 1


def quota_template(resources=1, outputs=0, parameters=0, mappings=0):
    return dict(Resources=dict(("R%d" % n, dict(Type="AWS::SNS::Topic")) for n in range(resources)),
                Outputs=dict(("O%d" % n, dict(Value="v")) for n in range(outputs)),
                Parameters=dict(("P%d" % n, dict(Type="String")) for n in range(parameters)),
                Mappings=dict(("M%d" % n, dict(a=dict(b="c"))) for n in range(mappings)))


def test_templates_at_the_quotas_pass():
    assert aws_rules.template_quota_findings("t", quota_template(500, 200, 200, 200)) == []


@pytest.mark.parametrize("section, sizes, count, limit", [
    ("Resources", dict(resources=501), 501, 500),
    ("Outputs", dict(outputs=201), 201, 200),
    ("Parameters", dict(parameters=201), 201, 200),
    ("Mappings", dict(mappings=201), 201, 200),
])
def test_a_template_over_a_quota_names_the_section_and_the_limit(section, sizes, count, limit):
    line = the_one(aws_rules.template_quota_findings("dynamodb_stack_template_path big.yaml", quota_template(**sizes)))
    assert line == ("dynamodb_stack_template_path big.yaml: %d %s; CloudFormation allows %d per stack: split the "
                    "tables over several stacks (%s)"
                    % (count, section, limit, aws_rules.DOCS["cloudformation_quotas"]))


def test_a_template_description_over_1024_bytes_is_named():
    template = dict(quota_template(), Description="d" * 1025)
    assert aws_rules.template_quota_findings("t.yaml", template) == [
        "t.yaml Description: a template description is a string of at most 1024 bytes (%s)"
        % aws_rules.DOCS["cloudformation_quotas"]]


# --- resources in a template ------------------------------------------------------------------------------------
def log_group(**properties):
    return dict(Type="AWS::Logs::LogGroup", Properties=properties)


def alarm(**properties):
    base = dict(Namespace="AWS/DynamoDB", MetricName="ReadThrottleEvents", Statistic="Sum", Period=300,
                Dimensions=[dict(Name="TableName", Value="t")])
    base.update(properties)
    return dict(Type="AWS::CloudWatch::Alarm", Properties=base)


def findings_of(**resources):
    return aws_rules.resource_findings(dict(Resources=resources))


@pytest.mark.parametrize("days", [7, "7", "3653", 1])
def test_log_group_retention_literal_or_quoted_passes(days):
    assert findings_of(Logs=log_group(LogGroupName="/aws/dynamodb/x", RetentionInDays=days)) == []


@pytest.mark.parametrize("days, shown", [(8, "8"), ("8", "8"), ("-7", "-7"), ("seven", "'seven'")])
def test_log_group_retention_cloudwatch_refuses_names_the_resource(days, shown):
    line = the_one(findings_of(Logs=log_group(RetentionInDays=days)))
    assert line.startswith("Resources.Logs.RetentionInDays: %s is not a retention CloudWatch Logs accepts; use one of"
                           % shown)


def test_log_group_name_with_spaces_names_the_resource():
    line = the_one(findings_of(Logs=log_group(LogGroupName="my logs")))
    assert line.startswith("Resources.Logs.LogGroupName: 'my logs' is not a log group name")


def test_intrinsics_in_log_groups_and_alarms_are_left_to_deploy_time():
    assert findings_of(
        Logs=log_group(LogGroupName={"Fn::Sub": "${AWS::StackName} logs"}, RetentionInDays={"Ref": "Retention"}),
        Alarm=alarm(Period={"Ref": "Period"}, Statistic={"Fn::If": ["c", "Sum", "Avg"]},
                    MetricName={"Ref": "Metric"})) == []


def test_alarm_warnings_skip_an_intrinsic_metric_name_without_a_crash():
    assert aws_rules.alarm_warnings(dict(Resources=dict(Alarm=alarm(MetricName={"Ref": "Metric"})))) == []


@pytest.mark.parametrize("period", [10, 60, "60", "300", 3600])
def test_alarm_periods_in_a_template_literal_or_quoted_pass(period):
    assert findings_of(Alarm=alarm(Period=period)) == []


@pytest.mark.parametrize("period, shown", [(61, "61"), ("61", "61"), (0, "0"), ("sixty", "'sixty'")])
def test_an_alarm_period_cloudwatch_refuses_names_the_resource(period, shown):
    line = the_one(findings_of(Alarm=alarm(Period=period)))
    assert line.startswith("Resources.Alarm.Period: %s is not an alarm period CloudWatch accepts; use 10, 20, 30 or a "
                           "multiple of 60" % shown)


def test_an_alarm_statistic_and_metric_typo_name_the_resource():
    assert findings_of(Alarm=alarm(Statistic="Avg", MetricName="ReadThrotleEvents")) == [
        "Resources.Alarm.Statistic: 'Avg' is not a CloudWatch statistic; use one of SampleCount, Average, Sum, "
        "Minimum, Maximum (%s)" % aws_rules.DOCS["alarm"],
        "Resources.Alarm.MetricName: 'ReadThrotleEvents' is not a metric DynamoDB publishes; did you mean "
        "ReadThrottleEvents? (%s)" % aws_rules.DOCS["dynamodb_metrics"],
    ]


def test_metric_names_are_only_checked_in_the_dynamodb_namespace():
    assert findings_of(Alarm=alarm(Namespace="AWS/Lambda", MetricName="Errors")) == []
    assert findings_of(Alarm=alarm(MetricName="UserErrors")) == []


def test_other_resources_are_not_checked():
    assert findings_of(Topic=dict(Type="AWS::SNS::Topic", Properties=dict(RetentionInDays=8, Period=61)),
                       Broken="not a resource") == []


@pytest.fixture(scope="module")
def team_template():
    with open(os.path.join(ROOT, "files", "dynamodb-schema.yaml")) as handle:
        return parse_template(handle.read())


def test_the_team_template_has_no_findings(team_template):
    assert aws_rules.resource_findings(team_template) == []
    assert aws_rules.template_quota_findings("files/dynamodb-schema.yaml", team_template) == []


def test_the_team_throttled_requests_alarm_without_an_operation_is_warned(team_template):
    assert aws_rules.alarm_warnings(team_template) == [
        "Resources.SessionsTableErrorAlarm: DynamoDB publishes ThrottledRequests per (TableName, Operation) only; "
        "this alarm has no Operation dimension and can never fire (%s)" % aws_rules.DOCS["dynamodb_metrics"]]


def test_the_warning_goes_once_the_alarm_has_an_operation(team_template):
    dimensions = team_template["Resources"]["SessionsTableErrorAlarm"]["Properties"]["Dimensions"]
    dimensions.append(dict(Name="Operation", Value="GetItem"))
    assert aws_rules.alarm_warnings(team_template) == []


def test_table_metric_alarms_need_no_operation():
    assert aws_rules.alarm_warnings(dict(Resources=dict(Alarm=alarm(MetricName="WriteThrottleEvents")))) == []


def test_the_rendered_default_template_has_no_findings_or_warnings():
    template = render_stack_template([dict(name="ai-chef-sessions", hash_key=dict(name="sessionId", type="S"))])
    assert aws_rules.resource_findings(template) == []
    assert aws_rules.alarm_warnings(template) == []
    assert aws_rules.template_quota_findings("rendered", template) == []
