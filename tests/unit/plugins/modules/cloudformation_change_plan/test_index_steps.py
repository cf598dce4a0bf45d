"""plan_change() against the deployed template (GetTemplate): GSI changes split into steps, refusals decided before
any write (a key attribute's type change, a redefined GSI), an update that would revert what another operation just
changed, and a preview read from S3 (template_url).

The deployed and the declared templates are rendered from the role's default declaration
(roles/dynamodb_stack/defaults/main.yml), the declared one changed the way a user changes dynamodb_stack_tables.
"""
import copy
import json
import os

import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import preview
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_stack_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import property_detail
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import resource_change
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import ROOT
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_EXPORTS
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE

DESCRIBE, GET_TEMPLATE = "cloudformation:DescribeStacks", "cloudformation:GetTemplate"
CREATE = "cloudformation:CreateChangeSet"
PREVIEW_CALLS = [DESCRIBE, GET_TEMPLATE, CREATE, "cloudformation:DescribeChangeSet",
                 "cloudformation:DeleteChangeSet", "cloudformation:ListExports"]
EVENTS = "cloudformation:DescribeStackEvents"
RESULTS = "AiChefResultsTable"
TEMPLATE_URL = ("https://aichef-dynamodb-templates-123456789012-us-east-1.s3.us-east-1.amazonaws.com/"
                "ai-chef-dynamodb/0f3c2a.json")

NEW_RESULTS_INDEXES = [
    dict(name="userId-index", hash_key=dict(name="userId", type="S")),
    dict(name="session-time-index", hash_key=dict(name="sessionId", type="S"),
         range_key=dict(name="createdAt", type="N"), projection="KEYS_ONLY"),
    dict(name="status-index", hash_key=dict(name="status", type="S")),
]


with open(os.path.join(ROOT, "roles", "dynamodb_stack", "defaults", "main.yml")) as _handle:
    DEFAULTS = yaml.safe_load(_handle)
SETTINGS = dict(table_tags=DEFAULTS["dynamodb_stack_table_tags"],
                log_group_name=DEFAULTS["dynamodb_stack_log_group_name"],
                log_retention_days=DEFAULTS["dynamodb_stack_log_retention_days"])


def default_tables():
    return copy.deepcopy(DEFAULTS["dynamodb_stack_tables"])


def table(tables, name):
    return [entry for entry in tables if entry["name"] == name][0]


def yaml_body(tables):
    return render_template_body(tables, SETTINGS)


def json_body(tables):
    return json.dumps(render_stack_template(tables, SETTINGS))


def three_indexes_added():
    tables = default_tables()
    table(tables, "ai-chef-results")["global_secondary_indexes"] += copy.deepcopy(NEW_RESULTS_INDEXES)
    return tables


def results_gsi_change():
    return resource_change(RESULTS, "Modify", "False", physical_id="ai-chef-results",
                           details=[property_detail("AttributeDefinitions"), property_detail("GlobalSecondaryIndexes")])


def plan(cloudformation, clock, params):
    return preview.plan_change(cloudformation.wrapped(), params, sleep=clock.sleep, clock=clock)


def refuse(cloudformation, clock, params):
    with pytest.raises(preview.ChangeRefused) as e:
        plan(cloudformation, clock, params)
    return e.value


@pytest.fixture
def stub_deployed(cloudformation):
    """callable(deployed_body): DescribeStacks, then GetTemplate answering deployed_body (YAML text comes back as
    text; JSON text as the dict botocore decodes it into)."""
    def queue(deployed_body):
        cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
        cfn.stub_get_template(cloudformation.stubber, deployed_body)
    return queue


