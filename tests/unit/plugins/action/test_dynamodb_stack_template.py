"""The action dynamodb_stack_template's pure functions: the role's variables converted to the types of
roles/dynamodb_stack/meta/argument_specs.yml, checked against AWS's rules, and the template rendered or read,
without any AWS call (an autouse fixture fails the test on any botocore API call)."""
import os

import botocore.client
import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.action import dynamodb_stack_template as action
from ansible_collections.aichef.dynamodb.plugins.module_utils._template import aws_rules
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
ROLE = os.path.join(ROOT, "roles", "dynamodb_stack")
TEAM_TEMPLATE = os.path.join(ROOT, "files", "dynamodb-schema.yaml")


@pytest.fixture(autouse=True)
def no_aws(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an AWS API call was attempted: %r" % (args[1:2],))
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)


@pytest.fixture(scope="module")
def spec():
    return action.role_argument_spec(ROLE)


@pytest.fixture(scope="module")
def role_defaults():
    with open(os.path.join(ROLE, "defaults", "main.yml")) as handle:
        return yaml.safe_load(handle)


@pytest.fixture
def defaults(spec, role_defaults):
    """The role defaults converted as the action converts them, named without the prefix."""
    settings, errors = action.converted_settings(spec, dict(role_defaults))
    assert errors == []
    return settings


# --- converted_settings -----------------------------------------------------------------------------------------
def test_the_spec_declares_every_role_default(spec, role_defaults):
    assert set(role_defaults) <= set(spec)


def test_role_defaults_convert_to_themselves_without_the_prefix(defaults, role_defaults):
    assert defaults == dict((name[len(action.PREFIX):], value) for name, value in role_defaults.items())


def test_extra_vars_strings_are_converted_to_the_declared_types(spec):
    settings, errors = action.converted_settings(spec, dict(dynamodb_stack_alarm_period="60",
                                                            dynamodb_stack_protect_tables="false",
                                                            dynamodb_stack_log_retention_days="14",
                                                            dynamodb_stack_termination_protection="yes"))
    assert errors == []
    assert settings["alarm_period"] == 60 and type(settings["alarm_period"]) is int  # pylint: disable=unidiomatic-typecheck
    assert settings["protect_tables"] is False
    assert settings["log_retention_days"] == 14
    assert settings["termination_protection"] is True


def test_unset_variables_get_the_spec_defaults(spec):
    settings, errors = action.converted_settings(spec, {})
    assert errors == []
    assert (settings["alarm_period"], settings["log_retention_days"], settings["template_path"]) == (300, 7, "")
    assert settings["capabilities"] == ["CAPABILITY_IAM"]
    assert [table["name"] for table in settings["tables"]] == ["ai-chef-sessions", "ai-chef-results"]


def test_a_value_that_does_not_convert_is_one_line_naming_the_variable(spec):
    settings, errors = action.converted_settings(spec, dict(dynamodb_stack_alarm_period="abc"))
    assert len(errors) == 1, errors
    assert "dynamodb_stack_alarm_period" in errors[0] and "'abc'" in errors[0] and "int" in errors[0]
    assert "\n" not in errors[0]


def test_each_bad_value_is_its_own_line(spec):
    settings, errors = action.converted_settings(spec, dict(dynamodb_stack_alarm_period="abc",
                                                            dynamodb_stack_protect_tables="maybe",
                                                            dynamodb_stack_tags="not a mapping"))
    assert len(errors) == 3, errors
    for name in ("dynamodb_stack_alarm_period", "dynamodb_stack_protect_tables", "dynamodb_stack_tags"):
        assert len([line for line in errors if name in line]) == 1, (name, errors)


def test_plain_unwraps_subclasses_recursively():
    class Tagged(str):
        pass

    class TaggedInt(int):
        pass

    value = action.plain({Tagged("k"): [Tagged("v"), TaggedInt(3), True, None, 1.5]})
    assert value == {"k": ["v", 3, True, None, 1.5]}
    # exact types: the tagged subclasses are instances of str and int too
    assert [type(list(value)[0]), type(value["k"][0]), type(value["k"][1])] == [str, str, int]
    assert value["k"][2] is True


# --- prepare: rendering -----------------------------------------------------------------------------------------
def test_the_role_defaults_render_a_body_with_no_errors(defaults):
    body, errors, warnings = action.prepare(defaults)
    assert (errors, warnings) == ([], [])
    template = parse_template(body)
    assert {"AiChefSessionsTable", "AiChefResultsTable", "DynamoDBLogGroup"} <= set(template["Resources"])
    assert template["Resources"]["DynamoDBLogGroup"]["Properties"]["RetentionInDays"] == 7
    assert aws_rules.needs_template_url(body) is False


