"""templates.py: parse a template (JSON or YAML with short tags) without AWS; list its literal table names."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import declared_table_names
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TABLES
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE


@pytest.fixture
def team_template():
    return TEAM_TEMPLATE


class TestParseTemplate:
    def test_parse_template_team_yaml_short_tags_become_long_forms(self, team_template):
        """The team's file: !Ref, !GetAtt a.b and !Sub become Ref / Fn::GetAtt [a, b] / Fn::Sub."""
        template = parse_template(team_template)
        alarm = template["Resources"]["SessionsTableErrorAlarm"]["Properties"]
        assert alarm["Dimensions"] == [{"Name": "TableName", "Value": {"Ref": "AiChefSessionsTable"}}]
        outputs = template["Outputs"]
        assert outputs["SessionsTableArn"]["Value"] == {"Fn::GetAtt": ["AiChefSessionsTable", "Arn"]}
        assert outputs["SessionsTableName"]["Export"]["Name"] == {"Fn::Sub": "${AWS::StackName}-SessionsTable"}
        assert template["AWSTemplateFormatVersion"] == "2010-09-09"

    def test_parse_template_sequence_and_mapping_tags_keep_their_shape(self):
        body = (
            "Resources:\n"
            "  T:\n"
            "    Type: AWS::DynamoDB::Table\n"
            "    Properties:\n"
            "      TableName: !Join ['-', [!Ref Env, sessions]]\n"
            "      Arn: !GetAtt [Other, Arn]\n"
            "      Sub: !Sub\n"
            "        - '${Name}-x'\n"
            "        - Name: !Ref Env\n"
            "      Cond: !If [IsProd, 1, 2]\n"
        )
        props = parse_template(body)["Resources"]["T"]["Properties"]
        assert props["TableName"] == {"Fn::Join": ["-", [{"Ref": "Env"}, "sessions"]]}
        assert props["Arn"] == {"Fn::GetAtt": ["Other", "Arn"]}
        assert props["Sub"] == {"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "Env"}}]}
        assert props["Cond"] == {"Fn::If": ["IsProd", 1, 2]}

    def test_parse_template_mapping_tag_becomes_fn_mapping(self):
        body = ("Resources:\n"
                "  T:\n"
                "    Fn::Transform: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}\n"
                "    Type: AWS::SNS::Topic\n")
        assert parse_template(body)["Resources"]["T"]["Fn::Transform"] == {
            "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}

    def test_parse_template_json_returns_dict(self):
        body = '{"Resources": {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "t1"}}}}'
        assert parse_template(body) == {
            "Resources": {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "t1"}}}}

    def test_parse_template_json_with_leading_whitespace_returns_dict(self):
        assert "Resources" in parse_template('\n  {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')

    @pytest.mark.parametrize("body", [
        "Resources: [unclosed",
        "Resources:\n  T:\n    Type: a\n   bad: indent\n",
        "Resources:\n  T: {Type: x\n",
    ], ids=["unclosed-flow", "bad-indent", "unclosed-mapping"])
    def test_parse_template_invalid_yaml_raises_one_line_input_error(self, body):
        with pytest.raises(InputError) as e:
            parse_template(body)
        assert e.value.message.startswith("template_body is neither valid JSON nor valid YAML: ")
        assert "\n" not in e.value.message

    def test_parse_template_invalid_json_raises_input_error(self):
        with pytest.raises(InputError, match="neither valid JSON nor valid YAML"):
            parse_template('{"Resources": {"T": }')

    def test_parse_template_python_object_tag_refused(self):
        """A SafeLoader subclass: YAML that would build Python objects is an input error, never executed."""
        with pytest.raises(InputError, match="neither valid JSON nor valid YAML"):
            parse_template("Resources: !!python/object/apply:os.system ['true']\n")

    @pytest.mark.parametrize("body, kind", [
        ("just a string", "str"),
        ("42", "int"),
        ("- a\n- b\n", "list"),
        ("[1, 2]", "list"),
    ], ids=["string", "number", "block-list", "flow-list"])
    def test_parse_template_not_a_mapping_raises_input_error_naming_type(self, body, kind):
        with pytest.raises(InputError) as e:
            parse_template(body)
        assert e.value.message == "template_body must be a mapping with a Resources section, got %s" % kind

    @pytest.mark.parametrize("body", ["", "   ", "\n\n", None], ids=["empty", "spaces", "newlines", "none"])
    def test_parse_template_empty_body_raises_input_error(self, body):
        with pytest.raises(InputError) as e:
            parse_template(body)
        assert e.value.message == "template_body is empty"

    @pytest.mark.parametrize("body", [
        "AWSTemplateFormatVersion: '2010-09-09'\nOutputs: {}\n",
        "Resources: {}\n",
        "Resources:\n",
        "Resources: [a, b]\n",
        '{"Description": "no resources"}',
    ], ids=["missing", "empty-mapping", "null", "list", "json-missing"])
    def test_parse_template_no_resources_raises_input_error(self, body):
        with pytest.raises(InputError) as e:
            parse_template(body)
        assert e.value.message == ("template_body has no Resources section; CloudFormation needs at least one "
                                   "resource")


class TestDeclaredTableNames:
    def test_declared_table_names_team_template_both_tables_in_order(self, team_template):
        assert declared_table_names(parse_template(team_template)) == TEAM_TABLES == ["ai-chef-sessions",
                                                                                      "ai-chef-results"]

    def test_declared_table_names_skips_non_literal_and_non_table_names(self):
        body = (
            "Resources:\n"
            "  Literal:\n"
            "    Type: AWS::DynamoDB::Table\n"
            "    Properties: {TableName: kept}\n"
            "  Subbed:\n"
            "    Type: AWS::DynamoDB::Table\n"
            "    Properties: {TableName: !Sub '${AWS::StackName}-x'}\n"
            "  Reffed:\n"
            "    Type: AWS::DynamoDB::Table\n"
            "    Properties: {TableName: !Ref NameParam}\n"
            "  Unnamed:\n"
            "    Type: AWS::DynamoDB::Table\n"
            "    Properties: {BillingMode: PAY_PER_REQUEST}\n"
            "  NoProperties:\n"
            "    Type: AWS::DynamoDB::Table\n"
            "  Topic:\n"
            "    Type: AWS::SNS::Topic\n"
            "    Properties: {TableName: not-a-table}\n"
            "  Broken: just-a-string\n"
        )
        assert declared_table_names(parse_template(body)) == ["kept"]

    def test_declared_table_names_json_template(self):
        body = ('{"Resources": {"A": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "a"}},'
                ' "B": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Fn::Sub": "${P}-b"}}}}}')
        assert declared_table_names(parse_template(body)) == ["a"]


def test_parse_template_condition_short_tag_has_no_fn_prefix():
    """!Condition is, like !Ref, an intrinsic without the "Fn::" prefix; JSON templates spell it "Condition"."""
    body = "Resources:\n  Log:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      X: !And [!Condition IsProd]\n"
    parsed = parse_template(body)
    assert parsed["Resources"]["Log"]["Properties"]["X"] == {"Fn::And": [{"Condition": "IsProd"}]}