@pytest.fixture
def stub_change_set(cloudformation):
    """callable(declared_body, changes, template_url=None): the preview after GetTemplate, then ListExports (the
    team stack's four, all still declared)."""
    def queue(declared_body, changes, template_url=None):
        cfn.stub_create_change_set(cloudformation.stubber, declared_body, template_url=template_url)
        cfn.stub_describe_change_set(cloudformation.stubber, changes=changes)
        cfn.stub_delete_change_set(cloudformation.stubber)
        cfn.stub_list_exports(cloudformation.stubber, TEAM_EXPORTS)
    return queue


def results_indexes(template_body):
    template = json.loads(template_body)
    return [index["IndexName"] for index in template["Resources"][RESULTS]["Properties"]["GlobalSecondaryIndexes"]]


class TestIndexSteps:
    @pytest.mark.parametrize("deployed_body", [yaml_body, json_body], ids=["yaml", "json-dict"])
    def test_three_indexes_added_plan_three_steps(self, deployed_body, cloudformation, api_calls, clock, plan_params,
                                                  stub_deployed, stub_change_set, stub_last_event):
        declared = yaml_body(three_indexes_added())
        stub_deployed(deployed_body(default_tables()))
        stub_change_set(declared, [results_gsi_change()])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(template_body=declared))

        steps = result["steps"]
        assert [(step["number"], step["count"]) for step in steps] == [(1, 3), (2, 3), (3, 3)]
        assert results_indexes(steps[0]["template_body"]) == ["sessionId-index", "userId-index"]
        assert results_indexes(steps[1]["template_body"]) == ["sessionId-index", "userId-index", "session-time-index"]
        assert steps[2]["template_body"] == ""  # the last step deploys the declared template itself
        assert [step["description"] for step in steps] == [
            "step 1/3: create index userId-index on ai-chef-results",
            "step 2/3: create index session-time-index on ai-chef-results",
            "step 3/3: create index status-index on ai-chef-results; and every other change of the declaration"]
        assert result["operation"] == "update"
        assert api_calls == PREVIEW_CALLS + [EVENTS]

    def test_intermediate_steps_are_the_deployed_template_with_one_index_more(self, cloudformation, clock,
                                                                              plan_params, stub_deployed,
                                                                              stub_change_set, stub_last_event):
        deployed = render_stack_template(default_tables(), SETTINGS)
        declared = yaml_body(three_indexes_added())
        stub_deployed(json.dumps(deployed))
        stub_change_set(declared, [results_gsi_change()])
        stub_last_event()

        steps = plan(cloudformation, clock, plan_params(template_body=declared))["steps"]

        first = json.loads(steps[0]["template_body"])
        assert dict((key, value) for key, value in first["Resources"].items() if key != RESULTS) == \
            dict((key, value) for key, value in deployed["Resources"].items() if key != RESULTS)
        assert [item["AttributeName"] for item in first["Resources"][RESULTS]["Properties"]["AttributeDefinitions"]] \
            == ["resultId", "sessionId", "userId"]
        second = json.loads(steps[1]["template_body"])
        assert [item["AttributeName"] for item in second["Resources"][RESULTS]["Properties"]["AttributeDefinitions"]] \
            == ["resultId", "sessionId", "userId", "createdAt"]

    def test_summary_and_diff_list_the_steps(self, cloudformation, clock, plan_params, stub_deployed, stub_change_set,
                                             stub_last_event):
        declared = yaml_body(three_indexes_added())
        stub_deployed(yaml_body(default_tables()))
        stub_change_set(declared, [results_gsi_change()])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(template_body=declared))

        assert result["summary"] == (
            "Stack %s: update with 1 change (1 modify); in 3 updates (one index per table per update): "
            "step 1/3: create index userId-index on ai-chef-results; "
            "step 2/3: create index session-time-index on ai-chef-results; "
            "step 3/3: create index status-index on ai-chef-results; and every other change of the declaration"
            % STACK_NAME)
        diff = result["diff"]["prepared"]
        assert diff.startswith(result["summary"] + "\n~ Modify  AiChefResultsTable (AWS::DynamoDB::Table)")
        assert diff.endswith(
            "  step 1/3: create index userId-index on ai-chef-results\n"
            "  step 2/3: create index session-time-index on ai-chef-results\n"
            "  step 3/3: create index status-index on ai-chef-results; and every other change of the declaration\n")

    def test_one_index_added_is_one_step_without_a_step_list(self, cloudformation, clock, plan_params, stub_deployed,
                                                             stub_change_set, stub_last_event):
        tables = default_tables()
        table(tables, "ai-chef-results")["global_secondary_indexes"].append(copy.deepcopy(NEW_RESULTS_INDEXES[0]))
        declared = yaml_body(tables)
        stub_deployed(yaml_body(default_tables()))
        stub_change_set(declared, [results_gsi_change()])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(template_body=declared))

        assert result["steps"] == [dict(number=1, count=1, template_body="", creates=["ai-chef-results:userId-index"],
                                        description=("step 1/1: create index userId-index on ai-chef-results; and "
                                                     "every other change of the declaration"))]
        assert result["summary"] == "Stack %s: update with 1 change (1 modify)" % STACK_NAME
        assert "step" not in result["diff"]["prepared"]

    def test_deployed_team_file_with_unquoted_format_version_steps_as_json(self, cloudformation, clock,
                                                                           plan_params, stub_deployed,
                                                                           stub_change_set, stub_last_event):
        """A user's template file as AWS's examples write it (AWSTemplateFormatVersion: 2010-09-09, unquoted:
        YAML reads a date) and deployed as such: the intermediate template is still JSON, with the version text."""
        deployed = TEAM_TEMPLATE.replace("AWSTemplateFormatVersion: '2010-09-09'",
                                         "AWSTemplateFormatVersion: 2010-09-09")
        assert deployed != TEAM_TEMPLATE
        tables = default_tables()
        table(tables, "ai-chef-results")["global_secondary_indexes"] += copy.deepcopy(NEW_RESULTS_INDEXES[:2])
        declared = yaml_body(tables)
        stub_deployed(deployed)
        stub_change_set(declared, [results_gsi_change()])
        stub_last_event()

        steps = plan(cloudformation, clock, plan_params(template_body=declared))["steps"]

        first = json.loads(steps[0]["template_body"])
        assert first["AWSTemplateFormatVersion"] == "2010-09-09"
        assert results_indexes(steps[0]["template_body"]) == ["sessionId-index", "userId-index"]
        assert first["Resources"]["SessionsTableErrorAlarm"]["Properties"]["Dimensions"] == [
            {"Name": "TableName", "Value": {"Ref": "AiChefSessionsTable"}}]  # the team file's !Ref, long form


