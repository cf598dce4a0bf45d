"""schema_lint.py: every bad table declaration is reported before AWS, naming the table and the field.

Each bad input starts from the team's two tables (the guide's ai-chef-sessions and ai-chef-results) and changes
one thing, and the test asserts the whole finding list, so a case also proves that nothing else is reported.
An autouse fixture makes any botocore API call fail the test: the lint must decide without AWS.
"""
import copy

import botocore.client
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.reserved_words import RESERVED_WORDS
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.reserved_words import RESERVED_WORD_COUNT
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.reserved_words import is_reserved_word
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import format_findings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import lint_tables

DROP = object()  # an override value that removes the key


def _with(base, overrides):
    entry = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is DROP:
            entry.pop(key, None)
        else:
            entry[key] = value
    return entry


def sessions(**overrides):
    """The guide's sessions table: hash sessionId (S), TTL on TTL, PITR on, the two tags."""
    return _with(dict(name="ai-chef-sessions", hash_key=dict(name="sessionId", type="S"), ttl_attribute="TTL",
                      point_in_time_recovery=True, tags=dict(Environment="production", Service="ai-chef")),
                 overrides)


def gsi(**overrides):
    """The guide's results GSI: sessionId-index on sessionId, projection ALL."""
    return _with(dict(name="sessionId-index", hash_key=dict(name="sessionId", type="S"), projection="ALL"), overrides)


def results(**overrides):
    """The guide's results table: hash resultId (S), the sessionId-index GSI, PITR on, the two tags."""
    return _with(dict(name="ai-chef-results", hash_key=dict(name="resultId", type="S"),
                      global_secondary_indexes=[gsi()], point_in_time_recovery=True,
                      tags=dict(Environment="production", Service="ai-chef")),
                 overrides)


def lsi(position=0, **overrides):
    return _with(dict(name="byCreatedAt-%d" % position, range_key=dict(name="createdAt%d" % position, type="N"),
                      projection="KEYS_ONLY"), overrides)


def team(**changes):
    """[sessions, results] with the given overrides applied to results."""
    return [sessions(), results(**changes)]


@pytest.fixture(autouse=True)
def aws_calls(monkeypatch):
    """Every botocore API call attempted during the test; any call fails it (the lint runs before AWS)."""
    calls = []

    def refuse(client, operation_name, api_params):
        calls.append(operation_name)
        raise AssertionError("schema lint called AWS: %s" % operation_name)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    yield calls
    assert calls == []


def E(table, field, *words):  # noqa: N802 - reads as a row of the case table
    return ("error", table, field, words)


def W(table, field, *words):  # noqa: N802
    return ("warning", table, field, words)


def assert_findings(findings, expected):
    assert [(f["severity"], f["table"], f["field"]) for f in findings] == [e[:3] for e in expected], findings
    for finding, (_severity, table, field, words) in zip(findings, expected):
        message = finding["message"]
        assert message.startswith("Table %s, %s: " % (table, field)) or table == "*", message
        for word in words:
            assert word in message, (word, message)


S, R = "ai-chef-sessions", "ai-chef-results"
G0 = "global_secondary_indexes[0]"

