"""scripts/strict_proxy.py: each strict-AWS rule as a pure function (request parameters in, refusal or None out)."""
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import strict_proxy as rules  # noqa: E402  (scripts/ is not a package)

STACK_ARN = "arn:aws:cloudformation:us-east-1:000000000000:stack/demo/1234"


def table(name="demo-table", keys=(("pk", "HASH"),), types=None, gsis=None):
    types = dict(dict(pk="S", sk="S", g1="S", g2="S", g3="S"), **(types or {}))
    properties = dict(
        KeySchema=[dict(AttributeName=key, KeyType=kind) for key, kind in keys],
        AttributeDefinitions=[dict(AttributeName=key, AttributeType=kind) for key, kind in sorted(types.items())],
        BillingMode="PAY_PER_REQUEST")
    if name is not None:
        properties["TableName"] = name
    if gsis is not None:
        properties["GlobalSecondaryIndexes"] = gsis
    return dict(Type="AWS::DynamoDB::Table", Properties=properties)


def gsi(name, key, projection="ALL", non_key=None):
    index = dict(IndexName=name, KeySchema=[dict(AttributeName=key, KeyType="HASH")],
                 Projection=dict(ProjectionType=projection))
    if non_key:
        index["Projection"]["NonKeyAttributes"] = non_key
    return index


def template(**tables):
    return dict(Resources=tables)


# --- rule 1: template size -----------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["CreateStack", "UpdateStack", "CreateChangeSet", "ValidateTemplate"])
def test_template_body_over_51200_bytes_is_refused_with_the_length_message(action):
    body = "#" * 51201
    status, code, message = rules.template_body_size(action, dict(TemplateBody=body))
    assert (status, code) == (400, "ValidationError")
    assert message == ("1 validation error detected: Value '%s' at 'templateBody' failed to satisfy constraint: "
                       "Member must have length less than or equal to 51200" % body)


def test_template_body_limit_counts_utf8_bytes_not_characters():
    assert rules.template_body_size("CreateStack", dict(TemplateBody="#" * 51200)) is None
    assert rules.template_body_size("CreateStack", dict(TemplateBody="é" * 25600)) is None  # 51,200 bytes
    assert rules.template_body_size("CreateStack", dict(TemplateBody="é" * 25601)) is not None


def test_template_body_size_ignores_other_actions_and_missing_bodies():
    assert rules.template_body_size("DescribeStacks", dict(TemplateBody="#" * 60000)) is None
    assert rules.template_body_size("CreateStack", dict(TemplateURL="http://x/b/k")) is None


def test_template_url_object_over_1_mb_is_refused():
    assert rules.template_url_size(1000000) is None
    assert rules.template_url_size(None) is None
    assert rules.template_url_size(1048577) == (400, "ValidationError",
                                                "Template may not exceed 1000000 bytes in size.")


@pytest.mark.parametrize("url, location", [
    ("http://127.0.0.1:4590/bucket/dir/t.yaml", ("bucket", "dir/t.yaml")),
    ("https://bucket.s3.amazonaws.com/dir/t.yaml", ("bucket", "dir/t.yaml")),
    ("https://my.bucket.s3.eu-west-1.amazonaws.com/t.yaml", ("my.bucket", "t.yaml")),
    ("https://bucket.s3-eu-west-1.amazonaws.com/t.yaml", ("bucket", "t.yaml")),
    ("https://s3.eu-west-1.amazonaws.com/bucket/t%20x.yaml", ("bucket", "t x.yaml")),
    ("http://127.0.0.1:4590/bucket", None),
])
def test_template_url_is_mapped_to_a_bucket_and_key(url, location):
    assert rules.s3_location(url) == location


# --- rule 2: table changes -----------------------------------------------------------------------------------
def test_two_gsis_created_in_one_table_are_refused():
    old = template(Results=table(gsis=[gsi("a", "g1")]))
    new = template(Results=table(gsis=[gsi("a", "g1"), gsi("b", "g2"), gsi("c", "g3")]))
    assert rules.table_changes(old, new) == (
        400, "ValidationError", "Cannot perform more than one GSI creation or deletion in a single update")


