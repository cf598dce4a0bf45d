"""The strict-AWS proxy (scripts/strict_proxy.py) in front of the session's emulator: every rule refused through it
with AWS's error code and message, as boto3 sees it on the test endpoint; what AWS accepts still goes through.

The endpoint fixture (conftest.py) starts the emulator on an internal port and the proxy on the test port, so these
clients are the same ones every other integration test uses.
"""
import io
import json
import time

import botocore.exceptions
import pytest

from conftest import ENDPOINT, aws_client, status_once_settled
from wait_conditions import signal_wait_condition, wait_for_the_wait_condition  # scripts/, on sys.path by conftest

# A bucket name unique to this module: the emulator lives for the whole session.
BUCKET = "strict-proxy-templates"


def table_resource(name, gsis=(), key_type="S", extra_keys=()):
    types = dict(dict(pk=key_type), **dict((attribute, "S") for attribute in ["g1", "g2", "g3"]))
    properties = dict(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[dict(AttributeName=attribute, AttributeType=kind) for attribute, kind in types.items()],
        KeySchema=[dict(AttributeName="pk", KeyType="HASH")] + list(extra_keys))
    if gsis:
        properties["GlobalSecondaryIndexes"] = [
            dict(IndexName=index, KeySchema=[dict(AttributeName=key, KeyType="HASH")],
                 Projection=dict(ProjectionType=projection)) for index, key, projection in gsis]
    return dict(Type="AWS::DynamoDB::Table", Properties=properties)


def body(**resources):
    return json.dumps(dict(AWSTemplateFormatVersion="2010-09-09", Resources=resources))


def refused(call, code, message=None, **kwargs):
    """The ClientError of call(**kwargs): HTTP 400 with code (and message, when given)."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == code
    if message is not None:
        assert error["Error"]["Message"] == message
    return error["Error"]["Message"]


def no_stack(cfn, name):
    with pytest.raises(botocore.exceptions.ClientError, match="does not exist"):
        cfn.describe_stacks(StackName=name)


@pytest.fixture
def s3(endpoint):
    client = aws_client("s3")
    try:
        client.create_bucket(Bucket=BUCKET)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    return client


@pytest.fixture
def logs(endpoint):
    return aws_client("logs")


@pytest.fixture
def deployed(cfn, stack_name):
    """deployed(template body) -> the stack's id once the stack is CREATE_COMPLETE."""
    def create(template_body):
        stack_id = cfn.create_stack(StackName=stack_name, TemplateBody=template_body)["StackId"]
        assert status_once_settled(cfn, stack_name) == "CREATE_COMPLETE"
        return stack_id
    return create


# --- rule 1: template size ---------------------------------------------------------------------------------------
def padded(size):
    """A valid template of exactly size bytes (a YAML comment fills it up)."""
    head = "Resources:\n  Handle:\n    Type: AWS::CloudFormation::WaitConditionHandle\n"
    return head + "#" * (size - len(head) - 1) + "\n"


def test_a_template_body_over_51200_bytes_is_refused_by_every_action(cfn, stack_name):
    template = padded(51201)
    expected = ("1 validation error detected: Value '%s' at 'templateBody' failed to satisfy constraint: Member must "
                "have length less than or equal to 51200" % template)
    refused(cfn.validate_template, "ValidationError", expected, TemplateBody=template)
    refused(cfn.create_stack, "ValidationError", expected, StackName=stack_name, TemplateBody=template)
    refused(cfn.create_change_set, "ValidationError", expected, StackName=stack_name, TemplateBody=template,
            ChangeSetName="big", ChangeSetType="CREATE")
    no_stack(cfn, stack_name)
    cfn.create_stack(StackName=stack_name, TemplateBody=padded(51200))
    assert status_once_settled(cfn, stack_name) == "CREATE_COMPLETE"
    refused(cfn.update_stack, "ValidationError", expected, StackName=stack_name, TemplateBody=template)


def test_a_template_url_object_over_1_mb_is_refused_and_a_smaller_one_deploys(cfn, s3, stack_name):
    s3.put_object(Bucket=BUCKET, Key="%s/big.yaml" % stack_name, Body=padded(1000001).encode())
    s3.put_object(Bucket=BUCKET, Key="%s/ok.yaml" % stack_name, Body=padded(60000).encode())
    message = "Template may not exceed 1000000 bytes in size."
    for url in ("%s/%s/%s/big.yaml" % (ENDPOINT, BUCKET, stack_name),
                "https://%s.s3.amazonaws.com/%s/big.yaml" % (BUCKET, stack_name),
                "https://%s.s3.us-east-1.amazonaws.com/%s/big.yaml" % (BUCKET, stack_name)):
        refused(cfn.validate_template, "ValidationError", message, TemplateURL=url)
        refused(cfn.create_stack, "ValidationError", message, StackName=stack_name, TemplateURL=url)
    no_stack(cfn, stack_name)
    cfn.create_stack(StackName=stack_name, TemplateURL="%s/%s/%s/ok.yaml" % (ENDPOINT, BUCKET, stack_name))
    assert status_once_settled(cfn, stack_name) == "CREATE_COMPLETE"