BAD_INPUTS = [
    # -- shape ---------------------------------------------------------------------------------------------------
    pytest.param({"name": S}, [E("*", "tables", "must be a list", "got a mapping")], id="tables-not-a-list"),
    pytest.param("ai-chef-sessions", [E("*", "tables", "must be a list", 'the string "ai-chef-sessions"')],
                 id="tables-a-string"),
    pytest.param([sessions(), "ai-chef-results"], [E("#1", "tables[1]", 'the string "ai-chef-results"',
                                                     "not a mapping")], id="entry-not-a-mapping"),
    # -- unknown keys (typos) ----------------------------------------------------------------------------------
    pytest.param([sessions(point_in_time_recovry=True)],
                 [E(S, "point_in_time_recovry", 'unknown key "point_in_time_recovry"',
                    'did you mean "point_in_time_recovery"')], id="unknown-table-key-typo"),
    pytest.param([sessions(owner="team-a")],
                 [E(S, "owner", 'unknown key "owner"', "allowed keys are name, id, hash_key")],
                 id="unknown-table-key-no-close-match"),
    pytest.param([sessions(hash_key=dict(name="sessionId", typ="S"))],
                 [E(S, "hash_key.typ", 'unknown key "typ"', 'did you mean "type"')], id="unknown-key-in-key"),
    pytest.param(team(global_secondary_indexes=[gsi(projections="ALL")]),
                 [E(R, G0 + ".projections", 'unknown key "projections"', 'did you mean "projection"')],
                 id="unknown-key-in-gsi"),
    pytest.param([sessions(range_key=dict(name="createdAt", type="N"),
                           local_secondary_indexes=[lsi(hash_key=dict(name="sessionId"))])],
                 [E(S, "local_secondary_indexes[0].hash_key", 'unknown key "hash_key"', "always uses the table's "
                                                                                        "hash key")],
                 id="lsi-with-own-hash-key"),
    pytest.param([sessions(resource_policy=dict(principals=["arn:aws:iam::123456789012:role/app"],
                                                actions=["dynamodb:GetItem"], action=["x"]))],
                 [E(S, "resource_policy.action", 'did you mean "actions"')], id="unknown-key-in-resource-policy"),
    # -- required fields and types -----------------------------------------------------------------------------
    pytest.param([sessions(name=DROP)], [E("#0", "name", "required table name is missing")], id="name-missing"),
    pytest.param([sessions(name=42)], [E("#0", "name", "must be a string", "the number 42")], id="name-not-string"),
    pytest.param([sessions(hash_key=DROP)], [E(S, "hash_key", "required hash_key is missing", "{name: sessionId")],
                 id="hash-key-missing"),
    pytest.param([sessions(hash_key="sessionId")],
                 [E(S, "hash_key", "must be a mapping", 'the string "sessionId"', "{name: sessionId, type: S}")],
                 id="hash-key-as-string"),
    pytest.param([sessions(hash_key=dict(type="S"))], [E(S, "hash_key.name", "attribute name is missing")],
                 id="key-name-missing"),
    pytest.param([sessions(range_key=dict(name="a" * 256))], [E(S, "range_key.name", "1-255 characters")],
                 id="key-name-too-long"),
    pytest.param([sessions(point_in_time_recovery="yes")],
                 [E(S, "point_in_time_recovery", "must be true or false", 'the string "yes"')], id="bool-as-string"),
    pytest.param([sessions(alarms=1)], [E(S, "alarms", "must be true or false", "the number 1")], id="bool-as-int"),
    pytest.param([sessions(ttl_attribute="")], [E(S, "ttl_attribute", "Number attribute", "expiresAt")],
                 id="ttl-attribute-empty"),
    # -- names and ids -----------------------------------------------------------------------------------------
    pytest.param([sessions(name="ab")], [E("ab", "name", '"ab"', "3-255 characters")], id="table-name-too-short"),
    pytest.param([sessions(name="ai-chef-" + "x" * 248)], [E("ai-chef-" + "x" * 248, "name", "3-255 characters")],
                 id="table-name-too-long"),
    pytest.param([sessions(name="ai chef sessions")], [E("ai chef sessions", "name", "letters, digits, underscore")],
                 id="table-name-bad-characters"),
    pytest.param([sessions(id="sessionsTable")], [E(S, "id", '"sessionsTable"', "PascalCase")], id="id-not-pascal"),
    pytest.param([sessions(id="Sessions-Table")], [E(S, "id", "not a valid CloudFormation logical id")],
                 id="id-with-hyphen"),
    pytest.param([sessions(id="S" * 201)], [E(S, "id", "at most 200 characters")], id="id-too-long"),
    pytest.param([sessions(name="ai-chef-1st-sessions")],
                 [E("ai-chef-1st-sessions", "id", 'derived from the name, "1stSessionsTable"', "set id explicitly")],
                 id="derived-id-invalid"),
    pytest.param([sessions(), sessions(id="OtherSessionsTable")],
                 [E(S, "name", "already declared by tables[0]")], id="duplicate-table-name"),
    pytest.param([sessions(), results(id="SessionsTable")],
                 [E(R, "id", 'given id "SessionsTable" is also the derived id of tables[0] (ai-chef-sessions)')],
                 id="duplicate-given-id"),
    pytest.param([sessions(), results(name="sessions")],
                 [E("sessions", "id", 'derived id "SessionsTable"', "tables[0] (ai-chef-sessions)",
                    "set a distinct id")], id="duplicate-derived-id"),
    pytest.param([sessions(), results(name="ai_chef.Sessions")],
                 [E("ai_chef.Sessions", "name", 'logical id "AiChefSessionsTable", like tables[0] (ai-chef-sessions)',
                    "rename one")], id="duplicate-logical-id-from-name"),
    pytest.param([sessions(), results(name="ai-chef-sessions-table")],
                 [E("ai-chef-sessions-table", "name", 'logical id "AiChefSessionsTable"'),
                  E("ai-chef-sessions-table", "id", 'derived id "SessionsTable" is also the derived id of tables[0]')],
                 id="table-suffix-collides-twice"),
    pytest.param([sessions(name="2024-sessions", id="Sessions2024Table")],
                 [E("2024-sessions", "name", '"2024SessionsTable", is not valid', "start the name with a letter")],
                 id="logical-id-starts-with-digit"),
    pytest.param([sessions(name="s" * 255, id="LongTable")],
                 [E("s" * 255, "name", "at most 255 characters", "shorten it")], id="logical-id-too-long"),
    pytest.param([sessions(id="Sessions"), results(id="SessionsArn")],
                 [E(R, "id", "would export ${AWS::StackName}-SessionsArn", "tables[0] (ai-chef-sessions)")],
                 id="export-name-collision"),
    pytest.param([sessions(id="Sessions", stream_view_type="KEYS_ONLY"), results(id="SessionsStreamArn")],
                 [E(R, "id", "${AWS::StackName}-SessionsStreamArn", "already exports")],
                 id="stream-export-name-collision"),
    pytest.param(team(global_secondary_indexes=[gsi(), gsi(hash_key=dict(name="userId"))]),
                 [E(R, "global_secondary_indexes[1].name", '"sessionId-index" is already used by ' + G0)],
                 id="duplicate-gsi-name"),
    pytest.param(team(range_key=dict(name="createdAt", type="N"),
                      local_secondary_indexes=[lsi(name="sessionId-index")]),
                 [E(R, "local_secondary_indexes[0].name", "already used by " + G0, "across global and local")],
                 id="gsi-and-lsi-share-a-name"),
    pytest.param(team(global_secondary_indexes=[gsi(name="ix")]),
                 [E(R, G0 + ".name", '"ix" is not a valid index name')], id="index-name-too-short"),
    # -- keys and attribute types ------------------------------------------------------------------------------
    pytest.param([sessions(hash_key=dict(name="sessionId", type="STRING"))],
                 [E(S, "hash_key.type", '"STRING" is not a DynamoDB key type', 'did you mean "S"')],
                 id="key-type-string-spelled-out"),
    pytest.param([sessions(hash_key=dict(name="sessionId", type="M"))],
                 [E(S, "hash_key.type", '"M" is not a DynamoDB key type', "S (string), N (number) or B (binary)")],
                 id="key-type-map"),
    pytest.param(team(range_key=dict(name="createdAt", type="N"),
                      global_secondary_indexes=[gsi(range_key=dict(name="createdAt", type="S"))]),
                 [E(R, G0 + ".range_key.type", '"createdAt" is declared as S here but as N in range_key',
                    "one AttributeDefinition per attribute")], id="attribute-two-types"),
    pytest.param(team(global_secondary_indexes=[gsi(hash_key=dict(name="resultId", type="N"))]),
                 [E(R, G0 + ".hash_key.type", "declared as N here but as S in hash_key")],
                 id="gsi-key-type-differs-from-table-key"),
    pytest.param([sessions(range_key=dict(name="sessionId"))],
                 [E(S, "range_key.name", '"sessionId" is the same attribute as the hash key')],
                 id="range-key-equals-hash-key"),
    # -- secondary index limits and shapes ---------------------------------------------------------------------
    pytest.param(team(global_secondary_indexes=[gsi(name="g%02d-index" % i, hash_key=dict(name="attr%d" % i))
                                                for i in range(21)]),
                 [E(R, "global_secondary_indexes", "21 indexes declared", "at most 20", "remove 1")],
                 id="too-many-gsis"),
    pytest.param(team(range_key=dict(name="createdAt", type="N"), local_secondary_indexes=[lsi(i) for i in range(6)]),
                 [E(R, "local_secondary_indexes", "6 indexes declared", "at most 5")], id="too-many-lsis"),
    pytest.param(team(local_secondary_indexes=[lsi()]),
                 [E(R, "local_secondary_indexes", "need the table to have a range_key")],
                 id="lsi-without-table-range-key"),
    pytest.param(team(range_key=dict(name="createdAt", type="N"), local_secondary_indexes=[lsi(range_key=DROP)]),
                 [E(R, "local_secondary_indexes[0].range_key", "required range_key is missing")],
                 id="lsi-without-range-key"),
    pytest.param(team(global_secondary_indexes=[gsi(hash_key=DROP)]),
                 [E(R, G0 + ".hash_key", "required hash_key is missing")], id="gsi-without-hash-key"),
    pytest.param(team(global_secondary_indexes=gsi()),
                 [E(R, "global_secondary_indexes", "must be a list of index mappings", "got a mapping")],
                 id="gsis-not-a-list"),
    pytest.param(team(global_secondary_indexes=["sessionId-index"]),
                 [E(R, G0, "each index must be a mapping")], id="gsi-not-a-mapping"),
    pytest.param(team(global_secondary_indexes=[gsi(projection="EVERYTHING")]),
                 [E(R, G0 + ".projection", '"EVERYTHING" is not a valid projection', "ALL, KEYS_ONLY, INCLUDE")],
                 id="projection-invalid"),
    pytest.param(team(global_secondary_indexes=[gsi(projection="INCLUDE")]),
                 [E(R, G0 + ".non_key_attributes", "projection INCLUDE needs non_key_attributes")],
                 id="include-without-attributes"),
    pytest.param(team(global_secondary_indexes=[gsi(projection="INCLUDE", non_key_attributes=[])]),
                 [E(R, G0 + ".non_key_attributes", "non-empty list")], id="include-with-empty-attributes"),
    pytest.param(team(global_secondary_indexes=[gsi(non_key_attributes=["createdAt"])]),
                 [E(R, G0 + ".non_key_attributes", "only allowed with projection INCLUDE", "projects ALL")],
                 id="attributes-without-include"),
    pytest.param(team(global_secondary_indexes=[gsi(projection="INCLUDE", non_key_attributes=["score", "score"])]),
                 [E(R, G0 + ".non_key_attributes[1]", '"score" is listed twice')], id="projected-attribute-twice"),
    pytest.param(team(global_secondary_indexes=[
        gsi(name="g%d-index" % g, hash_key=dict(name="key%d" % g), projection="INCLUDE",
            non_key_attributes=["attr%d" % a for a in range(g * 40, g * 40 + 40)]) for g in range(3)]),
        [E(R, "global_secondary_indexes[2].non_key_attributes", "120 non-key attributes", "at most 100")],
        id="too-many-projected-attributes"),
    # -- billing -----------------------------------------------------------------------------------------------
    pytest.param([sessions(billing_mode="ON_DEMAND")],
                 [E(S, "billing_mode", '"ON_DEMAND" is not a valid billing_mode', "PAY_PER_REQUEST, PROVISIONED")],
                 id="billing-mode-invalid"),
    pytest.param([sessions(billing_mode="PROVISIONED", read_capacity=5)],
                 [E(S, "write_capacity", "required because the table's billing_mode is PROVISIONED")],
                 id="provisioned-without-write-capacity"),
    pytest.param([sessions(billing_mode="PROVISIONED")],
                 [E(S, "read_capacity", "required"), E(S, "write_capacity", "required")],
                 id="provisioned-without-capacities"),
    pytest.param([sessions(read_capacity=5)],
                 [E(S, "read_capacity", "not allowed because the table's billing_mode is PAY_PER_REQUEST")],
                 id="on-demand-with-capacity"),
    pytest.param([sessions(billing_mode="PROVISIONED", read_capacity="5", write_capacity=0)],
                 [E(S, "read_capacity", "whole number of at least 1", 'the string "5"'),
                  E(S, "write_capacity", "whole number of at least 1", "the number 0")],
                 id="capacities-not-positive-integers"),
    pytest.param(team(global_secondary_indexes=[gsi(write_capacity=5)]),
                 [E(R, G0 + ".write_capacity", "not allowed", "PAY_PER_REQUEST")], id="on-demand-gsi-with-capacity"),
    pytest.param(team(billing_mode="PROVISIONED", read_capacity=5, write_capacity=5),
                 [E(R, G0 + ".read_capacity", "required because the table's billing_mode is PROVISIONED"),
                  E(R, G0 + ".write_capacity", "required")], id="provisioned-gsi-without-capacities"),
    # -- other enums -------------------------------------------------------------------------------------------
    pytest.param([sessions(table_class="INFREQUENT_ACCESS")],
                 [E(S, "table_class", '"INFREQUENT_ACCESS"', 'did you mean "STANDARD_INFREQUENT_ACCESS"')],
                 id="table-class-invalid"),
    pytest.param([sessions(stream_view_type="NEW_AND_OLD")],
                 [E(S, "stream_view_type", '"NEW_AND_OLD"', 'did you mean "NEW_AND_OLD_IMAGES"')],
                 id="stream-view-type-invalid"),
    pytest.param([sessions(stream_view_type=True)],
                 [E(S, "stream_view_type", "must be one of KEYS_ONLY", "the boolean true")], id="stream-as-boolean"),
    # -- TTL ---------------------------------------------------------------------------------------------------
    pytest.param([sessions(ttl_attribute="sessionId")],
                 [E(S, "ttl_attribute", 'TTL attribute "sessionId" is also a key (hash_key)', "expiresAt")],
                 id="ttl-is-table-hash-key"),
    pytest.param(team(ttl_attribute="sessionId"),
                 [E(R, "ttl_attribute", "also a key (%s.hash_key)" % G0)], id="ttl-is-gsi-key"),
    pytest.param([sessions(range_key=dict(name="TTL", type="N"))],
                 [E(S, "ttl_attribute", '"TTL" is also a key (range_key)'),
                  E(S, "range_key.name", '"TTL" is a DynamoDB reserved word', "sessionTtl")],
                 id="guide-ttl-name-as-key"),
    # -- reserved words (the guide's suggestion: the table's noun + the word) ----------------------------------
    pytest.param([sessions(range_key=dict(name="status"))],
                 [E(S, "range_key.name", '"status" is a DynamoDB reserved word', "rename it, e.g. sessionStatus")],
                 id="reserved-status"),
    pytest.param(team(global_secondary_indexes=[gsi(range_key=dict(name="timestamp", type="N"))]),
                 [E(R, G0 + ".range_key.name", '"timestamp" is a DynamoDB reserved word', "e.g. resultTimestamp")],
                 id="reserved-timestamp-in-gsi"),
    pytest.param([sessions(ttl_attribute="ttl")],
                 [E(S, "ttl_attribute", '"ttl" is a DynamoDB reserved word', "e.g. sessionTtl")],
                 id="reserved-lowercase-ttl"),
    pytest.param(team(global_secondary_indexes=[gsi(projection="INCLUDE", non_key_attributes=["score", "Data"])]),
                 [E(R, G0 + ".non_key_attributes[1]", '"Data" is a DynamoDB reserved word', "e.g. resultData")],
                 id="reserved-word-any-case"),
    pytest.param([sessions(name="ai-chef-user-profiles", hash_key=dict(name="name"))],
                 [E("ai-chef-user-profiles", "hash_key.name", '"name"', "e.g. userProfileName")],
                 id="reserved-name-in-multiword-table"),
    pytest.param([sessions(range_key=dict(name="session"))],
                 [E(S, "range_key.name", '"session" is a DynamoDB reserved word', "e.g. sessionId")],
                 id="reserved-word-equals-table-noun"),
    # -- tags --------------------------------------------------------------------------------------------------
    pytest.param([sessions(tags={"aws:owner": "me"})],
                 [E(S, "tags.aws:owner", 'starts with "aws:"', "reserves")], id="tag-key-aws-prefix"),
    pytest.param([sessions(tags={"k" * 129: "v"})], [E(S, "tags." + "k" * 129, "1-128 characters")],
                 id="tag-key-too-long"),
    pytest.param([sessions(tags={"Owner": "v" * 257})], [E(S, "tags.Owner", "257 characters", "at most 256")],
                 id="tag-value-too-long"),
    pytest.param([sessions(tags={"CostCenter": 1234})], [E(S, "tags.CostCenter", "must be strings", "quote")],
                 id="tag-value-not-string"),
    pytest.param([sessions(tags=["Environment=production"])], [E(S, "tags", "must be a mapping", "got a list")],
                 id="tags-not-a-mapping"),
    # -- resource policy ---------------------------------------------------------------------------------------
    pytest.param([sessions(resource_policy=["arn:aws:iam::123456789012:role/app"])],
                 [E(S, "resource_policy", "must be a mapping with principals and actions")],
                 id="resource-policy-not-a-mapping"),
    pytest.param([sessions(resource_policy=dict(principals=["arn:aws:iam::123456789012:role/lambda-execution-role"]))],
                 [E(S, "resource_policy.actions", "needs actions", "got nothing")], id="resource-policy-no-actions"),
    pytest.param([sessions(resource_policy=dict(principals=[], actions=["dynamodb:GetItem"]))],
                 [E(S, "resource_policy.principals", "needs principals", "non-empty list")],
                 id="resource-policy-empty-principals"),
    pytest.param([sessions(resource_policy=dict(principals=["arn:aws:iam::1234:role/app"],
                                                actions=["dynamodb:GetItem"]))],
                 [E(S, "resource_policy.principals[0]", '"arn:aws:iam::1234:role/app" is not valid', "IAM ARN")],
                 id="resource-policy-short-account-id"),
    pytest.param([sessions(resource_policy=dict(principals=["arn:aws:iam::123456789012:group/devs"],
                                                actions=["dynamodb:GetItem"]))],
                 [E(S, "resource_policy.principals[0]", "root, role or user")], id="resource-policy-group-principal"),
    pytest.param([sessions(resource_policy=dict(principals=["arn:aws:iam::123456789012:role/app"],
                                                actions=["dynamodb:GetItem", "s3:GetObject"]))],
                 [E(S, "resource_policy.actions[1]", '"s3:GetObject" is not valid', "dynamodb:GetItem")],
                 id="resource-policy-foreign-action"),
]