def test_a_renamed_gsi_is_a_creation_and_a_deletion():
    old = template(Results=table(gsis=[gsi("a", "g1")]))
    new = template(Results=table(gsis=[gsi("renamed", "g1")]))
    assert rules.table_changes(old, new)[2] == "Cannot perform more than one GSI creation or deletion in a single update"


def test_one_gsi_per_table_is_allowed_and_tables_count_separately():
    old = template(One=table("one"), Two=table("two", gsis=[gsi("a", "g1")]))
    new = template(One=table("one", gsis=[gsi("a", "g1")]), Two=table("two"))
    assert rules.table_changes(old, new) is None


def test_the_first_gsis_of_a_table_without_any_are_counted():
    old = template(Results=table())
    new = template(Results=table(gsis=[gsi("a", "g1"), gsi("b", "g2")]))
    assert rules.table_changes(old, new) is not None


GSI_MESSAGE = ("Cannot update GSI's properties other than Provisioned Throughput and Contributor Insights "
               "Specification. You can create a new GSI with a different name.")


@pytest.mark.parametrize("changed", [
    gsi("a", "g2"),                                   # key schema
    gsi("a", "g1", projection="KEYS_ONLY"),           # projection type
    gsi("a", "g1", projection="INCLUDE", non_key=["x", "y"]),
])
def test_a_gsi_changed_under_its_name_is_refused(changed):
    old = template(Results=table(gsis=[gsi("a", "g1", projection="INCLUDE", non_key=["x"])]))
    new = template(Results=table(gsis=[changed]))
    assert rules.table_changes(old, new) == (400, "ValidationError", GSI_MESSAGE)


def test_non_key_attributes_in_another_order_are_no_change():
    old = template(Results=table(gsis=[gsi("a", "g1", projection="INCLUDE", non_key=["x", "y"])]))
    new = template(Results=table(gsis=[gsi("a", "g1", projection="INCLUDE", non_key=["y", "x"])]))
    assert rules.table_changes(old, new) is None


def test_a_gsi_key_attribute_type_change_is_refused():
    old = template(Results=table(gsis=[gsi("a", "g1")]))
    new = template(Results=table(gsis=[gsi("a", "g1")], types=dict(g1="N")))
    assert rules.table_changes(old, new)[2] == GSI_MESSAGE


def test_a_custom_named_table_whose_key_changes_is_refused():
    old = template(Results=table("ai-chef-results"))
    for new in (template(Results=table("ai-chef-results", keys=(("pk", "HASH"), ("sk", "RANGE")))),
                template(Results=table("ai-chef-results", types=dict(pk="N")))):
        assert rules.table_changes(old, new) == (
            400, "ValidationError", "CloudFormation cannot update a stack when a custom-named resource requires "
            "replacing. Rename ai-chef-results and update the stack again.")


def test_a_replaced_table_without_a_custom_name_or_with_a_new_name_passes():
    old = template(Results=table(None, gsis=[gsi("a", "g1")]))
    new = template(Results=table(None, types=dict(pk="N"), gsis=[gsi("b", "g2"), gsi("c", "g3")]))
    assert rules.table_changes(old, new) is None
    old = template(Results=table("old-name"))
    new = template(Results=table("new-name", types=dict(pk="N"), gsis=[gsi("b", "g2"), gsi("c", "g3")]))
    assert rules.table_changes(old, new) is None