# --- rule 2: table changes on update ------------------------------------------------------------------------------
GSI_MESSAGE = ("Cannot update GSI's properties other than Provisioned Throughput and Contributor Insights "
               "Specification. You can create a new GSI with a different name.")


def accepted_then_deleted(cfn, stack_name, template_body, change_set_name):
    """CreateChangeSet of an update that AWS would fail while running: accepted, as AWS does; then deleted."""
    change_set_id = cfn.create_change_set(StackName=stack_name, TemplateBody=template_body,
                                          ChangeSetName=change_set_name)["Id"]
    deadline = time.monotonic() + 30
    while cfn.describe_change_set(ChangeSetName=change_set_id)["Status"].endswith("_IN_PROGRESS"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    cfn.delete_change_set(ChangeSetName=change_set_id)


def test_two_gsis_added_to_one_table_are_refused_and_one_goes_through(cfn, ddb, stack_name, deployed):
    name = "%s-results" % stack_name
    deployed(body(Results=table_resource(name, gsis=[("idx-a", "g1", "ALL")])))
    two_more = body(Results=table_resource(name, gsis=[("idx-a", "g1", "ALL"), ("idx-b", "g2", "ALL"), ("idx-c", "g3", "ALL")]))
    message = "Cannot perform more than one GSI creation or deletion in a single update"
    refused(cfn.update_stack, "ValidationError", message, StackName=stack_name, TemplateBody=two_more)
    # AWS creates the change set of such an update (the preview a plan reads) and fails only when it runs.
    accepted_then_deleted(cfn, stack_name, two_more, "two-gsis")
    renamed = body(Results=table_resource(name, gsis=[("renamed", "g1", "ALL")]))
    refused(cfn.update_stack, "ValidationError", message, StackName=stack_name, TemplateBody=renamed)
    assert cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    cfn.update_stack(StackName=stack_name, TemplateBody=body(
        Results=table_resource(name, gsis=[("idx-a", "g1", "ALL"), ("idx-b", "g2", "ALL")])))
    assert status_once_settled(cfn, stack_name) == "UPDATE_COMPLETE"
    indexes = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]
    assert sorted(index["IndexName"] for index in indexes) == ["idx-a", "idx-b"]


def test_a_gsi_changed_under_its_name_and_a_key_type_change_are_refused(cfn, stack_name, deployed):
    name = "%s-results" % stack_name
    deployed(body(Results=table_resource(name, gsis=[("idx-a", "g1", "ALL")])))
    for changed in (body(Results=table_resource(name, gsis=[("idx-a", "g2", "ALL")])),
                    body(Results=table_resource(name, gsis=[("idx-a", "g1", "KEYS_ONLY")]))):
        refused(cfn.update_stack, "ValidationError", GSI_MESSAGE, StackName=stack_name, TemplateBody=changed)
        accepted_then_deleted(cfn, stack_name, changed, "gsi-change")
    replacing = ("CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename %s "
                 "and update the stack again." % name)
    for changed in (body(Results=table_resource(name, gsis=[("idx-a", "g1", "ALL")], key_type="N")),
                    body(Results=table_resource(name, gsis=[("idx-a", "g1", "ALL")],
                                                extra_keys=[dict(AttributeName="g3", KeyType="RANGE")]))):
        refused(cfn.update_stack, "ValidationError", replacing, StackName=stack_name, TemplateBody=changed)
        accepted_then_deleted(cfn, stack_name, changed, "key-change")
    assert cfn.list_change_sets(StackName=stack_name)["Summaries"] == []
    assert cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


# --- rule 3: stack status -----------------------------------------------------------------------------------------
def test_a_rollback_complete_stack_refuses_updates_and_a_second_create(cfn, stack_name, render_template):
    with open(render_template("failing-last-resource.yaml")) as handle:
        failing = handle.read()
    stack_id = cfn.create_stack(StackName=stack_name, TemplateBody=failing)["StackId"]
    assert status_once_settled(cfn, stack_name) == "ROLLBACK_COMPLETE"
    good = body(Handle=dict(Type="AWS::CloudFormation::WaitConditionHandle"))
    message = "Stack:%s is in ROLLBACK_COMPLETE state and can not be updated." % stack_id
    refused(cfn.update_stack, "ValidationError", message, StackName=stack_name, TemplateBody=good)
    refused(cfn.create_change_set, "ValidationError", message, StackName=stack_name, TemplateBody=good,
            ChangeSetName="after-rollback")
    refused(cfn.create_change_set, "ValidationError", "Stack [%s] already exists and cannot be created again with "
            "the changeSet [again]." % stack_name, StackName=stack_name, TemplateBody=good, ChangeSetName="again",
            ChangeSetType="CREATE")
    refused(cfn.create_stack, "AlreadyExistsException", "Stack [%s] already exists" % stack_name,
            StackName=stack_name, TemplateBody=good)
    assert cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"