def test_an_extra_vars_alarm_period_string_renders_after_conversion(spec, role_defaults):
    """The issue's crash: -e dynamodb_stack_alarm_period=60 reached the renderer as a string."""
    settings, errors = action.converted_settings(spec, dict(role_defaults, dynamodb_stack_alarm_period="60"))
    assert errors == []
    body, errors, warnings = action.prepare(settings)
    assert errors == []
    periods = set(resource["Properties"]["Period"] for resource in parse_template(body)["Resources"].values()
                  if resource["Type"] == "AWS::CloudWatch::Alarm")
    assert periods == {60}


BAD_SETTINGS = dict(alarm_period=61, alarm_evaluation_periods=1, log_retention_days=8, alarm_topic_arn="not-an-arn",
                    log_group_name="my logs", tags={"aws:team": "x"}, capabilities=["CAPABILITY_X"],
                    table_tags={"Owner": "a;b"},
                    alarms=[dict(metric="ReadThrotleEvents", threshold=-5)])


def test_bad_settings_give_one_line_per_problem_naming_the_variable_and_no_body(defaults):
    body, errors, warnings = action.prepare(dict(defaults, **BAD_SETTINGS))
    assert body is None
    assert [line.split(":")[0] for line in errors] == [
        "dynamodb_stack_capabilities",
        "dynamodb_stack_tags.aws",
        "dynamodb_stack_alarms[0].metric",
        "dynamodb_stack_alarms[0].threshold",
        "dynamodb_stack_alarm_period",
        "dynamodb_stack_alarm_topic_arn",
        "dynamodb_stack_log_group_name",
        "dynamodb_stack_log_retention_days",
        "dynamodb_stack_table_tags.Owner",
    ]
    assert all("\n" not in line for line in errors)
    assert "did you mean ReadThrottleEvents?" in errors[2]
    assert "use 10, 20, 30 or a multiple of 60" in errors[4]
    assert "use one of 1, 3, 5, 7, 14" in errors[7]


@pytest.mark.parametrize("name, value, starts", [
    ("alarm_period", 61, "dynamodb_stack_alarm_period: 61 is not an alarm period"),
    ("log_retention_days", 8, "dynamodb_stack_log_retention_days: 8 is not a retention"),
    ("alarm_evaluation_periods", 289, "dynamodb_stack_alarm_evaluation_periods: 289 periods of 300 s"),
    ("capabilities", ["CAPABILITY_X"], "dynamodb_stack_capabilities: 'CAPABILITY_X' is not a CloudFormation"),
    ("tags", dict(("T%d" % n, "v") for n in range(51)), "dynamodb_stack_tags: 51 tags; AWS allows at most 50"),
])
def test_each_bad_setting_alone_is_refused_with_its_line(defaults, name, value, starts):
    body, errors, warnings = action.prepare(dict(defaults, **{name: value}))
    assert body is None
    assert len(errors) == 1 and errors[0].startswith(starts), errors


def test_a_table_lint_error_names_the_table_and_stops_the_rendering(defaults):
    tables = defaults["tables"] + [dict(name="ai-chef-bad", hash_key=dict(name="id", type="X"))]
    body, errors, warnings = action.prepare(dict(defaults, tables=tables))
    assert body is None
    assert len(errors) == 1 and errors[0].startswith("error ai-chef-bad hash_key"), errors


def test_two_tables_with_one_logical_id_are_refused_by_the_lint_naming_both(defaults):
    tables = [dict(name="ai-chef-a.b", hash_key=dict(name="id", type="S")),
              dict(name="ai-chef-a-b", hash_key=dict(name="id", type="S"))]
    body, errors, warnings = action.prepare(dict(defaults, tables=tables))
    assert body is None
    assert [line.split(":")[0] for line in errors] == ["error ai-chef-a-b name", "error ai-chef-a-b id"]
    assert '"AiChefABTable", like tables[0] (ai-chef-a.b)' in errors[0]


def twenty_tables():
    return [dict(name="ai-chef-table-%02d" % number, hash_key=dict(name="id", type="S"),
                 global_secondary_indexes=[dict(name="owner-index", hash_key=dict(name="ownerId", type="S"))])
            for number in range(20)]


