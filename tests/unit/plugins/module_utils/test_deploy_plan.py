"""deploy_plan.py: stack_differences() decides from two reads whether a deploy would change anything (pure)."""
import json

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.deploy_plan import stack_differences
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import stack_description
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE


def live_stack(tags=None, termination_protection=False, parameters=None):
    stack = stack_description("UPDATE_COMPLETE", tags=tags, termination_protection=termination_protection)
    if parameters:
        stack["Parameters"] = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    return stack


class TestStackDifferences:
    def test_stack_differences_same_template_nothing_declared_empty(self):
        assert stack_differences(live_stack(), TEAM_TEMPLATE, TEAM_TEMPLATE) == []

    def test_stack_differences_stored_json_dict_equal_to_yaml_declaration_empty(self):
        """GetTemplate returns a dict for a JSON template; the YAML declaration with the same content matches."""
        stored = json.loads(json.dumps(parse_template(TEAM_TEMPLATE)))
        assert stack_differences(live_stack(), stored, TEAM_TEMPLATE) == []

    def test_stack_differences_formatting_only_change_empty(self):
        """Comments and quoting do not count: the parsed templates are compared."""
        reformatted = TEAM_TEMPLATE.replace("  # Sessions Table\n", "").replace("'AI Chef DynamoDB Tables Schema'",
                                                                                '"AI Chef DynamoDB Tables Schema"')
        assert reformatted != TEAM_TEMPLATE
        assert stack_differences(live_stack(), reformatted, TEAM_TEMPLATE) == []

    def test_stack_differences_scalar_type_change_reports_template(self):
        """'7' (a string) is not 7 (a number): the parsed values differ."""
        quoted = TEAM_TEMPLATE.replace("RetentionInDays: 7", "RetentionInDays: '7'")
        assert stack_differences(live_stack(), quoted, TEAM_TEMPLATE) == ["template"]

    def test_stack_differences_template_changed_reports_template(self):
        changed = TEAM_TEMPLATE.replace("RetentionInDays: 7", "RetentionInDays: 14")
        assert stack_differences(live_stack(), TEAM_TEMPLATE, changed) == ["template"]

    def test_stack_differences_stack_with_parameters_reports_parameters(self):
        assert stack_differences(live_stack(parameters={"Env": "prod"}), TEAM_TEMPLATE, TEAM_TEMPLATE) == ["parameters"]

    @pytest.mark.parametrize("declared, live, expected", [
        (None, {"Service": "other"}, []),
        ({"Service": "ai-chef"}, {"Service": "ai-chef"}, []),
        ({"Service": "ai-chef"}, {"Service": "other"}, ["tags"]),
        ({"Service": "ai-chef"}, {}, ["tags"]),
        ({"Version": 2}, {"Version": "2"}, []),
    ], ids=["not-declared", "equal", "value-differs", "missing-live", "non-string-value"])
    def test_stack_differences_tags_compared_only_when_declared(self, declared, live, expected):
        assert stack_differences(live_stack(tags=live), TEAM_TEMPLATE, TEAM_TEMPLATE, tags=declared) == expected

    @pytest.mark.parametrize("declared, live, expected", [
        (None, True, []),
        (True, True, []),
        (False, False, []),
        (True, False, ["termination_protection"]),
        (False, True, ["termination_protection"]),
    ], ids=["not-declared", "on-on", "off-off", "turn-on", "turn-off"])
    def test_stack_differences_termination_protection_compared_only_when_declared(self, declared, live, expected):
        stack = live_stack(termination_protection=live)
        assert stack_differences(stack, TEAM_TEMPLATE, TEAM_TEMPLATE, termination_protection=declared) == expected

    def test_stack_differences_everything_differs_in_fixed_order(self):
        stack = live_stack(tags={"a": "1"}, termination_protection=False, parameters={"P": "v"})
        changed = TEAM_TEMPLATE.replace("RetentionInDays: 7", "RetentionInDays: 1")
        assert stack_differences(stack, TEAM_TEMPLATE, changed, tags={"a": "2"}, termination_protection=True) == [
            "template", "parameters", "tags", "termination_protection"]