class TestRefusedBeforeAnyWrite:
    @pytest.mark.parametrize("deployed_body", [yaml_body, json_body], ids=["yaml", "json-dict"])
    def test_key_type_change_refused_without_change_set(self, deployed_body, cloudformation, api_calls, clock,
                                                        plan_params, stub_deployed):
        """AWS's change set says Replacement False for a key type change, and the update then fails: refused from
        the templates alone."""
        tables = default_tables()
        table(tables, "ai-chef-sessions")["hash_key"]["type"] = "N"
        stub_deployed(deployed_body(default_tables()))

        refusal = refuse(cloudformation, clock, plan_params(template_body=yaml_body(tables)))

        assert refusal.message.startswith(
            "Refusing to update stack %s: table ai-chef-sessions (AiChefSessionsTable) would be REPLACED in stack %s "
            "because " % (STACK_NAME, STACK_NAME))
        assert "from sessionId (S) to sessionId (N), and its items would be lost" in refusal.message
        assert "dynamodb_stack_allow_table_replacement: [ai-chef-sessions]" in refusal.message
        assert refusal.message.endswith(". Nothing was sent to CloudFormation.")
        assert refusal.kwargs["changes"] == []
        assert api_calls == [DESCRIBE, GET_TEMPLATE]

    @pytest.mark.parametrize("allowed", ["ai-chef-sessions", "AiChefSessionsTable"])
    def test_key_type_change_allowed_goes_on_to_the_change_set(self, allowed, cloudformation, api_calls, clock,
                                                               plan_params, stub_deployed, stub_change_set,
                                                               stub_last_event):
        tables = default_tables()
        table(tables, "ai-chef-sessions")["hash_key"]["type"] = "N"
        declared = yaml_body(tables)
        stub_deployed(yaml_body(default_tables()))
        stub_change_set(declared, [resource_change("AiChefSessionsTable", "Modify", "False",
                                                   physical_id="ai-chef-sessions",
                                                   details=[property_detail("AttributeDefinitions")])])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(template_body=declared, allow_table_replacement=[allowed]))

        assert result["operation"] == "update"
        assert api_calls == PREVIEW_CALLS + [EVENTS]

    def test_projection_change_refused_naming_index_without_change_set(self, cloudformation, api_calls, clock,
                                                                       plan_params, stub_deployed):
        tables = default_tables()
        table(tables, "ai-chef-results")["global_secondary_indexes"][0]["projection"] = "KEYS_ONLY"
        stub_deployed(yaml_body(default_tables()))

        refusal = refuse(cloudformation, clock, plan_params(template_body=yaml_body(tables)))

        assert refusal.message.startswith(
            "Refusing to update stack %s: table ai-chef-results: the projection of global secondary index "
            "sessionId-index changes (projection ALL -> KEYS_ONLY)" % STACK_NAME)
        assert "dynamodb_stack_allow_index_recreation: [ai-chef-results:sessionId-index]" in refusal.message
        assert refusal.message.endswith(". Nothing was sent to CloudFormation.")
        assert CREATE not in api_calls and api_calls == [DESCRIBE, GET_TEMPLATE]

    def test_index_key_change_refused_with_the_key_type_change_in_one_message(self, cloudformation, api_calls,
                                                                              clock, plan_params, stub_deployed):
        tables = default_tables()
        table(tables, "ai-chef-results")["global_secondary_indexes"][0]["hash_key"] = dict(name="userId", type="S")
        table(tables, "ai-chef-sessions")["hash_key"]["type"] = "N"
        stub_deployed(yaml_body(default_tables()))

        refusal = refuse(cloudformation, clock, plan_params(template_body=yaml_body(tables)))

        assert "the key schema of global secondary index sessionId-index changes (key sessionId (S) -> userId (S))" \
            in refusal.message
        assert "table ai-chef-sessions (AiChefSessionsTable) would be REPLACED" in refusal.message
        assert api_calls == [DESCRIBE, GET_TEMPLATE]

    def test_consented_projection_change_plans_delete_then_create(self, cloudformation, clock, plan_params,
                                                                  stub_deployed, stub_change_set, stub_last_event):
        tables = default_tables()
        table(tables, "ai-chef-results")["global_secondary_indexes"][0]["projection"] = "KEYS_ONLY"
        declared = yaml_body(tables)
        stub_deployed(yaml_body(default_tables()))
        stub_change_set(declared, [results_gsi_change()])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(template_body=declared,
                                                         allow_index_recreation=["ai-chef-results:sessionId-index"]))

        assert [step["description"] for step in result["steps"]] == [
            "step 1/2: delete index sessionId-index on ai-chef-results",
            "step 2/2: create index sessionId-index on ai-chef-results; and every other change of the declaration"]
        first = json.loads(result["steps"][0]["template_body"])
        assert "GlobalSecondaryIndexes" not in first["Resources"][RESULTS]["Properties"]