class TestLintTablesRejects:
    @pytest.mark.parametrize("tables, expected", BAD_INPUTS)
    def test_lint_tables_bad_input_reports_exact_finding(self, tables, expected):
        assert_findings(lint_tables(tables), expected)

    def test_bad_inputs_are_many_and_distinct(self):
        ids = [case.id for case in BAD_INPUTS]
        assert len(ids) == len(set(ids)) >= 25


WARNING_INPUTS = [
    pytest.param([sessions(range_key=dict(name="created_at", type="N"))],
                 [W(S, "range_key.name", '"created_at" is not camelCase', "e.g. createdAt")], id="snake-case"),
    pytest.param([sessions(hash_key=dict(name="SessionId"))],
                 [W(S, "hash_key.name", '"SessionId"', "e.g. sessionId")], id="pascal-case"),
    pytest.param(team(global_secondary_indexes=[gsi(projection="INCLUDE", non_key_attributes=["HTTPCode"])]),
                 [W(R, G0 + ".non_key_attributes[0]", '"HTTPCode"', "e.g. httpCode")], id="acronym-projected"),
    pytest.param([sessions(ttl_attribute="EXPIRES_AT")], [W(S, "ttl_attribute", "e.g. expiresAt")],
                 id="upper-snake-ttl"),
]