def test_twenty_tables_render_over_51200_bytes_and_need_a_template_url(defaults):
    body, errors, warnings = action.prepare(dict(defaults, tables=twenty_tables()))
    assert errors == []
    assert aws_rules.body_size(body) > aws_rules.TEMPLATE_BODY_MAX_BYTES
    assert aws_rules.needs_template_url(body) is True
    tables = [resource for resource in parse_template(body)["Resources"].values()
              if resource["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == 20


# --- prepare: a template file -----------------------------------------------------------------------------------
def test_the_team_template_file_has_no_errors_and_the_warning_about_its_alarm(defaults):
    body, errors, warnings = action.prepare(dict(defaults, template_path=TEAM_TEMPLATE))
    with open(TEAM_TEMPLATE) as handle:
        assert body == handle.read()
    assert errors == []
    assert warnings == [
        "Resources.SessionsTableErrorAlarm: DynamoDB publishes ThrottledRequests per (TableName, Operation) only; "
        "this alarm has no Operation dimension and can never fire (%s)" % aws_rules.DOCS["dynamodb_metrics"]]


def test_a_template_file_ignores_the_render_settings_but_not_the_stack_settings(defaults):
    body, errors, warnings = action.prepare(dict(defaults, template_path=TEAM_TEMPLATE, alarm_period=61,
                                                 capabilities=["CAPABILITY_X"]))
    assert len(errors) == 1 and errors[0].startswith("dynamodb_stack_capabilities: 'CAPABILITY_X'"), errors


def test_a_relative_template_path_is_read_from_the_current_directory(defaults, tmp_path, monkeypatch):
    (tmp_path / "stacks").mkdir()
    with open(TEAM_TEMPLATE) as handle:
        (tmp_path / "stacks" / "mine.yaml").write_text(handle.read())
    monkeypatch.chdir(tmp_path)
    body, errors, warnings = action.prepare(dict(defaults, template_path="stacks/mine.yaml"))
    assert errors == [] and "AiChefSessionsTable" in body and len(warnings) == 1


def test_a_missing_template_file_names_the_variable_the_path_and_the_current_directory(defaults, tmp_path,
                                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    body, errors, warnings = action.prepare(dict(defaults, template_path="stacks/missing.yaml"))
    assert body is None and warnings == []
    assert errors == ["dynamodb_stack_template_path: cannot read stacks/missing.yaml (No such file or directory); give "
                      "a path from the current directory %s" % os.getcwd()]


def test_a_template_file_that_is_not_utf8_is_named(defaults, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"Description: caf\xe9\nResources: {}\n")
    body, errors, warnings = action.prepare(dict(defaults, template_path=str(path)))
    assert errors == ["dynamodb_stack_template_path: %s is not UTF-8 text" % path]


def test_read_template_file_reads_utf8(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes("Description: caf\u00e9\n".encode("utf-8"))
    assert action.read_template_file(str(path)) == ("Description: caf\u00e9\n", None)


def test_a_template_file_with_an_undefined_gsi_attribute_names_the_file_resource_and_attribute(defaults, tmp_path):
    with open(TEAM_TEMPLATE) as handle:
        text = handle.read()
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("            - AttributeName: sessionId\n              KeyType: HASH",
                                 "            - AttributeName: userId\n              KeyType: HASH"))
    body, errors, warnings = action.prepare(dict(defaults, template_path=str(path)))
    assert "userId" in path.read_text()
    assert errors == [
        "dynamodb_stack_template_path %s Resources.AiChefResultsTable.AttributeDefinitions: the key attribute 'userId' "
        "(of the table or an index) has no definition; add {AttributeName: userId, AttributeType: S|N|B}" % path,
        "dynamodb_stack_template_path %s Resources.AiChefResultsTable.AttributeDefinitions: 'sessionId' is defined "
        "but is no key of the table or an index, which DynamoDB refuses; remove it (only key attributes are declared)"
        % path,
    ]


def test_a_template_file_with_bad_log_retention_names_the_resource(defaults, tmp_path):
    with open(TEAM_TEMPLATE) as handle:
        text = handle.read()
    path = tmp_path / "retention.yaml"
    path.write_text(text.replace("RetentionInDays: 7", "RetentionInDays: '8'"))
    body, errors, warnings = action.prepare(dict(defaults, template_path=str(path)))
    assert len(errors) == 1 and errors[0].startswith(
        "Resources.DynamoDBLogGroup.RetentionInDays: 8 is not a retention CloudWatch Logs accepts"), errors


def test_a_template_file_over_1_mb_is_refused_without_being_parsed_or_echoed(defaults, tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("Description: x\n# " + "p" * (1024 * 1024) + "\nResources: {}\n")
    body, errors, warnings = action.prepare(dict(defaults, template_path=str(path)))
    assert len(errors) == 1, errors
    assert errors[0].startswith("dynamodb_stack_template_path %s: the template has %d bytes; CloudFormation reads at "
                                "most 1000000" % (path, path.stat().st_size))
    assert len(errors[0]) < 500


def test_a_template_file_that_is_no_template_is_one_line(defaults, tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    body, errors, warnings = action.prepare(dict(defaults, template_path=str(path)))
    assert errors == ["dynamodb_stack_template_path %s: template_body must be a mapping with a Resources section, got "
                      "list" % path]