def test_intrinsics_are_skipped():
    old = template(Results=table(gsis=[gsi("a", "g1")]))
    new = template(Results=table(gsis={"Fn::If": ["More", [gsi("b", "g2"), gsi("c", "g3")], []]}))
    assert rules.table_changes(old, new) is None
    new = template(Results=table(gsis=[dict(gsi("a", "g1"), KeySchema={"Ref": "Keys"})]))
    assert rules.table_changes(old, new) is None
    old = template(Results=table({"Fn::Sub": "${AWS::StackName}-t"}))
    new = template(Results=table({"Fn::Sub": "${AWS::StackName}-t"}, types=dict(pk="N")))
    assert rules.table_changes(old, new) is None


def test_new_and_removed_tables_are_not_compared():
    old = template(Old=table("old"))
    new = template(New=table("new", gsis=[gsi("a", "g1"), gsi("b", "g2")]))
    assert rules.table_changes(old, new) is None


def test_short_form_yaml_templates_are_read():
    parsed = rules.parse_template("Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                                  "      TableName: !Sub '${AWS::StackName}-t'\n      Arn: !GetAtt A.Arn\n"
                                  "      Ref: !Ref X\n")
    assert parsed["Resources"]["T"]["Properties"] == {"TableName": {"Fn::Sub": "${AWS::StackName}-t"},
                                                      "Arn": {"Fn::GetAtt": ["A", "Arn"]}, "Ref": {"Ref": "X"}}
    assert rules.parse_template(json.dumps(dict(Resources={}))) == dict(Resources={})
    assert rules.parse_template("- not a template") is None
    assert rules.parse_template("{unbalanced") is None


# --- rule 3: stack status ------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "CREATE_FAILED", "ROLLBACK_FAILED", "UPDATE_ROLLBACK_FAILED",
                                    "DELETE_FAILED", "UPDATE_IN_PROGRESS", "CREATE_IN_PROGRESS",
                                    "UPDATE_ROLLBACK_IN_PROGRESS", "REVIEW_IN_PROGRESS"])
@pytest.mark.parametrize("action, params", [("UpdateStack", {}), ("CreateChangeSet", {}),
                                            ("CreateChangeSet", dict(ChangeSetType="UPDATE"))])
def test_a_stack_that_cannot_be_updated_refuses_updates(status, action, params):
    stack = dict(StackId=STACK_ARN, StackStatus=status)
    assert rules.stack_status(action, dict(params, StackName="demo"), stack) == (
        400, "ValidationError", "Stack:%s is in %s state and can not be updated." % (STACK_ARN, status))


@pytest.mark.parametrize("status", ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE",
                                    "IMPORT_COMPLETE"])
def test_an_updatable_stack_takes_updates(status):
    stack = dict(StackId=STACK_ARN, StackStatus=status)
    assert rules.stack_status("UpdateStack", dict(StackName="demo"), stack) is None
    assert rules.stack_status("CreateChangeSet", dict(StackName="demo"), stack) is None


def test_create_stack_on_an_existing_name_is_refused():
    stack = dict(StackId=STACK_ARN, StackStatus="ROLLBACK_COMPLETE")
    assert rules.stack_status("CreateStack", dict(StackName="demo"), stack) == (
        400, "AlreadyExistsException", "Stack [demo] already exists")
    assert rules.stack_status("CreateStack", dict(StackName="demo"), None) is None
    assert rules.stack_status("CreateStack", dict(StackName="demo"), dict(stack, StackStatus="DELETE_COMPLETE")) is None


def test_create_change_set_of_type_create_on_an_existing_stack_is_refused():
    params = dict(StackName="demo", ChangeSetType="CREATE", ChangeSetName="cs1")
    stack = dict(StackId=STACK_ARN, StackStatus="ROLLBACK_COMPLETE")
    assert rules.stack_status("CreateChangeSet", params, stack) == (
        400, "ValidationError", "Stack [demo] already exists and cannot be created again with the changeSet [cs1].")
    assert rules.stack_status("CreateChangeSet", params, dict(stack, StackStatus="REVIEW_IN_PROGRESS")) is None


# --- rule 4: log retention -----------------------------------------------------------------------------------
def log_group(days):
    return dict(Type="AWS::Logs::LogGroup", Properties=dict(LogGroupName="g", RetentionInDays=days))


