"""render_stack_template(): the role's default declaration reproduces the team's template, hardened."""
import os

import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_stack_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import stack_settings


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def role_defaults():
    with open(os.path.join(ROOT, "roles", "dynamodb_stack", "defaults", "main.yml")) as handle:
        return yaml.safe_load(handle)


def default_settings(defaults):
    return dict(table_tags=defaults["dynamodb_stack_table_tags"],
                log_group_name=defaults["dynamodb_stack_log_group_name"],
                log_retention_days=defaults["dynamodb_stack_log_retention_days"])


@pytest.fixture(scope="module")
def team():
    with open(os.path.join(ROOT, "files", "dynamodb-schema.yaml")) as handle:
        return parse_template(handle.read())


@pytest.fixture(scope="module")
def rendered():
    defaults = role_defaults()
    return parse_template(render_template_body(defaults["dynamodb_stack_tables"], default_settings(defaults)))


def resources_of_type(template, resource_type):
    return dict((logical_id, resource) for logical_id, resource in template["Resources"].items()
                if resource["Type"] == resource_type)


TABLE_FACTS = ("TableName", "BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
               "TimeToLiveSpecification", "PointInTimeRecoverySpecification", "Tags")


def test_default_tables_have_the_team_logical_ids_and_facts(team, rendered):
    team_tables = resources_of_type(team, "AWS::DynamoDB::Table")
    rendered_tables = resources_of_type(rendered, "AWS::DynamoDB::Table")
    assert set(rendered_tables) == set(team_tables) == {"AiChefSessionsTable", "AiChefResultsTable"}
    for logical_id, table in team_tables.items():
        for fact in TABLE_FACTS:
            assert rendered_tables[logical_id]["Properties"].get(fact) == table["Properties"].get(fact), (logical_id, fact)


def test_default_log_group_and_exports_equal_the_team_template(team, rendered):
    rendered_groups = resources_of_type(rendered, "AWS::Logs::LogGroup")
    team_groups = resources_of_type(team, "AWS::Logs::LogGroup")
    assert dict((logical_id, group["Properties"]) for logical_id, group in rendered_groups.items()) == \
        dict((logical_id, group["Properties"]) for logical_id, group in team_groups.items())
    assert rendered["Outputs"] == dict((name, dict(output, Description=rendered["Outputs"][name]["Description"]))
                                       for name, output in team["Outputs"].items())


