"""The dynamodb_iam_policies filter: tables, template text or a template mapping in; policies out.

The policy rules themselves are tested in tests/unit/plugins/module_utils/test_iam_policies.py; here: the three
input forms agree, settings reach the names, ansible-core's tagged strings work, errors are filter errors, the
documentation matches the code, and playbooks/iam-policies.yml writes what the filter returns.
"""
import inspect
import json
import os
import subprocess
import sys

import botocore.client
import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.aichef.dynamodb.plugins.filter import dynamodb_iam_policies as plugin
from ansible_collections.aichef.dynamodb.plugins.filter.dynamodb_cfn_template import dynamodb_cfn_template
from ansible_collections.aichef.dynamodb.plugins.filter.dynamodb_iam_policies import FilterModule
from ansible_collections.aichef.dynamodb.plugins.filter.dynamodb_iam_policies import dynamodb_iam_policies

COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
TARGET = dict(stack_name="ai-chef-dynamodb", region="us-east-1", account_id="123456789012")

TEAM_TABLES = [
    dict(name="ai-chef-sessions", hash_key=dict(name="sessionId", type="S"), ttl_attribute="TTL"),
    dict(name="ai-chef-results", hash_key=dict(name="resultId", type="S"),
         global_secondary_indexes=[dict(name="sessionId-index", hash_key=dict(name="sessionId", type="S"))]),
]


class TaggedStr(str):
    """Stands for ansible-core 2.19's tagged str subclass (what templated variables are)."""


@pytest.fixture(autouse=True)
def aws_calls(monkeypatch):
    """Any botocore API call during a test fails it: the filter is pure."""
    calls = []

    def refuse(client, operation_name, api_params):
        calls.append(operation_name)
        raise AssertionError("dynamodb_iam_policies called AWS: %s" % operation_name)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    yield calls
    assert calls == []


def test_filter_module_exposes_dynamodb_iam_policies():
    assert FilterModule().filters() == {"dynamodb_iam_policies": dynamodb_iam_policies}


def test_dynamodb_iam_policies_tables_and_rendered_template_agree():
    """A list of tables gives the same policies as the template dynamodb_cfn_template renders from it."""
    from_tables = dynamodb_iam_policies(TEAM_TABLES, **TARGET)
    template_text = dynamodb_cfn_template(TEAM_TABLES)
    assert dynamodb_iam_policies(template_text, **TARGET) == from_tables
    assert dynamodb_iam_policies(yaml.safe_load(template_text), **TARGET) == from_tables
    assert set(from_tables) == {"deployer", "planner", "application", "stack_template", "resources", "scope"}


def test_dynamodb_iam_policies_settings_name_the_alarms_and_log_group():
    settings = dict(alarm_name_prefix="Shop-", log_group_name="/shop/tables", alarms=[dict(metric="SystemErrors",
                                                                                           threshold=0,
                                                                                           operations=["GetItem"])])
    resources = dynamodb_iam_policies(TEAM_TABLES, settings, **TARGET)["resources"]
    alarm = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
    assert resources["alarms"] == [alarm + "Shop-SessionsTable-SystemErrors-GetItem",
                                   alarm + "Shop-ResultsTable-SystemErrors-GetItem"]
    assert resources["log_groups"][0] == "arn:aws:logs:us-east-1:123456789012:log-group:/shop/tables"


def test_dynamodb_iam_policies_prefix_scope_uses_the_settings_prefixes():
    result = dynamodb_iam_policies(TEAM_TABLES, dict(name_prefix="ai-chef-", alarm_name_prefix="AI-Chef-DynamoDB-"),
                                   scope="prefix", **TARGET)
    assert result["scope"] == "prefix"
    assert result["resources"]["tables"] == ["arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-*"]


def test_dynamodb_iam_policies_tagged_strings_and_options():
    """ansible-core 2.19 passes str subclasses; options other than the target keep their meaning."""
    tables = json.loads(json.dumps(TEAM_TABLES))
    tables[0]["name"] = TaggedStr(tables[0]["name"])
    result = dynamodb_iam_policies(tables, {}, stack_name=TaggedStr("ai-chef-dynamodb"), region=TaggedStr("eu-west-1"),
                                   account_id=TaggedStr("123456789012"), called_via_cloudformation=False,
                                   roles=dict(deployer=[TaggedStr("github-deploy")]))
    assert result["resources"]["stack"] == "arn:aws:cloudformation:eu-west-1:123456789012:stack/ai-chef-dynamodb/*"
    assert "aws:CalledVia" not in json.dumps(result["deployer"])
    assert result["stack_template"]["Resources"]["DeployerPolicy"]["Properties"]["Roles"] == ["github-deploy"]
    # Exactly str, not the TaggedStr subclass: isinstance() would accept the tagged value this test rules out.
    assert type(result["resources"]["stack"]) is str  # pylint: disable=unidiomatic-typecheck


