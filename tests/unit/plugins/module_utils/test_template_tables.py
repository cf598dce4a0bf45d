"""template_tables.py: a template's DynamoDB tables read back into the declaration form (dynamodb_stack_tables).

The team's template reads back to the role's default declaration; every example declaration, rendered and read
back, renders the same table Properties again; a template's AttributeDefinitions that DynamoDB would refuse are
findings naming the resource and the attribute; tables computed by intrinsic functions are skipped.
"""
import copy
import glob
import os

import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import lint_tables
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.template_tables import table_declaration
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.template_tables import tables_by_logical_id
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.template_tables import template_table_declarations


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "files", "examples", "*.yml")))
DECLARATIONS = EXAMPLES + [os.path.join(ROOT, "roles", "dynamodb_stack", "defaults", "main.yml")]


def load_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def team():
    with open(os.path.join(ROOT, "files", "dynamodb-schema.yaml")) as handle:
        return parse_template(handle.read())


def tables_of(template):
    return dict((logical_id, resource["Properties"]) for logical_id, resource in template["Resources"].items()
                if resource["Type"] == "AWS::DynamoDB::Table")


def test_there_are_example_declarations():
    assert len(EXAMPLES) >= 2, EXAMPLES


# --- the team's template ----------------------------------------------------------------------------------------
def test_the_team_template_reads_back_as_its_two_tables(team):
    declarations, findings, skipped = template_table_declarations(team)
    assert (findings, skipped) == ([], [])
    tags = dict(Environment="production", Service="ai-chef")
    assert declarations == [
        dict(name="ai-chef-sessions", hash_key=dict(name="sessionId", type="S"), billing_mode="PAY_PER_REQUEST",
             ttl_attribute="TTL", point_in_time_recovery=True, deletion_protection=False, tags=tags),
        dict(name="ai-chef-results", hash_key=dict(name="resultId", type="S"), billing_mode="PAY_PER_REQUEST",
             global_secondary_indexes=[dict(name="sessionId-index", hash_key=dict(name="sessionId", type="S"),
                                            projection="ALL")],
             point_in_time_recovery=True, deletion_protection=False, tags=tags),
    ]


def test_the_team_tables_read_back_pass_the_schema_lint(team):
    declarations = template_table_declarations(team)[0]
    assert lint_tables(declarations) == []


def test_the_team_tables_read_back_have_the_keys_of_the_role_defaults(team):
    """The role's defaults 'reproduce the team's files/dynamodb-schema.yaml': same names, keys and indexes."""
    defaults = load_yaml(DECLARATIONS[-1])["dynamodb_stack_tables"]
    read_back = template_table_declarations(team)[0]
    for declared, read in zip(defaults, read_back):
        for field in ("name", "hash_key", "range_key", "global_secondary_indexes", "ttl_attribute",
                      "point_in_time_recovery"):
            assert read.get(field) == declared.get(field), (declared["name"], field)


def test_the_team_rendered_from_its_read_back_keeps_its_table_facts(team):
    declarations = template_table_declarations(team)[0]
    rendered = tables_of(parse_template(render_template_body(declarations, dict(table_tags={}))))
    for logical_id, properties in tables_of(team).items():
        for fact, value in properties.items():
            assert rendered[logical_id][fact] == value, (logical_id, fact)


# --- round trip of the example declarations ---------------------------------------------------------------------
@pytest.mark.parametrize("path", DECLARATIONS, ids=os.path.basename)
def test_a_declaration_read_back_renders_the_same_table_properties(path):
    document = load_yaml(path)
    settings = dict(table_tags=document.get("dynamodb_stack_table_tags", {}))
    template = parse_template(render_template_body(document["dynamodb_stack_tables"], settings))
    declarations, findings, skipped = template_table_declarations(template)
    assert (findings, skipped) == ([], [])
    assert [entry["name"] for entry in declarations] == [entry["name"] for entry in document["dynamodb_stack_tables"]]
    assert lint_tables(declarations) == []
    again = parse_template(render_template_body(declarations, settings))
    assert tables_of(again) == tables_of(template)