class TestLintTablesWarns:
    @pytest.mark.parametrize("tables, expected", WARNING_INPUTS)
    def test_lint_tables_non_camel_case_attribute_warns(self, tables, expected):
        assert_findings(lint_tables(tables), expected)

    def test_lint_tables_same_attribute_warned_once_per_table(self):
        findings = lint_tables(team(range_key=dict(name="created_at", type="N"),
                                    global_secondary_indexes=[gsi(range_key=dict(name="created_at", type="N"))]))
        assert [(f["severity"], f["field"]) for f in findings] == [("warning", "range_key.name")]


class TestLintTablesAccepts:
    def test_lint_tables_team_default_tables_no_findings(self):
        assert lint_tables([sessions(), results()]) == []

    def test_lint_tables_every_optional_field_valid_no_findings(self):
        table = dict(
            name="ai-chef-orders", id="OrdersTable", hash_key=dict(name="PK", type="S"),
            range_key=dict(name="SK", type="S"), billing_mode="PROVISIONED", read_capacity=5, write_capacity=5,
            ttl_attribute="expiresAt", point_in_time_recovery=False, table_class="STANDARD_INFREQUENT_ACCESS",
            stream_view_type="NEW_AND_OLD_IMAGES", deletion_protection=True, alarms=False,
            tags={"Environment": "production", "ai-chef:owner": "kitchen"},
            global_secondary_indexes=[dict(name="GSI1", hash_key=dict(name="customerId"), range_key=dict(name="SK"),
                                           projection="INCLUDE", non_key_attributes=["orderTotal", "itemCount"],
                                           read_capacity=1, write_capacity=1)],
            local_secondary_indexes=[dict(name="createdAt-index", range_key=dict(name="createdAt", type="N"),
                                          projection="KEYS_ONLY")],
            resource_policy=dict(principals=["arn:aws:iam::123456789012:role/lambda-execution-role",
                                             "arn:aws:iam::123456789012:root",
                                             "arn:aws-us-gov:iam::123456789012:user/ops"],
                                 actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]),
        )
        assert lint_tables([table, sessions(), results()]) == []

    def test_lint_tables_guide_conventions_accepted(self):
        """PK/SK composite keys, the TTL attribute named TTL, and a generic id hash key without range key."""
        tables = [sessions(hash_key=dict(name="PK"), range_key=dict(name="SK")),
                  results(hash_key=dict(name="id"), global_secondary_indexes=DROP),
                  dict(name="ai-chef-new-table", hash_key=dict(name="id"))]
        assert lint_tables(tables) == []

    def test_lint_tables_nulls_count_as_not_given(self):
        """YAML `stream_view_type:` with no value is null: the default applies, not an error."""
        assert lint_tables([sessions(stream_view_type=None, range_key=None, tags=None)]) == []

    def test_lint_tables_empty_list_is_an_error(self):
        """An empty declaration would deploy a stack of nothing but the log group: a variable that did not load."""
        findings = lint_tables([])
        assert [(f["severity"], f["table"], f["field"]) for f in findings] == [("error", "*", "tables")]
        assert "declare at least one table" in findings[0]["message"]

    def test_lint_tables_hundred_tables_two_gsis_each_clean(self):
        tables = [dict(name="ai-chef-table%03d" % i, hash_key=dict(name="tableKey%d" % i),
                       range_key=dict(name="createdAt", type="N"), ttl_attribute="expiresAt",
                       global_secondary_indexes=[
                           dict(name="ownerId-index", hash_key=dict(name="ownerId"),
                                range_key=dict(name="createdAt", type="N"), projection="INCLUDE",
                                non_key_attributes=["title", "summary"]),
                           dict(name="kindId-index", hash_key=dict(name="kindId"), projection="KEYS_ONLY")])
                  for i in range(100)]
        assert lint_tables(tables) == []