@pytest.mark.parametrize("days", [8, "8", 0, 730, 3650, 7.5])
def test_a_log_group_retention_outside_the_allowed_values_is_refused(days):
    assert rules.log_retention_in_template(dict(Resources=dict(Logs=log_group(days)))) == (
        400, "ValidationError", "Properties validation failed for resource Logs with message: "
        "#/RetentionInDays: failed validation constraint for keyword [enum]")


@pytest.mark.parametrize("days", [1, 7, "14", 731, 1096, 3653, {"Ref": "Days"}])
def test_allowed_retention_values_and_intrinsics_pass(days):
    assert rules.log_retention_in_template(dict(Resources=dict(Logs=log_group(days)))) is None


def test_put_retention_policy_outside_the_allowed_values_is_refused():
    assert rules.put_retention_policy(dict(logGroupName="g", retentionInDays=7)) is None
    assert rules.put_retention_policy(dict(logGroupName="g")) is None
    assert rules.put_retention_policy(dict(logGroupName="g", retentionInDays=8)) == (
        400, "InvalidParameterException", "1 validation error detected: Value '8' at 'retentionInDays' failed to "
        "satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, "
        "400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")


# --- rule 5: stack tags --------------------------------------------------------------------------------------
def test_a_stack_tag_key_starting_with_aws_is_refused():
    params = {"Tags.member.1.Key": "team", "Tags.member.1.Value": "x", "Tags.member.2.Key": "AWS:owner",
              "Tags.member.2.Value": "y"}
    assert rules.stack_tags(params) == (400, "ValidationError",
                                        "aws: prefixed tag key names are not allowed for external use.")
    assert rules.stack_tags({"Tags.member.1.Key": "team", "Tags.member.1.Value": "aws:ok"}) is None
    assert rules.stack_tags({}) is None


def test_query_parameters_are_read_from_the_form_body():
    params = rules.query_params(b"Action=CreateStack&StackName=demo&Tags.member.1.Key=a%3Ab&TemplateBody=x%20y")
    assert params == {"Action": "CreateStack", "StackName": "demo", "Tags.member.1.Key": "a:b", "TemplateBody": "x y"}
    assert rules.member_values({"Tags.member.10.Key": "j", "Tags.member.2.Key": "b"}, "Tags", "Key") == ["b", "j"]


# --- rule 6: DynamoDB UpdateTable ----------------------------------------------------------------------------
def test_update_table_with_more_than_one_gsi_create_or_delete_is_refused():
    create = dict(Create=gsi("a", "g1"))
    delete = dict(Delete=dict(IndexName="b"))
    update = dict(Update=dict(IndexName="c", ProvisionedThroughput=dict(ReadCapacityUnits=1, WriteCapacityUnits=1)))
    expected = (400, "LimitExceededException",
                "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
    assert rules.update_table_gsi_actions(dict(GlobalSecondaryIndexUpdates=[create, create])) == expected
    assert rules.update_table_gsi_actions(dict(GlobalSecondaryIndexUpdates=[create, delete])) == expected
    assert rules.update_table_gsi_actions(dict(GlobalSecondaryIndexUpdates=[create, update])) is None
    assert rules.update_table_gsi_actions(dict(GlobalSecondaryIndexUpdates=[update, update])) is None
    assert rules.update_table_gsi_actions(dict(TableName="t")) is None


# --- protocol --------------------------------------------------------------------------------------------------
def test_query_errors_are_aws_error_responses_with_the_message_escaped():
    payload = rules.query_error("ValidationError", "Value '<a & b>'", "rid")
    assert rules.xml_text(payload, "Code") == "ValidationError"
    assert rules.xml_text(payload, "Message") == "Value '<a & b>'"
    assert rules.xml_text(payload, "Type") == "Sender"
    assert rules.xml_text(b"not xml", "Code") is None
