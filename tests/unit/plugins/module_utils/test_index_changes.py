"""IndexPlan (index_changes.py): the deployed template (GetTemplate) against the declared one.

DynamoDB creates or deletes at most one GSI per table per update, refuses a GSI whose key schema or projection
changes under its name, and replaces a table whose key attribute's name or type changes. The templates here are
rendered with render_stack_template from the role's default declaration (roles/dynamodb_stack/defaults/main.yml),
changed the way a user changes dynamodb_stack_tables; the team's files/dynamodb-schema.yaml stands in for a stack
deployed from a template file.
"""
import collections
import copy
import json
import os

import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.index_changes import CREATE
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.index_changes import DELETE
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.index_changes import IndexPlan
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_stack_template
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SESSIONS, RESULTS = "AiChefSessionsTable", "AiChefResultsTable"
CONSENT_VARIABLE = "dynamodb_stack_allow_index_recreation"

# Three indexes a user adds to ai-chef-results in one declaration (issue 15's acceptance case): two new key
# attributes (userId S, createdAt N) and one on an attribute already defined (sessionId).
NEW_RESULTS_INDEXES = [
    dict(name="userId-index", hash_key=dict(name="userId", type="S"), projection="ALL"),
    dict(name="session-time-index", hash_key=dict(name="sessionId", type="S"),
         range_key=dict(name="createdAt", type="N"), projection="KEYS_ONLY"),
    dict(name="status-index", hash_key=dict(name="status", type="S"), projection="INCLUDE",
         non_key_attributes=["score", "title"]),
]


def role_defaults():
    with open(os.path.join(ROOT, "roles", "dynamodb_stack", "defaults", "main.yml")) as handle:
        return yaml.safe_load(handle)


DEFAULTS = role_defaults()


def default_tables():
    return copy.deepcopy(DEFAULTS["dynamodb_stack_tables"])


def render(tables):
    return render_stack_template(tables, dict(table_tags=DEFAULTS["dynamodb_stack_table_tags"],
                                              log_group_name=DEFAULTS["dynamodb_stack_log_group_name"],
                                              log_retention_days=DEFAULTS["dynamodb_stack_log_retention_days"]))


def table(tables, name):
    return [entry for entry in tables if entry["name"] == name][0]


def with_indexes(tables, name, add=(), remove=()):
    """tables with the table name's indexes remove dropped and add appended (a copy)."""
    tables = copy.deepcopy(tables)
    entry = table(tables, name)
    indexes = [index for index in entry.get("global_secondary_indexes", []) if index["name"] not in remove]
    entry["global_secondary_indexes"] = indexes + [copy.deepcopy(index) for index in add]
    if not entry["global_secondary_indexes"]:
        del entry["global_secondary_indexes"]
    return tables


def properties(template, logical_id):
    return template["Resources"][logical_id]["Properties"]


def index_names(template, logical_id):
    return [index["IndexName"] for index in properties(template, logical_id).get("GlobalSecondaryIndexes") or []]


def indexes_by_name(template, logical_id):
    return dict((index["IndexName"], index)
                for index in properties(template, logical_id).get("GlobalSecondaryIndexes") or [])


def key_attributes(table_properties):
    """The attribute names the table's and its indexes' key schemas use, in first-use order."""
    names = [element["AttributeName"] for element in table_properties["KeySchema"]]
    for section in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        for index in table_properties.get(section) or []:
            names += [element["AttributeName"] for element in index["KeySchema"]]
    return list(dict.fromkeys(names))


def assert_definitions_exact(template, logical_id):
    """AttributeDefinitions name each key attribute in use once: none missing, none extra (DynamoDB refuses
    both), each with the type the declaration gives it."""
    table_properties = properties(template, logical_id)
    defined = [item["AttributeName"] for item in table_properties["AttributeDefinitions"]]
    assert sorted(defined) == sorted(key_attributes(table_properties)), (logical_id, defined)
    assert len(defined) == len(set(defined)), defined


