"""change_plan.py: pure functions over a change set (no stubs needed)."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import change_plan
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_ID
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import property_detail
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import resource_change
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE

SESSIONS = "AiChefSessionsTable"


def table_change(action="Modify", replacement="False", physical_id="ai-chef-sessions", logical_id=SESSIONS,
                 details=(), resource_type="AWS::DynamoDB::Table"):
    return change_plan.normalize_change(resource_change(logical_id, action, replacement, resource_type, physical_id,
                                                        details))


def key_schema_replacement_aws():
    """What AWS reports for a new hash key: Replacement True, KeySchema RequiresRecreation Always."""
    return table_change(replacement="True", details=[
        property_detail("KeySchema", "Always"), property_detail("AttributeDefinitions", "Never")])


def key_schema_replacement_emulator():
    """What the emulator reports for the same change: Replacement Conditional, no recreation flag."""
    return table_change(replacement="Conditional", details=[{"Target": {"Attribute": "Properties",
                                                                        "Name": "KeySchema"}}])


class TestNormalizeChange:
    def test_normalize_change_aws_key_change_names_recreation_cause(self):
        """Every changed property is listed once; only those that force a recreation are causes."""
        details = [property_detail("KeySchema", "Always"), property_detail("KeySchema", "Always"),
                   property_detail("AttributeDefinitions"), property_detail("TableName", "Conditionally")]
        change = change_plan.normalize_change(resource_change(SESSIONS, "Modify", "True",
                                                              physical_id="ai-chef-sessions", details=details))
        assert change == dict(action="Modify", logical_resource_id=SESSIONS, physical_resource_id="ai-chef-sessions",
                              resource_type="AWS::DynamoDB::Table", replacement="True",
                              properties=["KeySchema", "AttributeDefinitions", "TableName"],
                              replacement_causes=["KeySchema", "TableName"])

    def test_normalize_change_attribute_without_name_uses_attribute(self):
        """A tag change has Target Attribute Tags and no Name: the attribute names it."""
        change = change_plan.normalize_change(resource_change(SESSIONS, details=[
            property_detail(None, attribute="Tags")]))
        assert change["properties"] == ["Tags"]
        assert change["replacement_causes"] == []

    def test_normalize_change_add_without_details_has_empty_lists(self):
        change = change_plan.normalize_change(resource_change("NewTable", "Add"))
        assert (change["action"], change["physical_resource_id"], change["replacement"]) == ("Add", None, None)
        assert (change["properties"], change["replacement_causes"]) == ([], [])

    def test_normalize_change_missing_resource_change_is_all_none(self):
        change = change_plan.normalize_change({"Type": "Resource"})
        assert change["action"] is None and change["properties"] == []


class TestLosesTable:
    @pytest.mark.parametrize("change, loses", [
        (key_schema_replacement_aws(), True),
        (key_schema_replacement_emulator(), True),
        (table_change("Remove", None), True),
        (table_change(replacement="False"), False),
        (table_change("Add", None, physical_id=None), False),
        (table_change(replacement="True", resource_type=CLOUDWATCH_ALARM, logical_id="SessionsTableErrorAlarm"), False),
        (table_change("Remove", None, resource_type=CLOUDWATCH_ALARM, logical_id="SessionsTableErrorAlarm"), False),
    ], ids=["replacement-true", "replacement-conditional", "remove", "modify-no-replacement", "add",
            "alarm-replaced", "alarm-removed"])
    def test_loses_table_each_change_kind_classified(self, change, loses):
        assert change_plan.loses_table(change) is loses


class TestBlockedTableChanges:
    def test_blocked_table_changes_nothing_allowed_blocks_replace_and_remove(self):
        replaced, removed = key_schema_replacement_aws(), table_change("Remove", None, "ai-chef-results",
                                                                       "AiChefResultsTable")
        changes = [replaced, table_change(), removed]
        assert change_plan.blocked_table_changes(changes, []) == [replaced, removed]

    @pytest.mark.parametrize("allowed", [[SESSIONS], ["ai-chef-sessions"]], ids=["logical-id", "table-name"])
    def test_blocked_table_changes_allowed_by_id_or_name_passes(self, allowed):
        assert change_plan.blocked_table_changes([key_schema_replacement_emulator()], allowed) == []

    def test_blocked_table_changes_allowing_another_table_still_blocks(self):
        change = key_schema_replacement_aws()
        assert change_plan.blocked_table_changes([change], ["ai-chef-results"]) == [change]

    def test_blocked_table_changes_none_allowed_list_blocks(self):
        """allow_table_replacement omitted (None) counts as empty, not as a crash."""
        change = key_schema_replacement_aws()
        assert change_plan.blocked_table_changes([change], None) == [change]


class TestTableRefusal:
    def test_table_refusal_replacement_true_names_table_cause_and_safe_path(self):
        assert change_plan.table_refusal(key_schema_replacement_aws(), STACK_NAME) == (
            "table ai-chef-sessions (AiChefSessionsTable) would be REPLACED (Replacement: True) in stack "
            "ai-chef-dynamodb because KeySchema changed, and its items would be lost or left outside the stack. "
            "Safe path: declare a new table, copy the items (playbooks/migrate-dynamodb-table.yml), then remove the "
            "old one. To accept the loss, name it in dynamodb_stack_allow_table_replacement: [ai-chef-sessions]")

    def test_table_refusal_conditional_without_flag_names_changed_properties(self):
        """The emulator sets no RequiresRecreation: the changed properties stand in as the cause."""
        message = change_plan.table_refusal(key_schema_replacement_emulator(), STACK_NAME)
        assert "would be REPLACED (Replacement: Conditional) in stack ai-chef-dynamodb because KeySchema changed" \
            in message
        assert message.endswith("dynamodb_stack_allow_table_replacement: [ai-chef-sessions]")

    def test_table_refusal_remove_says_logical_id_left_template(self):
        message = change_plan.table_refusal(table_change("Remove", None), STACK_NAME)
        assert message.startswith("table ai-chef-sessions (AiChefSessionsTable) would be REMOVED from stack "
                                  "ai-chef-dynamodb: its logical id left the template or was renamed, and its items")
        assert "playbooks/migrate-dynamodb-table.yml" in message

    def test_table_refusal_no_physical_id_names_logical_id(self):
        change = table_change(replacement="True", physical_id=None)
        message = change_plan.table_refusal(change, STACK_NAME)
        assert message.startswith("table AiChefSessionsTable (AiChefSessionsTable) would be REPLACED")
        assert message.endswith("[AiChefSessionsTable]")
        assert " because " not in message  # nothing to name as the cause


class TestDeclaredExportNames:
    def test_declared_export_names_team_template_resolves_stack_name(self):
        names = change_plan.declared_export_names(parse_template(TEAM_TEMPLATE), STACK_NAME, STACK_ID)
        assert names == ["%s-%s" % (STACK_NAME, suffix) for suffix in (
            "SessionsTable", "ResultsTable", "SessionsTableArn", "ResultsTableArn")]

    def test_declared_export_names_literal_and_outputs_without_export(self):
        template = {"Resources": {"T": {}}, "Outputs": {"Plain": {"Value": "x"}, "Odd": "not-a-mapping",
                                                        "Named": {"Value": "y", "Export": {"Name": "literal"}}}}
        assert change_plan.declared_export_names(template, STACK_NAME, STACK_ID) == ["literal"]

    def test_declared_export_names_no_outputs_is_empty(self):
        assert change_plan.declared_export_names({"Resources": {"T": {}}}, STACK_NAME, STACK_ID) == []

    @pytest.mark.parametrize("name", [{"Fn::Sub": "${Environment}-Sessions"}, {"Fn::ImportValue": "other"},
                                      {"Fn::If": ["Prod", "a", "b"]}], ids=["parameter", "import-value", "if"])
    def test_declared_export_names_unresolvable_returns_none(self, name):
        template = {"Resources": {"T": {}}, "Outputs": {"A": {"Value": "x", "Export": {"Name": "literal"}},
                                                        "B": {"Value": "y", "Export": {"Name": name}}}}
        assert change_plan.declared_export_names(template, STACK_NAME, STACK_ID) is None


class TestChangeLine:
    def test_change_line_replaced_table_flags_item_loss(self):
        assert change_plan.change_line(key_schema_replacement_emulator()) == (
            "~ Modify  AiChefSessionsTable (AWS::DynamoDB::Table) replacement: Conditional [KeySchema]"
            "  <-- the table's items would be lost")

    def test_change_line_add_has_no_replacement_or_warning(self):
        change = change_plan.template_additions({"Resources": {"Log": {"Type": "AWS::Logs::LogGroup"}}})[0]
        assert change_plan.change_line(change) == "+ Add     Log (AWS::Logs::LogGroup)"

    def test_change_line_unknown_action_gets_question_mark(self):
        change = table_change("SyncWithActual", None)
        assert change_plan.change_line(change).startswith("? SyncWithActual AiChefSessionsTable")


class TestTemplateAdditions:
    def test_template_additions_team_template_adds_every_resource_in_order(self):
        changes = change_plan.template_additions(parse_template(TEAM_TEMPLATE))
        assert [(c["action"], c["logical_resource_id"], c["resource_type"]) for c in changes] == [
            ("Add", "DynamoDBLogGroup", "AWS::Logs::LogGroup"),
            ("Add", "SessionsTableErrorAlarm", "AWS::CloudWatch::Alarm"),
            ("Add", "AiChefSessionsTable", "AWS::DynamoDB::Table"),
            ("Add", "AiChefResultsTable", "AWS::DynamoDB::Table")]
        assert not any(change_plan.loses_table(change) for change in changes)


class TestPlanSummary:
    def test_plan_summary_none_says_nothing_to_change(self):
        assert change_plan.plan_summary(STACK_NAME, "none", []) == "Stack ai-chef-dynamodb: nothing to change"

    def test_plan_summary_counts_actions_sorted(self):
        changes = [table_change(), table_change("Add", None), table_change("Modify")]
        assert change_plan.plan_summary(STACK_NAME, "update", changes) == (
            "Stack ai-chef-dynamodb: update with 3 changes (1 add, 2 modify)")

    def test_plan_summary_one_change_singular(self):
        assert change_plan.plan_summary(STACK_NAME, "update", [table_change()]) == (
            "Stack ai-chef-dynamodb: update with 1 change (1 modify)")

    def test_plan_summary_update_without_resource_changes_has_no_empty_parentheses(self):
        """Only stack settings differ: no resource change, and no "()" either."""
        assert change_plan.plan_summary(STACK_NAME, "update", []) == "Stack ai-chef-dynamodb: update with 0 changes"


class TestPlanText:
    def test_plan_text_summary_then_one_line_per_change(self):
        changes = [key_schema_replacement_aws(), table_change("Add", None, None, "NewTable")]
        text = change_plan.plan_text("Stack x: update with 2 changes (1 add, 1 modify)", changes)
        assert text.splitlines() == ["Stack x: update with 2 changes (1 add, 1 modify)",
                                     change_plan.change_line(changes[0]), change_plan.change_line(changes[1])]
        assert text.endswith("\n")


def test_retained_log_groups_names_a_renamed_or_removed_log_group_as_kept():
    renamed = dict(action="Modify", logical_resource_id="DynamoDBLogGroup", physical_resource_id="/aws/dynamodb/old",
                   resource_type="AWS::Logs::LogGroup", replacement="True", properties=["LogGroupName"],
                   replacement_causes=["LogGroupName"])
    removed = dict(renamed, action="Remove", replacement=None, physical_resource_id="/aws/dynamodb/gone")
    retention = dict(renamed, replacement="False", properties=["RetentionInDays"])
    assert change_plan.retained_log_groups([retention]) == ""
    assert change_plan.retained_log_groups([renamed, removed]) == (
        "log group /aws/dynamodb/old, /aws/dynamodb/gone leaves the stack: it is retained with its events (delete it "
        "by hand once it is no longer needed)")
