"""The dynamodb_schema_findings filter: the schema lint as errors/warnings lines for assert and debug tasks.

The lint's cases live in tests/unit/plugins/module_utils/test_schema_lint.py; here: the filter's result shape,
its name_prefix option, a few bad inputs end to end, and documentation that ansible-doc can render.
"""
import os
import subprocess
import sys

import botocore.client
import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.aichef.dynamodb.plugins.filter import dynamodb_schema_findings as plugin
from ansible_collections.aichef.dynamodb.plugins.filter.dynamodb_schema_findings import FilterModule
from ansible_collections.aichef.dynamodb.plugins.filter.dynamodb_schema_findings import dynamodb_schema_findings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import DEFAULT_NAME_PREFIX

COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))

TEAM_TABLES = [
    dict(name="ai-chef-sessions", hash_key=dict(name="sessionId", type="S"), ttl_attribute="TTL",
         point_in_time_recovery=True, tags=dict(Environment="production", Service="ai-chef")),
    dict(name="ai-chef-results", hash_key=dict(name="resultId", type="S"), point_in_time_recovery=True,
         global_secondary_indexes=[dict(name="sessionId-index", hash_key=dict(name="sessionId", type="S"),
                                        projection="ALL")],
         tags=dict(Environment="production", Service="ai-chef")),
]


@pytest.fixture(autouse=True)
def aws_calls(monkeypatch):
    """Any botocore API call during a test fails it: the filter runs before AWS."""
    calls = []

    def refuse(client, operation_name, api_params):
        calls.append(operation_name)
        raise AssertionError("dynamodb_schema_findings called AWS: %s" % operation_name)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    yield calls
    assert calls == []


def test_filter_module_exposes_dynamodb_schema_findings():
    assert FilterModule().filters() == {"dynamodb_schema_findings": dynamodb_schema_findings}


def test_dynamodb_schema_findings_team_tables_clean():
    assert dynamodb_schema_findings(TEAM_TABLES) == dict(errors=[], warnings=[], findings=[])


@pytest.mark.parametrize("tables, error_line", [
    pytest.param([dict(TEAM_TABLES[0], hash_key=dict(name="status"))],
                 'error ai-chef-sessions hash_key.name: Table ai-chef-sessions, hash_key.name: "status" is a DynamoDB '
                 "reserved word, so every expression would need an alias for it; rename it, e.g. sessionStatus.",
                 id="reserved-word"),
    pytest.param([dict(TEAM_TABLES[1], billing_mode="PROVISIONED", read_capacity=5, write_capacity=5)],
                 "error ai-chef-results global_secondary_indexes[0].read_capacity: Table ai-chef-results, "
                 "global_secondary_indexes[0].read_capacity: read_capacity is required because the table's "
                 "billing_mode is PROVISIONED; set it to a whole number of at least 1, or use PAY_PER_REQUEST.",
                 id="provisioned-gsi"),
    pytest.param([dict(TEAM_TABLES[0], ttl_atribute="expiresAt")],
                 'error ai-chef-sessions ttl_atribute: Table ai-chef-sessions, ttl_atribute: unknown key '
                 '"ttl_atribute"; did you mean "ttl_attribute"? Fix the spelling or remove the key.',
                 id="typo"),
    pytest.param(dict(TEAM_TABLES[0]),
                 "error * tables: The tables declaration must be a list with one mapping per table, got a mapping; "
                 "write it as a YAML list of tables (- name: ..., hash_key: ...).",
                 id="not-a-list"),
])
def test_dynamodb_schema_findings_bad_input_first_error_line(tables, error_line):
    result = dynamodb_schema_findings(tables)
    assert result["errors"][0] == error_line
    assert result["findings"][0]["severity"] == "error"


def test_dynamodb_schema_findings_splits_errors_and_warnings():
    tables = [dict(TEAM_TABLES[0], range_key=dict(name="created_at", type="N"), table_class="COLD"), TEAM_TABLES[1]]
    result = dynamodb_schema_findings(tables)
    assert [line.split(":", 1)[0] for line in result["errors"]] == ["error ai-chef-sessions table_class"]
    assert [line.split(":", 1)[0] for line in result["warnings"]] == ["warning ai-chef-sessions range_key.name"]
    assert [f["severity"] for f in result["findings"]] == ["error", "warning"]


def test_dynamodb_schema_findings_name_prefix_option():
    tables = [dict(name="shop-orders", hash_key=dict(name="data")), dict(name="orders", hash_key=dict(name="orderId"))]
    result = dynamodb_schema_findings(tables, name_prefix="shop-")
    assert [f["field"] for f in result["findings"]] == ["hash_key.name", "id"]
    assert result["errors"][0].endswith("rename it, e.g. orderData.")
    assert 'the derived id "OrdersTable" is also the derived id of tables[0] (shop-orders)' in result["errors"][1]
    assert dynamodb_schema_findings(tables)["findings"][0]["field"] == "hash_key.name"  # no id clash with ai-chef-


def test_dynamodb_schema_findings_name_prefix_not_string_raises():
    with pytest.raises(AnsibleFilterError, match="name_prefix must be a string"):
        dynamodb_schema_findings(TEAM_TABLES, name_prefix=["ai-chef-"])


class TestDocumentation:
    def test_documentation_describes_the_filter(self):
        doc = yaml.safe_load(plugin.DOCUMENTATION)
        assert doc["name"] == "dynamodb_schema_findings"
        assert str(doc["version_added"]) == "0.1.0"
        assert doc["positional"] == "_input"
        assert set(doc["options"]) == {"_input", "name_prefix"}
        assert doc["options"]["name_prefix"]["default"] == DEFAULT_NAME_PREFIX

    def test_return_documents_every_key(self):
        returned = yaml.safe_load(plugin.RETURN)["_value"]["contains"]
        assert set(returned) == set(dynamodb_schema_findings(TEAM_TABLES))

    def test_examples_are_yaml_tasks_with_names_and_fqcn(self):
        examples = yaml.safe_load(plugin.EXAMPLES)
        assert all(task.get("name") for task in examples)
        assert "aichef.dynamodb.dynamodb_schema_findings" in plugin.EXAMPLES

    def test_ansible_doc_renders_the_filter(self):
        ansible_doc = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
        collections = os.path.join(COLLECTION_ROOT, ".collections")
        if not os.path.exists(ansible_doc) or not os.path.isdir(collections):
            pytest.skip("ansible-doc or the .collections tree is not installed")
        result = subprocess.run(
            [ansible_doc, "-t", "filter", "--json", "aichef.dynamodb.dynamodb_schema_findings"],
            env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections), capture_output=True, text=True, timeout=60,
            check=False)
        assert result.returncode == 0, result.stderr
        assert "Missing documentation" not in result.stderr
        assert '"short_description": "Lint DynamoDB table declarations before anything reaches AWS"' in result.stdout