def test_every_option_reads_back_its_indexes_capacity_stream_class_and_policy():
    document = load_yaml(os.path.join(ROOT, "files", "examples", "every-option.yml"))
    template = parse_template(render_template_body(document["dynamodb_stack_tables"], {}))
    orders, archive = template_table_declarations(template)[0]
    assert orders["range_key"] == dict(name="SK", type="S")
    assert (orders["billing_mode"], orders["read_capacity"], orders["write_capacity"]) == ("PROVISIONED", 10, 5)
    assert orders["global_secondary_indexes"] == [dict(
        name="customerId-index", hash_key=dict(name="customerId", type="S"), range_key=dict(name="createdAt", type="N"),
        projection="INCLUDE", non_key_attributes=["orderTotal", "orderState"], read_capacity=5, write_capacity=5)]
    assert orders["local_secondary_indexes"] == [
        dict(name="updatedAt-index", range_key=dict(name="updatedAt", type="N"), projection="KEYS_ONLY")]
    assert (orders["ttl_attribute"], orders["stream_view_type"], orders["table_class"]) == (
        "expiresAt", "NEW_AND_OLD_IMAGES", "STANDARD")
    assert orders["resource_policy"] == document["dynamodb_stack_tables"][0]["resource_policy"]
    assert orders["tags"] == dict(CostCenter="kitchen")
    assert (archive["point_in_time_recovery"], archive["table_class"]) == (False, "STANDARD_INFREQUENT_ACCESS")


def test_point_in_time_recovery_and_deletion_protection_are_off_unless_the_template_turns_them_on():
    """AWS's defaults: a template without them deploys a table without them; reading them back as the
    declaration's defaults (on) would render a different table."""
    entry = table_declaration(dict(TableName="t", KeySchema=[dict(AttributeName="id", KeyType="HASH")],
                                   AttributeDefinitions=[dict(AttributeName="id", AttributeType="S")]))[0]
    assert (entry["point_in_time_recovery"], entry["deletion_protection"]) == (False, False)
    entry = table_declaration(dict(TableName="t", DeletionProtectionEnabled=True,
                                   PointInTimeRecoverySpecification=dict(PointInTimeRecoveryEnabled="true")))[0]
    assert (entry["point_in_time_recovery"], entry["deletion_protection"]) == (True, True)


def test_a_resource_policy_the_declaration_cannot_express_is_not_read_back():
    statement = dict(Effect="Deny", Principal=dict(AWS=["arn:aws:iam::123456789012:root"]), Action=["dynamodb:*"],
                     Resource="*")
    entry = table_declaration(dict(TableName="t", ResourcePolicy=dict(PolicyDocument=dict(Statement=[statement]))))[0]
    assert "resource_policy" not in entry


def test_a_provisioned_table_without_billing_mode_reads_back_as_provisioned():
    """BillingMode defaults to PROVISIONED in CloudFormation (the declaration's default is PAY_PER_REQUEST)."""
    entry, definitions = table_declaration(dict(
        TableName="t", KeySchema=[dict(AttributeName="id", KeyType="HASH")],
        AttributeDefinitions=[dict(AttributeName="id", AttributeType="N")],
        ProvisionedThroughput=dict(ReadCapacityUnits=3, WriteCapacityUnits=4)))
    assert (entry["billing_mode"], entry["read_capacity"], entry["write_capacity"]) == ("PROVISIONED", 3, 4)
    assert entry["hash_key"] == dict(name="id", type="N")
    assert definitions == dict(id="N")


# --- AttributeDefinitions ---------------------------------------------------------------------------------------
def results_template(team):
    template = copy.deepcopy(team)
    return template, template["Resources"]["AiChefResultsTable"]["Properties"]


