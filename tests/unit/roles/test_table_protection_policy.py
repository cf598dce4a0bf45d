"""The role's stack policy (vars/main.yml) is the one the module tests use, and it protects exactly the tables."""
import os

import yaml

from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import TABLE_PROTECTION_POLICY

ROLE_VARS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "dynamodb_stack", "vars", "main.yml")


def role_vars():
    with open(ROLE_VARS) as handle:
        return yaml.safe_load(handle)


def test_role_policy_is_the_policy_the_module_tests_use():
    assert role_vars()["__dynamodb_stack_table_protection_policy"] == TABLE_PROTECTION_POLICY


def test_role_policy_denies_replace_and_delete_of_tables_only_and_allows_every_other_update():
    allow, deny = TABLE_PROTECTION_POLICY["Statement"]
    assert (allow["Effect"], allow["Action"], allow["Resource"]) == ("Allow", "Update:*", "*")
    assert (deny["Effect"], sorted(deny["Action"])) == ("Deny", ["Update:Delete", "Update:Replace"])
    assert deny["Condition"] == {"StringEquals": {"ResourceType": ["AWS::DynamoDB::Table"]}}


def test_role_update_policy_for_consented_replacements_allows_every_update():
    assert role_vars()["__dynamodb_stack_allow_every_update_policy"] == {"Statement": [
        {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}