class TestLintTablesOrder:
    def test_lint_tables_errors_before_warnings(self):
        tables = [sessions(range_key=dict(name="created_at")), results(billing_mode="ON_DEMAND")]
        assert [(f["severity"], f["table"]) for f in lint_tables(tables)] == [("error", R), ("warning", S)]

    def test_lint_tables_unknown_keys_sorted_and_repeatable(self):
        tables = [sessions(zeta=1, alpha=2, Mid=3)]
        first = lint_tables(tables)
        assert [f["field"] for f in first] == ["Mid", "alpha", "zeta"]
        assert lint_tables(copy.deepcopy(tables)) == first

    def test_lint_tables_does_not_change_its_input(self):
        tables = team(range_key=dict(name="status"), billing_mode="PROVISIONED")
        before = copy.deepcopy(tables)
        lint_tables(tables)
        assert tables == before

    def test_lint_tables_name_prefix_shapes_ids_and_suggestions(self):
        tables = [dict(name="shop-orders", hash_key=dict(name="status")), dict(name="orders", hash_key=dict(name="id"))]
        findings = lint_tables(tables, name_prefix="shop-")
        assert [(f["table"], f["field"]) for f in findings] == [("shop-orders", "hash_key.name"), ("orders", "id")]
        assert "e.g. orderStatus" in findings[0]["message"]
        assert 'derived id "OrdersTable"' in findings[1]["message"]