def index_changes_between(before, after, logical_id):
    """(dropped names, added names, redefined names) of a table's GSIs from one template to the next."""
    old, new = indexes_by_name(before, logical_id), indexes_by_name(after, logical_id)
    return (sorted(set(old) - set(new)), sorted(set(new) - set(old)),
            sorted(name for name in set(old) & set(new) if old[name] != new[name]))


def assert_replacement(plan, logical_id, name, old_key, new_key):
    """One replacement, of this table, saying the key it has and the key it would get (the wording around them
    is the code's to choose)."""
    assert [(found_id, found_name) for found_id, found_name, _why in plan.replacements] == [(logical_id, name)]
    assert plan.replacements[0][2].endswith("from %s to %s" % (old_key, new_key)), plan.replacements


def sequence(plan, deployed, declared):
    """What CloudFormation is asked to go through: the deployed template, each intermediate step, the declared."""
    return [deployed] + [plan.step_template(step) for step in range(1, plan.step_count)] + [declared]


def assert_one_index_operation_per_table_per_update(plan, deployed, declared, logical_ids):
    templates = sequence(plan, deployed, declared)
    for before, after in zip(templates, templates[1:]):
        for logical_id in logical_ids:
            dropped, added, redefined = index_changes_between(before, after, logical_id)
            assert redefined == [], (logical_id, redefined)
            assert len(dropped) + len(added) <= 1, (logical_id, dropped, added)


class TestThreeIndexesAddedToResults:
    @pytest.fixture
    def templates(self):
        deployed = render(default_tables())
        declared = render(with_indexes(default_tables(), "ai-chef-results", add=NEW_RESULTS_INDEXES))
        return deployed, declared

    def test_three_steps_one_index_each_in_declaration_order(self, templates):
        deployed, declared = templates
        plan = IndexPlan(deployed, declared)

        assert (plan.step_count, plan.needs_steps(), plan.refusals, plan.replacements) == (3, True, [], [])
        assert index_names(plan.step_template(1), RESULTS) == ["sessionId-index", "userId-index"]
        assert index_names(plan.step_template(2), RESULTS) == ["sessionId-index", "userId-index",
                                                               "session-time-index"]
        assert [plan.step_operations(step) for step in (1, 2, 3)] == [
            [("ai-chef-results", CREATE, "userId-index")],
            [("ai-chef-results", CREATE, "session-time-index")],
            [("ai-chef-results", CREATE, "status-index")]]
        assert plan.step_descriptions() == [
            "step 1/3: create index userId-index on ai-chef-results",
            "step 2/3: create index session-time-index on ai-chef-results",
            "step 3/3: create index status-index on ai-chef-results; and every other change of the declaration"]

    def test_each_intermediate_adds_exactly_one_index_as_declared(self, templates):
        deployed, declared = templates
        plan = IndexPlan(deployed, declared)
        declared_indexes = indexes_by_name(declared, RESULTS)

        templates_in_order = sequence(plan, deployed, declared)
        for before, after in zip(templates_in_order, templates_in_order[1:]):
            dropped, added, redefined = index_changes_between(before, after, RESULTS)
            assert (dropped, len(added), redefined) == ([], 1, [])
            assert indexes_by_name(after, RESULTS)[added[0]] == declared_indexes[added[0]]  # the declared index

    def test_intermediate_attribute_definitions_name_exactly_the_keys_in_use(self, templates):
        deployed, declared = templates
        plan = IndexPlan(deployed, declared)

        assert properties(plan.step_template(1), RESULTS)["AttributeDefinitions"] == [
            dict(AttributeName="resultId", AttributeType="S"), dict(AttributeName="sessionId", AttributeType="S"),
            dict(AttributeName="userId", AttributeType="S")]
        assert properties(plan.step_template(2), RESULTS)["AttributeDefinitions"] == [
            dict(AttributeName="resultId", AttributeType="S"), dict(AttributeName="sessionId", AttributeType="S"),
            dict(AttributeName="userId", AttributeType="S"), dict(AttributeName="createdAt", AttributeType="N")]
        for step in range(1, plan.step_count):
            assert_definitions_exact(plan.step_template(step), RESULTS)
        assert "status" not in json.dumps(properties(plan.step_template(2), RESULTS)["AttributeDefinitions"])

    def test_intermediate_is_the_deployed_template_but_for_the_indexes(self, templates):
        """Only the results table's GSIs and definitions move; every other resource and property stays deployed,
        and the deployed template itself is left as it was."""
        deployed, declared = templates
        deployed_before = copy.deepcopy(deployed)
        plan = IndexPlan(deployed, declared)

        for step in range(1, plan.step_count):
            intermediate = plan.step_template(step)
            assert set(intermediate) == set(deployed)
            assert dict((key, value) for key, value in intermediate["Resources"].items() if key != RESULTS) == \
                dict((key, value) for key, value in deployed["Resources"].items() if key != RESULTS)
            moved = set(key for key in set(properties(intermediate, RESULTS)) | set(properties(deployed, RESULTS))
                        if properties(intermediate, RESULTS).get(key) != properties(deployed, RESULTS).get(key))
            assert moved == {"GlobalSecondaryIndexes", "AttributeDefinitions"}
            json.dumps(intermediate)  # sent as JSON text
        assert deployed == deployed_before