def test_log_group_is_retained_on_rename_and_removal(rendered):
    """A renamed log group is a replacement: without Retain, CloudFormation deletes the old group and its events."""
    for group in resources_of_type(rendered, "AWS::Logs::LogGroup").values():
        assert (group["DeletionPolicy"], group["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_default_alarms_keep_the_team_threshold_on_metrics_that_dynamodb_publishes(team, rendered):
    """The team's alarm (ThrottledRequests on TableName alone) never receives data: DynamoDB publishes that
    metric per operation. The rendered throttle alarms keep its threshold, period and missing-data rule on the
    per-table throttle-event metrics."""
    team_alarm = team["Resources"]["SessionsTableErrorAlarm"]["Properties"]
    alarms = resources_of_type(rendered, "AWS::CloudWatch::Alarm")
    sessions = dict((alarm["Properties"]["MetricName"], alarm["Properties"]) for alarm in alarms.values()
                    if alarm["Properties"]["Dimensions"][0]["Value"] == {"Ref": "AiChefSessionsTable"})
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
        for fact in ("Namespace", "Statistic", "Period", "EvaluationPeriods", "Threshold", "ComparisonOperator",
                     "TreatMissingData", "Dimensions"):
            assert sessions[metric][fact] == team_alarm[fact], (metric, fact)
    system_errors = [alarm["Properties"] for alarm in alarms.values()
                     if alarm["Properties"]["MetricName"] == "SystemErrors"]
    assert system_errors and all([d["Name"] for d in alarm["Dimensions"]] == ["TableName", "Operation"]
                                 for alarm in system_errors)


def test_default_tables_are_hardened(rendered):
    for logical_id, table in resources_of_type(rendered, "AWS::DynamoDB::Table").items():
        assert table["DeletionPolicy"] == "RetainExceptOnCreate", logical_id
        assert table["UpdateReplacePolicy"] == "Retain", logical_id
        assert table["Properties"]["DeletionProtectionEnabled"] is True, logical_id
        assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}, logical_id


def test_attribute_definitions_are_derived_from_keys_only():
    table = dict(name="ai-chef-orders", hash_key=dict(name="PK"), range_key=dict(name="SK"),
                 global_secondary_indexes=[dict(name="byCustomer", hash_key=dict(name="customerId"),
                                                range_key=dict(name="SK"), projection="KEYS_ONLY")],
                 local_secondary_indexes=[dict(name="byDate", range_key=dict(name="createdAt", type="N"),
                                               projection="INCLUDE", non_key_attributes=["total"])])
    properties = render_stack_template([table])["Resources"]["AiChefOrdersTable"]["Properties"]
    assert properties["AttributeDefinitions"] == [
        dict(AttributeName="PK", AttributeType="S"), dict(AttributeName="SK", AttributeType="S"),
        dict(AttributeName="customerId", AttributeType="S"), dict(AttributeName="createdAt", AttributeType="N")]
    assert properties["LocalSecondaryIndexes"][0]["KeySchema"] == [
        dict(AttributeName="PK", KeyType="HASH"), dict(AttributeName="createdAt", KeyType="RANGE")]
    assert properties["LocalSecondaryIndexes"][0]["Projection"] == dict(ProjectionType="INCLUDE",
                                                                        NonKeyAttributes=["total"])


def test_third_table_by_one_entry_gets_table_alarms_and_exports():
    template = render_stack_template([dict(name="ai-chef-new-table", hash_key=dict(name="id"))])
    assert "AiChefNewTable" in template["Resources"]
    assert template["Outputs"]["NewTableName"]["Export"] == {"Name": {"Fn::Sub": "${AWS::StackName}-NewTable"}}
    assert template["Outputs"]["NewTableArn"]["Export"] == {"Name": {"Fn::Sub": "${AWS::StackName}-NewTableArn"}}
    alarm_names = sorted(resource["Properties"]["AlarmName"] for resource in template["Resources"].values()
                         if resource["Type"] == "AWS::CloudWatch::Alarm")
    assert "AI-Chef-DynamoDB-NewTable-WriteThrottleEvents" in alarm_names


def test_provisioned_table_and_its_indexes_get_capacities():
    table = dict(name="ai-chef-p", hash_key=dict(name="id"), billing_mode="PROVISIONED", read_capacity=5,
                 write_capacity=2, global_secondary_indexes=[dict(name="g", hash_key=dict(name="x"), read_capacity=1,
                                                                  write_capacity=1)])
    properties = render_stack_template([table])["Resources"]["AiChefPTable"]["Properties"]
    assert properties["ProvisionedThroughput"] == dict(ReadCapacityUnits=5, WriteCapacityUnits=2)
    assert properties["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] == dict(ReadCapacityUnits=1,
                                                                                    WriteCapacityUnits=1)


def test_alarm_topic_becomes_the_alarm_action_and_alarms_can_be_turned_off():
    topic = "arn:aws:sns:us-east-1:123456789012:ops"
    template = render_stack_template([dict(name="a-t", hash_key=dict(name="id")),
                                      dict(name="b-t", hash_key=dict(name="id"), alarms=False)],
                                     dict(alarm_topic_arn=topic))
    alarms = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert alarms and all(alarm["AlarmActions"] == [topic] for alarm in alarms)
    assert all(alarm["Dimensions"][0]["Value"] == {"Ref": "ATTable"} for alarm in alarms)


def test_names_that_collide_as_logical_ids_are_refused():
    with pytest.raises(ValueError, match="logical id AiChefXTable"):
        render_stack_template([dict(name="ai-chef-x", hash_key=dict(name="id")),
                               dict(name="ai-chef.x", hash_key=dict(name="id"))])


def test_more_resources_than_cloudformation_allows_are_refused_with_the_way_out():
    tables = [dict(name="ai-chef-t%03d" % number, hash_key=dict(name="id")) for number in range(100)]
    with pytest.raises(ValueError, match=r"601 resources .* CloudFormation allows 500: split the tables"):
        render_stack_template(tables)
    assert len(render_stack_template([dict(table, alarms=False) for table in tables])["Resources"]) == 101


def test_stack_settings_derive_alarm_and_log_group_names_from_another_stack_name():
    derived = stack_settings(dict(alarm_name_prefix=None, log_group_name=None), "orders-prod")
    assert (derived["alarm_name_prefix"], derived["log_group_name"]) == ("orders-prod-", "/aws/dynamodb/orders-prod")


def test_stack_settings_keep_the_team_names_for_the_team_stack_and_without_a_stack_name():
    for stack_name in ("ai-chef-dynamodb", None):
        kept = stack_settings(dict(alarm_name_prefix=None, log_group_name=None), stack_name)
        assert (kept["alarm_name_prefix"], kept["log_group_name"]) == (
            "AI-Chef-DynamoDB-", "/aws/dynamodb/ai-chef-tables")


def test_stack_settings_keep_given_names_and_an_empty_log_group_means_none():
    given = stack_settings(dict(alarm_name_prefix="Mine-", log_group_name=""), "orders-prod")
    assert (given["alarm_name_prefix"], given["log_group_name"]) == ("Mine-", "")
    assert "DynamoDBLogGroup" not in render_stack_template([dict(name="orders-x", hash_key=dict(name="id"))],
                                                           dict(log_group_name=""))["Resources"]
