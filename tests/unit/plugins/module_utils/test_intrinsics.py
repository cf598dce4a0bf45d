"""intrinsics: template values resolved from what the stack reports, or Unresolvable (never a guess)."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import Unresolvable
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import resolution_context
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import resolve
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import try_resolve

STACK_ID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/ai-chef-dynamodb/3f69d208"
TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/ai-chef-sessions"


@pytest.fixture
def context():
    info = dict(
        stack=dict(stack_name="ai-chef-dynamodb", stack_id=STACK_ID, parameters={"Env": "prod"},
                   resources=[dict(logical_resource_id="Sessions", physical_resource_id="ai-chef-sessions"),
                              dict(logical_resource_id="Pending", physical_resource_id=None)]),
        tables=[dict(logical_resource_id="Sessions", table_arn=TABLE_ARN, latest_stream_arn=None)],
        alarms=[dict(logical_resource_id="Alarm", alarm_arn="arn:aws:cloudwatch:eu-west-1:1:alarm:a")],
        log_groups=[dict(logical_resource_id="Logs", arn="arn:aws:logs:eu-west-1:1:log-group:/g:*")],
    )
    return resolution_context(info)


class TestResolve:
    @pytest.mark.parametrize("value, expected", [
        ("plain", "plain"),
        (7, 7),
        ({"Ref": "AWS::StackName"}, "ai-chef-dynamodb"),
        ({"Ref": "AWS::Region"}, "eu-west-1"),
        ({"Ref": "AWS::AccountId"}, "123456789012"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Ref": "Env"}, "prod"),
        ({"Ref": "Sessions"}, "ai-chef-sessions"),
        ({"Fn::GetAtt": ["Sessions", "Arn"]}, TABLE_ARN),
        ({"Fn::GetAtt": "Logs.Arn"}, "arn:aws:logs:eu-west-1:1:log-group:/g:*"),
        ({"Fn::Sub": "${AWS::StackName}-SessionsTable"}, "ai-chef-dynamodb-SessionsTable"),
        ({"Fn::Sub": "${Sessions.Arn}/index/*"}, TABLE_ARN + "/index/*"),
        ({"Fn::Sub": ["${Name}-${Env}", {"Name": {"Ref": "Sessions"}}]}, "ai-chef-sessions-prod"),
        ({"Fn::Sub": "${!Literal}-${Env}"}, "${Literal}-prod"),
        ({"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "x"]]}, "ai-chef-dynamodb-x"),
        ({"Fn::Select": [1, ["a", {"Ref": "Env"}]]}, "prod"),
        ([{"Ref": "Env"}, {"Name": {"Ref": "Sessions"}}], ["prod", {"Name": "ai-chef-sessions"}]),
    ])
    def test_resolve_known_values(self, context, value, expected):
        assert resolve(value, context) == expected

    @pytest.mark.parametrize("value, what", [
        ({"Ref": "Unknown"}, "Ref Unknown"),
        ({"Ref": "Pending"}, "Ref Pending"),
        ({"Ref": "AWS::NoValue"}, "Ref AWS::NoValue"),
        ({"Fn::GetAtt": ["Sessions", "StreamArn"]}, "Fn::GetAtt Sessions.StreamArn"),
        ({"Fn::If": ["IsProd", "a", "b"]}, "Fn::If"),
        ({"Fn::ImportValue": "shared"}, "Fn::ImportValue"),
        ({"Fn::Sub": "${Missing}"}, "Ref Missing"),
        ({"Fn::Select": [5, ["a"]]}, "Fn::Select"),
        ({"Fn::Join": ["-"]}, "Fn::Join"),
    ])
    def test_resolve_unknown_values_raise(self, context, value, what):
        with pytest.raises(Unresolvable, match=what.replace("$", r"\$")):
            resolve(value, context)

    def test_try_resolve_returns_error_instead_of_raising(self, context):
        assert try_resolve({"Fn::If": []}, context) == (None, "Fn::If")
        assert try_resolve({"Ref": "Env"}, context) == ("prod", None)

    def test_resolution_context_without_stack_id_has_no_region(self):
        context = resolution_context(dict(stack=dict(stack_name="s"), tables=[], alarms=[], log_groups=[]))

        assert resolve({"Ref": "AWS::StackName"}, context) == "s"
        with pytest.raises(Unresolvable):
            resolve({"Ref": "AWS::Region"}, context)