def test_two_deletions_and_one_creation_delete_first():
    deployed = render(with_indexes(default_tables(), "ai-chef-results", add=NEW_RESULTS_INDEXES[:2]))
    declared = render(with_indexes(default_tables(), "ai-chef-results", add=NEW_RESULTS_INDEXES[1:],
                                   remove=["sessionId-index", "userId-index"]))
    plan = IndexPlan(deployed, declared)

    assert plan.step_count == 3
    assert [plan.step_operations(step) for step in (1, 2, 3)] == [
        [("ai-chef-results", DELETE, "sessionId-index")],
        [("ai-chef-results", DELETE, "userId-index")],
        [("ai-chef-results", CREATE, "status-index")]]
    assert index_names(plan.step_template(1), RESULTS) == ["userId-index", "session-time-index"]
    assert index_names(plan.step_template(2), RESULTS) == ["session-time-index"]
    # userId is no key any more once its index is gone: its definition goes with it
    assert properties(plan.step_template(2), RESULTS)["AttributeDefinitions"] == [
        dict(AttributeName="resultId", AttributeType="S"), dict(AttributeName="sessionId", AttributeType="S"),
        dict(AttributeName="createdAt", AttributeType="N")]
    for step in (1, 2):
        assert_definitions_exact(plan.step_template(step), RESULTS)
    assert_one_index_operation_per_table_per_update(plan, deployed, declared, [RESULTS])


def test_last_index_deleted_in_an_intermediate_step_leaves_no_empty_index_list():
    """DynamoDB refuses GlobalSecondaryIndexes: []: a table left without indexes has no such property."""
    deployed = render(with_indexes(default_tables(), "ai-chef-results", add=NEW_RESULTS_INDEXES[:1]))
    declared = render(with_indexes(default_tables(), "ai-chef-results", add=NEW_RESULTS_INDEXES[2:],
                                   remove=["sessionId-index", "userId-index"]))
    plan = IndexPlan(deployed, declared)

    assert plan.step_count == 3
    assert "GlobalSecondaryIndexes" not in properties(plan.step_template(2), RESULTS)
    assert properties(plan.step_template(2), RESULTS)["AttributeDefinitions"] == [
        dict(AttributeName="resultId", AttributeType="S")]