def test_format_findings_one_line_per_finding():
    findings = lint_tables([sessions(billing_mode="ON_DEMAND", range_key=dict(name="created_at"))])
    lines = format_findings(findings)
    assert lines == ["%s %s %s: %s" % (f["severity"], f["table"], f["field"], f["message"]) for f in findings]
    assert lines[0].startswith('error ai-chef-sessions billing_mode: Table ai-chef-sessions, billing_mode: "ON_DEMAND"')
    assert lines[1].startswith("warning ai-chef-sessions range_key.name: ")


class TestReservedWords:
    def test_reserved_words_official_count(self):
        """573 words in the Developer Guide's list (docs.aws.amazon.com/.../ReservedWords.html)."""
        assert RESERVED_WORD_COUNT == 573
        assert len(RESERVED_WORDS) == RESERVED_WORD_COUNT

    def test_reserved_words_stored_upper_case(self):
        assert all(word == word.upper() and word.isalpha() for word in RESERVED_WORDS)

    @pytest.mark.parametrize("word", ["status", "name", "data", "timestamp", "ttl", "TTL", "Date", "USER", "value",
                                      "comment", "count", "type", "flattern", "innter", "loged"])
    def test_is_reserved_word_official_words_any_case(self, word):
        assert is_reserved_word(word)

    @pytest.mark.parametrize("word", ["sessionId", "resultId", "sessionStatus", "createdAt", "expiresAt", "PK", "SK",
                                      "id", "ttlAttribute", "", None, 3])
    def test_is_reserved_word_other_names_not_reserved(self, word):
        assert not is_reserved_word(word)

    def test_reserved_words_first_and_last_of_official_list(self):
        assert sorted(RESERVED_WORDS)[:3] == ["ABORT", "ABSOLUTE", "ACTION"]
        assert sorted(RESERVED_WORDS)[-3:] == ["WRITE", "YEAR", "ZONE"]