class TestConcurrentChanges:
    def test_change_to_what_another_operation_changed_refused_naming_it(self, cloudformation, api_calls, clock,
                                                                        plan_params, stub_deployed, stub_change_set):
        declared = yaml_body(default_tables())
        stub_deployed(yaml_body(default_tables()))
        stub_change_set(declared, [results_gsi_change()])

        refusal = refuse(cloudformation, clock, plan_params(template_body=declared,
                                                            concurrent_changes=[RESULTS, "DynamoDBLogGroup"]))

        assert refusal.message.startswith("Refusing to update stack %s: another operation changed" % STACK_NAME)
        assert "another operation changed AiChefResultsTable, DynamoDBLogGroup while this deploy waited for it, and " \
               "this deploy would change AiChefResultsTable again" in refusal.message
        assert "dynamodb_stack_allow_concurrent_overwrite: true" in refusal.message
        assert refusal.message.endswith(". Nothing was executed.")
        assert [change["logical_resource_id"] for change in refusal.kwargs["changes"]] == [RESULTS]
        assert api_calls == PREVIEW_CALLS  # the preview change set was deleted; no deploy follows

    def test_allow_concurrent_overwrite_passes(self, cloudformation, clock, plan_params, stub_deployed,
                                               stub_change_set, stub_last_event):
        declared = yaml_body(default_tables())
        stub_deployed(yaml_body(default_tables()))
        stub_change_set(declared, [results_gsi_change()])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(template_body=declared, concurrent_changes=[RESULTS],
                                                         allow_concurrent_overwrite=True))

        assert result["operation"] == "update"
        assert [change["logical_resource_id"] for change in result["changes"]] == [RESULTS]

    def test_concurrent_change_the_update_leaves_alone_passes(self, cloudformation, clock, plan_params, stub_deployed,
                                                              stub_change_set, stub_last_event):
        declared = yaml_body(default_tables())
        stub_deployed(yaml_body(default_tables()))
        stub_change_set(declared, [results_gsi_change()])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(template_body=declared,
                                                         concurrent_changes=["AiChefSessionsTable"]))

        assert result["operation"] == "update"

    def test_resource_removed_again_refused(self, cloudformation, clock, plan_params, stub_deployed,
                                            stub_change_set):
        """The other operation added an alarm that this older declaration does not have: the update would remove it."""
        alarm = "AiChefSessionsTableConsumedReadCapacityUnitsAlarm"
        declared = yaml_body(default_tables())
        stub_deployed(yaml_body(default_tables()))
        stub_change_set(declared, [resource_change(alarm, "Remove", resource_type=cfn.CLOUDWATCH_ALARM,
                                                   physical_id="AI-Chef-DynamoDB-Sessions-Read")])

        refusal = refuse(cloudformation, clock, plan_params(template_body=declared, concurrent_changes=[alarm]))

        assert "would change %s again" % alarm in refusal.message


class TestTemplateUrl:
    def test_template_url_previews_from_s3_without_template_body(self, cloudformation, api_calls, clock, plan_params,
                                                                 stub_deployed, stub_change_set, stub_last_event):
        declared = yaml_body(three_indexes_added())
        stub_deployed(yaml_body(default_tables()))
        stub_change_set(None, [results_gsi_change()], template_url=TEMPLATE_URL)  # the Stubber checks every key
        stub_last_event(StackHistory().successful_create())

        result = plan(cloudformation, clock, plan_params(template_body=declared, template_url=TEMPLATE_URL))

        assert result["operation"] == "update"
        assert len(result["steps"]) == 3  # the steps come from the templates, not from the change set
        assert api_calls == PREVIEW_CALLS + [EVENTS]

    def test_empty_template_url_previews_with_template_body(self, cloudformation, clock, plan_params, stub_deployed,
                                                            stub_change_set, stub_last_event):
        declared = yaml_body(default_tables())
        stub_deployed(yaml_body(default_tables()))
        stub_change_set(declared, [results_gsi_change()])
        stub_last_event()

        assert plan(cloudformation, clock, plan_params(template_body=declared, template_url=""))["operation"] == \
            "update"