class TestTwoTables:
    SESSIONS_INDEXES = [dict(name="userId-index", hash_key=dict(name="userId", type="S")),
                        dict(name="startedAt-index", hash_key=dict(name="startedAt", type="N"))]

    @pytest.fixture
    def templates(self):
        deployed = render(default_tables())
        tables = with_indexes(default_tables(), "ai-chef-results", add=NEW_RESULTS_INDEXES)
        declared = render(with_indexes(tables, "ai-chef-sessions", add=self.SESSIONS_INDEXES))
        return deployed, declared

    def test_two_and_three_operations_take_three_steps(self, templates):
        plan = IndexPlan(*templates)

        assert plan.step_count == 3
        assert [table_change.logical_id for table_change in plan.tables] == [SESSIONS, RESULTS]

    def test_never_more_than_one_operation_per_table_per_step(self, templates):
        plan = IndexPlan(*templates)

        done = []
        for step in range(1, plan.step_count + 1):
            operations = plan.step_operations(step)
            assert max(collections.Counter(name for name, _operation, _index in operations).values()) == 1
            done += operations
        assert sorted(done) == sorted(
            [("ai-chef-sessions", CREATE, index["name"]) for index in self.SESSIONS_INDEXES] +
            [("ai-chef-results", CREATE, index["name"]) for index in NEW_RESULTS_INDEXES])
        assert_one_index_operation_per_table_per_update(plan, templates[0], templates[1], [SESSIONS, RESULTS])

    def test_the_final_step_is_the_declared_template(self, templates):
        """The last intermediate holds all but one index per table; the declared template adds the rest."""
        deployed, declared = templates
        plan = IndexPlan(deployed, declared)
        last = plan.step_template(plan.step_count - 1)

        assert index_names(last, SESSIONS) == ["userId-index"]
        assert index_names(last, RESULTS) == ["sessionId-index", "userId-index", "session-time-index"]
        assert index_changes_between(last, declared, SESSIONS) == ([], ["startedAt-index"], [])
        assert index_changes_between(last, declared, RESULTS) == ([], ["status-index"], [])
        assert sorted(plan.step_operations(plan.step_count)) == [
            ("ai-chef-results", CREATE, "status-index"), ("ai-chef-sessions", CREATE, "startedAt-index")]
        assert plan.step_descriptions()[-1].startswith("step 3/3: ")
        assert plan.step_descriptions()[-1].endswith("; and every other change of the declaration")
        # the sessions table is done in step 2 (its last index waits for the declared template)
        assert plan.step_operations(2) == [("ai-chef-results", CREATE, "session-time-index")]
        assert index_names(plan.step_template(2), SESSIONS) == index_names(plan.step_template(1), SESSIONS)
        for step in range(1, plan.step_count):
            for logical_id in (SESSIONS, RESULTS):
                assert_definitions_exact(plan.step_template(step), logical_id)


class TestTableReplacement:
    def test_hash_key_type_change_s_to_n_is_a_named_replacement(self):
        tables = default_tables()
        table(tables, "ai-chef-sessions")["hash_key"]["type"] = "N"
        plan = IndexPlan(render(default_tables()), render(tables))

        assert_replacement(plan, SESSIONS, "ai-chef-sessions", "sessionId (S)", "sessionId (N)")
        assert (plan.refusals, plan.step_count) == ([], 1)

    def test_hash_key_rename_is_a_replacement(self):
        tables = default_tables()
        table(tables, "ai-chef-results")["hash_key"] = dict(name="id", type="S")
        plan = IndexPlan(render(default_tables()), render(tables))

        assert_replacement(plan, RESULTS, "ai-chef-results", "resultId (S)", "id (S)")

    def test_range_key_added_is_a_replacement(self):
        tables = default_tables()
        table(tables, "ai-chef-sessions")["range_key"] = dict(name="createdAt", type="N")
        plan = IndexPlan(render(default_tables()), render(tables))

        assert_replacement(plan, SESSIONS, "ai-chef-sessions", "sessionId (S)", "sessionId (S) + createdAt (N)")

    def test_unchanged_declaration_plans_one_step_and_nothing_to_refuse(self):
        plan = IndexPlan(render(default_tables()), render(default_tables()))

        assert (plan.step_count, plan.needs_steps(), plan.refusals, plan.replacements) == (1, False, [], [])
        assert plan.step_operations(1) == []
        assert plan.step_descriptions() == ["step 1/1: no index change; and every other change of the declaration"]