@pytest.mark.parametrize("source, options, message", [
    pytest.param(TEAM_TABLES, dict(TARGET, account_id="1234"), "not a 12-digit AWS account id", id="account"),
    pytest.param(TEAM_TABLES, dict(TARGET, account_id=None), "not a 12-digit AWS account id", id="no-account"),
    pytest.param(TEAM_TABLES, dict(TARGET, scope="wide"), "scope 'wide' is not one of", id="scope"),
    pytest.param("Resources: [", TARGET, "neither valid JSON nor valid YAML", id="bad-template-text"),
    pytest.param("Description: x", TARGET, "has no Resources section", id="no-resources"),
    pytest.param(42, TARGET, "the input must be the list of tables or a template, got int", id="int"),
    pytest.param([dict(hash_key=dict(name="id"))], TARGET, "missing 'name' in the tables or settings",
                 id="unlinted-table"),
])
def test_dynamodb_iam_policies_bad_input_raises_filter_error(source, options, message):
    with pytest.raises(AnsibleFilterError, match="^dynamodb_iam_policies: .*" + message.replace("(", r"\(")):
        dynamodb_iam_policies(source, **options)


class TestDocumentation:
    def test_documentation_options_match_the_signature(self):
        doc = yaml.safe_load(plugin.DOCUMENTATION)
        assert doc["name"] == "dynamodb_iam_policies"
        assert doc["positional"] == "_input, settings"
        parameters = list(inspect.signature(dynamodb_iam_policies).parameters)
        assert set(doc["options"]) == {"_input"} | set(parameters[1:])
        for name, parameter in inspect.signature(dynamodb_iam_policies).parameters.items():
            if name in doc["options"] and "default" in doc["options"][name]:
                assert doc["options"][name]["default"] in (parameter.default, {}), name

    def test_return_documents_every_key(self):
        returned = yaml.safe_load(plugin.RETURN)["_value"]["contains"]
        result = dynamodb_iam_policies(TEAM_TABLES, **TARGET)
        assert set(returned) == set(result)
        assert set(returned["resources"]["contains"]) == set(result["resources"])

    def test_examples_are_yaml_tasks_with_names_and_fqcn(self):
        examples = yaml.safe_load(plugin.EXAMPLES)
        assert all(task.get("name") for task in examples)
        assert "aichef.dynamodb.dynamodb_iam_policies" in plugin.EXAMPLES

    def test_ansible_doc_renders_the_filter(self):
        ansible_doc = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
        collections = os.path.join(COLLECTION_ROOT, ".collections")
        if not os.path.exists(ansible_doc) or not os.path.isdir(collections):
            pytest.skip("ansible-doc or the .collections tree is not installed")
        result = subprocess.run(
            [ansible_doc, "-t", "filter", "--json", "aichef.dynamodb.dynamodb_iam_policies"],
            env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections), capture_output=True, text=True, timeout=60,
            check=False)
        assert result.returncode == 0, result.stderr
        assert "Generate the least-privilege IAM policies of a DynamoDB stack from its tables" in result.stdout


def test_iam_policies_playbook_writes_what_the_filter_returns(tmp_path):
    """playbooks/iam-policies.yml on the local inventory: no AWS call (no deploy), files per host."""
    playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    collections = os.path.join(COLLECTION_ROOT, ".collections")
    if not os.path.exists(playbook) or not os.path.isdir(os.path.join(collections, "ansible_collections", "amazon")):
        pytest.skip("ansible-playbook or the .collections tree is not installed")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections,
               ANSIBLE_CONFIG=os.path.join(COLLECTION_ROOT, "ansible.cfg"),
               AICHEF_EMULATOR_PORT="1")  # nothing listens there: a stray AWS call would fail the run
    result = subprocess.run(
        [playbook, "-i", "inventories/local", "playbooks/iam-policies.yml",
         "-e", "dynamodb_stack_iam_policy_dir=%s" % tmp_path],
        cwd=COLLECTION_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    written = dict((path, json.loads((tmp_path / "localhost" / path).read_text()))
                   for path in ("deployer-policy.json", "planner-policy.json", "application-policy.json",
                                "iam-stack.json"))
    defaults = yaml.safe_load(open(os.path.join(COLLECTION_ROOT, "roles", "dynamodb_stack", "defaults", "main.yml")))
    expected = dynamodb_iam_policies(defaults["dynamodb_stack_tables"],
                                     dict(table_tags=defaults["dynamodb_stack_table_tags"]),
                                     stack_name="ai-chef-dynamodb", region="us-east-1", account_id="000000000000")
    assert written["deployer-policy.json"] == expected["deployer"]
    assert written["planner-policy.json"] == expected["planner"]
    assert written["application-policy.json"] == expected["application"]
    assert written["iam-stack.json"] == expected["stack_template"]


def test_iam_policies_playbook_refuses_a_missing_account_id(tmp_path):
    playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    collections = os.path.join(COLLECTION_ROOT, ".collections")
    if not os.path.exists(playbook) or not os.path.isdir(os.path.join(collections, "ansible_collections", "amazon")):
        pytest.skip("ansible-playbook or the .collections tree is not installed")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections,
               ANSIBLE_CONFIG=os.path.join(COLLECTION_ROOT, "ansible.cfg"))
    result = subprocess.run(
        [playbook, "-i", "inventories/staging", "playbooks/iam-policies.yml",
         "-e", "dynamodb_stack_iam_policy_dir=%s" % tmp_path],
        cwd=COLLECTION_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 2, result.stdout
    assert "dynamodb_stack_aws_account_id must be the 12-digit id" in result.stdout
    assert not list(tmp_path.iterdir())