def test_a_gsi_on_an_attribute_not_defined_names_the_resource_and_the_attribute(team):
    template, results = results_template(team)
    results["GlobalSecondaryIndexes"].append(dict(IndexName="userId-index", Projection=dict(ProjectionType="ALL"),
                                                  KeySchema=[dict(AttributeName="userId", KeyType="HASH")]))
    declarations, findings, skipped = template_table_declarations(template)
    assert findings == [
        "Resources.AiChefResultsTable.AttributeDefinitions: the key attribute 'userId' (of the table or an index) has "
        "no definition; add {AttributeName: userId, AttributeType: S|N|B}"]
    assert [entry["name"] for entry in declarations] == ["ai-chef-sessions"]  # the bad table is not linted further
    assert skipped == []


def test_a_range_key_not_defined_is_named(team):
    template, results = results_template(team)
    results["KeySchema"].append(dict(AttributeName="createdAt", KeyType="RANGE"))
    assert template_table_declarations(template)[1] == [
        "Resources.AiChefResultsTable.AttributeDefinitions: the key attribute 'createdAt' (of the table or an index) "
        "has no definition; add {AttributeName: createdAt, AttributeType: S|N|B}"]


def test_an_extra_definition_names_the_resource_and_the_attribute(team):
    template, results = results_template(team)
    results["AttributeDefinitions"].append(dict(AttributeName="status", AttributeType="S"))
    assert template_table_declarations(template)[1] == [
        "Resources.AiChefResultsTable.AttributeDefinitions: 'status' is defined but is no key of the table or an "
        "index, which DynamoDB refuses; remove it (only key attributes are declared)"]


def test_a_definition_left_over_from_a_removed_gsi_is_named(team):
    template, results = results_template(team)
    del results["GlobalSecondaryIndexes"]
    assert template_table_declarations(template)[1] == [
        "Resources.AiChefResultsTable.AttributeDefinitions: 'sessionId' is defined but is no key of the table or an "
        "index, which DynamoDB refuses; remove it (only key attributes are declared)"]


def test_a_table_without_a_hash_key_is_named(team):
    template, results = results_template(team)
    results["KeySchema"] = []
    findings = template_table_declarations(template)[1]
    assert findings[-1] == ("Resources.AiChefResultsTable.KeySchema: no HASH key; add {AttributeName: <name>, "
                            "KeyType: HASH}")
    assert "'resultId' is defined but is no key" in findings[0]


# --- intrinsics -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("change", [
    lambda properties: properties.update(TableName={"Fn::Sub": "${AWS::StackName}-results"}),
    lambda properties: properties["KeySchema"][0].update(AttributeName={"Ref": "KeyName"}),
    lambda properties: properties.update(GlobalSecondaryIndexes={"Fn::If": ["WithIndex", [], {"Ref": "AWS::NoValue"}]}),
    lambda properties: properties.update(BillingMode={"Ref": "Billing"}),
], ids=["table name", "key", "indexes", "billing"])
def test_a_table_with_an_intrinsic_is_skipped_not_linted(team, change):
    template, results = results_template(team)
    change(results)
    declarations, findings, skipped = template_table_declarations(template)
    assert (findings, skipped) == ([], ["AiChefResultsTable"])
    assert [entry["name"] for entry in declarations] == ["ai-chef-sessions"]
    assert "AiChefResultsTable" not in tables_by_logical_id(template)


def test_a_table_without_a_name_is_skipped(team):
    template, results = results_template(team)
    del results["TableName"]
    assert template_table_declarations(template)[2] == ["AiChefResultsTable"]


def test_intrinsics_in_other_resources_do_not_skip_the_tables(team):
    """The team's alarm and outputs use !Ref and !GetAtt; its tables are literal and read back."""
    assert sorted(tables_by_logical_id(team)) == ["AiChefResultsTable", "AiChefSessionsTable"]
    declaration, properties = tables_by_logical_id(team)["AiChefSessionsTable"]
    assert declaration["name"] == "ai-chef-sessions" and properties is team["Resources"]["AiChefSessionsTable"][
        "Properties"]


def test_only_dynamodb_tables_are_read():
    template = dict(Resources=dict(Topic=dict(Type="AWS::SNS::Topic", Properties=dict(TableName="x")), Junk="x"))
    assert template_table_declarations(template) == ([], [], [])
    assert tables_by_logical_id(template) == {}