class TestIndexRedefinition:
    def changed(self, **index_changes):
        tables = default_tables()
        table(tables, "ai-chef-results")["global_secondary_indexes"][0].update(index_changes)
        return render(default_tables()), render(tables)

    @pytest.mark.parametrize("index_changes, what", [
        (dict(hash_key=dict(name="userId", type="S")), "key schema"),
        (dict(hash_key=dict(name="sessionId", type="N")), "key schema"),
        (dict(range_key=dict(name="createdAt", type="N")), "key schema"),
        (dict(projection="KEYS_ONLY"), "projection"),
    ], ids=["hash-key-renamed", "hash-key-type", "range-key-added", "projection"])
    def test_redefined_index_refused_naming_index_and_consent(self, index_changes, what):
        plan = IndexPlan(*self.changed(**index_changes))

        assert len(plan.refusals) == 1
        refusal = plan.refusals[0]
        assert refusal.startswith("table ai-chef-results: the %s of global secondary index sessionId-index changes ("
                                  % what)
        assert "%s: [ai-chef-results:sessionId-index]" % CONSENT_VARIABLE in refusal
        assert "a new name" in refusal
        assert plan.replacements == []

    def test_key_change_refusal_says_from_what_to_what(self):
        plan = IndexPlan(*self.changed(hash_key=dict(name="userId", type="S")))
        assert "(key sessionId (S) -> userId (S))" in plan.refusals[0]

    def test_projection_change_refusal_says_from_what_to_what(self):
        plan = IndexPlan(*self.changed(projection="KEYS_ONLY"))
        assert "(projection ALL -> KEYS_ONLY)" in plan.refusals[0]

    def test_include_non_key_attributes_changed_refused(self):
        tables = default_tables()
        table(tables, "ai-chef-results")["global_secondary_indexes"][0].update(
            projection="INCLUDE", non_key_attributes=["score"])
        other = copy.deepcopy(tables)
        table(other, "ai-chef-results")["global_secondary_indexes"][0]["non_key_attributes"] = ["score", "title"]
        plan = IndexPlan(render(tables), render(other))

        assert len(plan.refusals) == 1 and "the projection of global secondary index sessionId-index" in \
            plan.refusals[0]

    def test_same_non_key_attributes_in_another_order_is_no_change(self):
        tables = default_tables()
        table(tables, "ai-chef-results")["global_secondary_indexes"][0].update(
            projection="INCLUDE", non_key_attributes=["score", "title"])
        other = copy.deepcopy(tables)
        table(other, "ai-chef-results")["global_secondary_indexes"][0]["non_key_attributes"] = ["title", "score"]
        plan = IndexPlan(render(tables), render(other))

        assert (plan.refusals, plan.step_count) == ([], 1)

    @pytest.mark.parametrize("consent", ["ai-chef-results:sessionId-index", "sessionId-index",
                                         "AiChefResultsTable:sessionId-index"],
                             ids=["table-index", "index", "logical-id-index"])
    def test_consented_key_change_deletes_then_creates_in_two_steps(self, consent):
        deployed, declared = self.changed(hash_key=dict(name="userId", type="S"))
        plan = IndexPlan(deployed, declared, [consent])

        assert (plan.refusals, plan.step_count) == ([], 2)
        assert plan.step_operations(1) == [("ai-chef-results", DELETE, "sessionId-index")]
        assert plan.step_operations(2) == [("ai-chef-results", CREATE, "sessionId-index")]
        intermediate = plan.step_template(1)
        assert "GlobalSecondaryIndexes" not in properties(intermediate, RESULTS)
        assert properties(intermediate, RESULTS)["AttributeDefinitions"] == [
            dict(AttributeName="resultId", AttributeType="S")]
        assert_one_index_operation_per_table_per_update(plan, deployed, declared, [RESULTS])

    def test_consented_projection_change_deletes_then_creates(self):
        plan = IndexPlan(*self.changed(projection="KEYS_ONLY"), allow_index_recreation=["sessionId-index"])

        assert (plan.refusals, plan.step_count) == ([], 2)
        assert plan.step_descriptions() == [
            "step 1/2: delete index sessionId-index on ai-chef-results",
            "step 2/2: create index sessionId-index on ai-chef-results; and every other change of the declaration"]

    @pytest.mark.parametrize("consent", ["ai-chef-sessions:sessionId-index", "AiChefSessionsTable:sessionId-index",
                                         "userId-index", "ai-chef-results"])
    def test_consent_for_another_index_or_table_still_refuses(self, consent):
        plan = IndexPlan(*self.changed(projection="KEYS_ONLY"), allow_index_recreation=[consent])
        assert len(plan.refusals) == 1