def test_a_stack_in_progress_refuses_updates(cfn, stack_name):
    waiting = body(Handle=dict(Type="AWS::CloudFormation::WaitConditionHandle"),
                   Wait=dict(Type="AWS::CloudFormation::WaitCondition",
                             Properties=dict(Handle={"Ref": "Handle"}, Timeout="300")))
    stack_id = cfn.create_stack(StackName=stack_name, TemplateBody=waiting)["StackId"]
    handle_url = wait_for_the_wait_condition(cfn, stack_name)["Handle"]
    try:
        message = "Stack:%s is in CREATE_IN_PROGRESS state and can not be updated." % stack_id
        refused(cfn.update_stack, "ValidationError", message, StackName=stack_name, TemplateBody=waiting)
        refused(cfn.create_change_set, "ValidationError", message, StackName=stack_name, TemplateBody=waiting,
                ChangeSetName="while-busy")
    finally:
        signal_wait_condition(handle_url, "SUCCESS")
    assert status_once_settled(cfn, stack_name) == "CREATE_COMPLETE"


# --- rule 4: log retention ----------------------------------------------------------------------------------------
def test_a_log_retention_outside_the_allowed_values_is_refused(cfn, logs, stack_name):
    group = "/aichef/%s" % stack_name
    template = body(Logs=dict(Type="AWS::Logs::LogGroup", Properties=dict(LogGroupName=group, RetentionInDays=8)))
    message = ("Properties validation failed for resource Logs with message: #/RetentionInDays: failed validation "
               "constraint for keyword [enum]")
    refused(cfn.create_stack, "ValidationError", message, StackName=stack_name, TemplateBody=template)
    refused(cfn.create_change_set, "ValidationError", message, StackName=stack_name, TemplateBody=template,
            ChangeSetName="logs", ChangeSetType="CREATE")
    no_stack(cfn, stack_name)
    logs.create_log_group(logGroupName=group)
    refused(logs.put_retention_policy, "InvalidParameterException",
            "1 validation error detected: Value '8' at 'retentionInDays' failed to satisfy constraint: Member must "
            "satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, "
            "2192, 2557, 2922, 3288, 3653]", logGroupName=group, retentionInDays=8)
    logs.put_retention_policy(logGroupName=group, retentionInDays=731)
    described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [item.get("retentionInDays") for item in described] == [731]


# --- rule 5: stack tags -------------------------------------------------------------------------------------------
def test_a_stack_tag_key_starting_with_aws_is_refused(cfn, stack_name):
    template = body(Handle=dict(Type="AWS::CloudFormation::WaitConditionHandle"))
    message = "aws: prefixed tag key names are not allowed for external use."
    refused(cfn.create_stack, "ValidationError", message, StackName=stack_name, TemplateBody=template,
            Tags=[dict(Key="team", Value="chef"), dict(Key="aws:owner", Value="me")])
    no_stack(cfn, stack_name)
    cfn.create_stack(StackName=stack_name, TemplateBody=template, Tags=[dict(Key="team", Value="aws:fine")])
    assert status_once_settled(cfn, stack_name) == "CREATE_COMPLETE"
    refused(cfn.update_stack, "ValidationError", message, StackName=stack_name, UsePreviousTemplate=True,
            Tags=[dict(Key="AWS:Owner", Value="me")])


# --- rule 6: DynamoDB UpdateTable ---------------------------------------------------------------------------------
def test_update_table_with_two_gsi_creations_is_refused(ddb, stack_name):
    name = "%s-direct" % stack_name
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[dict(AttributeName="pk", AttributeType="S")],
                     KeySchema=[dict(AttributeName="pk", KeyType="HASH")])
    definitions = [dict(AttributeName=key, AttributeType="S") for key in ("g1", "g2")]

    def create(index, key):
        return dict(Create=dict(IndexName=index, KeySchema=[dict(AttributeName=key, KeyType="HASH")],
                                Projection=dict(ProjectionType="ALL")))
    refused(ddb.update_table, "LimitExceededException", "Subscriber limit exceeded: Only 1 online index can be "
            "created or deleted simultaneously per table", TableName=name, AttributeDefinitions=definitions,
            GlobalSecondaryIndexUpdates=[create("idx-a", "g1"), create("idx-b", "g2")])
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]
    ddb.update_table(TableName=name, AttributeDefinitions=definitions[:1], GlobalSecondaryIndexUpdates=[
        create("idx-a", "g1")])
    assert [index["IndexName"] for index in ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]] \
        == ["idx-a"]


# --- everything else is forwarded untouched -----------------------------------------------------------------------
def test_uploads_and_downloads_pass_through_unchanged(s3, stack_name):
    data = bytes(range(256)) * 40000  # 10 MB: a multipart upload from upload_fileobj
    s3.upload_fileobj(io.BytesIO(data), BUCKET, "%s/blob" % stack_name)
    assert s3.get_object(Bucket=BUCKET, Key="%s/blob" % stack_name)["Body"].read() == data
    streamed = s3.get_object(Bucket=BUCKET, Key="%s/blob" % stack_name)["Body"]
    assert b"".join(streamed.iter_chunks(1 << 16)) == data
    head = s3.head_object(Bucket=BUCKET, Key="%s/blob" % stack_name)
    assert head["ContentLength"] == len(data)