class TestTablesThatDoNotCount:
    def test_new_and_removed_tables_do_not_count(self):
        """A new table is created with all its indexes at once; a removed one goes with its indexes."""
        tables = [table(default_tables(), "ai-chef-results"), dict(
            name="ai-chef-feedback", hash_key=dict(name="feedbackId", type="S"),
            global_secondary_indexes=[dict(name="a-index", hash_key=dict(name="a", type="S")),
                                      dict(name="b-index", hash_key=dict(name="b", type="S")),
                                      dict(name="c-index", hash_key=dict(name="c", type="S"))])]
        plan = IndexPlan(render(default_tables()), render(tables))

        assert [table_change.logical_id for table_change in plan.tables] == [RESULTS]
        assert (plan.step_count, plan.refusals, plan.replacements) == (1, [], [])

    @pytest.mark.parametrize("where", ["deployed", "declared", "both"])
    def test_table_with_intrinsics_is_skipped(self, where):
        deployed = render(default_tables())
        declared = render(with_indexes(default_tables(), "ai-chef-results", add=NEW_RESULTS_INDEXES))
        for name, template in (("deployed", deployed), ("declared", declared)):
            if where in (name, "both"):
                properties(template, RESULTS)["TableName"] = {"Fn::Sub": "${AWS::StackName}-results"}
        plan = IndexPlan(deployed, declared)

        assert [table_change.logical_id for table_change in plan.tables] == [SESSIONS]  # the other table counts
        assert (plan.step_count, plan.refusals) == (1, [])

    def test_intrinsic_in_an_index_skips_the_table(self):
        deployed = render(default_tables())
        declared = render(with_indexes(default_tables(), "ai-chef-results", add=NEW_RESULTS_INDEXES))
        properties(declared, RESULTS)["GlobalSecondaryIndexes"][1]["IndexName"] = {"Fn::If": ["C", "x", "y"]}
        assert IndexPlan(deployed, declared).step_count == 1


class TestTeamTemplateDeployed:
    """A stack deployed from the team's template file, read back by GetTemplate, then the rendered declaration."""

    def test_default_declaration_over_team_template_changes_no_index(self):
        plan = IndexPlan(parse_template(TEAM_TEMPLATE), render(default_tables()))

        assert [table_change.logical_id for table_change in plan.tables] == [SESSIONS, RESULTS]
        assert (plan.step_count, plan.refusals, plan.replacements) == (1, [], [])

    def test_two_indexes_added_over_team_template_in_two_steps(self):
        deployed = parse_template(TEAM_TEMPLATE)
        declared = render(with_indexes(default_tables(), "ai-chef-results", add=NEW_RESULTS_INDEXES[:2]))
        plan = IndexPlan(deployed, declared)

        assert (plan.step_count, plan.refusals) == (2, [])
        intermediate = plan.step_template(1)
        assert index_names(intermediate, RESULTS) == ["sessionId-index", "userId-index"]
        assert_definitions_exact(intermediate, RESULTS)
        # the rest is the team's template as deployed: its alarm and its short-form intrinsics, as JSON text
        assert intermediate["Resources"]["SessionsTableErrorAlarm"] == deployed["Resources"]["SessionsTableErrorAlarm"]
        assert intermediate["Outputs"] == deployed["Outputs"]
        assert properties(intermediate, RESULTS)["Tags"] == properties(deployed, RESULTS)["Tags"]
        assert json.loads(json.dumps(intermediate)) == intermediate

    def test_team_template_key_type_change_is_a_replacement(self):
        tables = default_tables()
        table(tables, "ai-chef-results")["hash_key"]["type"] = "N"
        plan = IndexPlan(parse_template(TEAM_TEMPLATE), render(tables))
        assert_replacement(plan, RESULTS, "ai-chef-results", "resultId (S)", "resultId (N)")
