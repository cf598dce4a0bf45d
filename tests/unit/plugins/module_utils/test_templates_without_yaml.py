"""templates.py and render.py on a Python without PyYAML (a module delegated to another host): the import
sanity test imports them there, and a YAML template must fail with a message naming the missing library."""
import json

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._template import parse as templates
from ansible_collections.aichef.dynamodb.plugins.module_utils._template import render


@pytest.fixture
def without_yaml(monkeypatch):
    monkeypatch.setattr(templates, "yaml", None)
    monkeypatch.setattr(render, "yaml", None)
    monkeypatch.setattr(templates, "_PARSED", {})


def test_parse_template_yaml_without_pyyaml_names_the_missing_library(without_yaml):
    with pytest.raises(InputError) as raised:
        templates.parse_template("Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n")
    assert "PyYAML" in raised.value.message and "read a YAML template" in raised.value.message


def test_parse_template_json_without_pyyaml_parses(without_yaml):
    body = json.dumps(dict(Resources=dict(T=dict(Type="AWS::DynamoDB::Table"))))
    assert templates.parse_template(body)["Resources"]["T"]["Type"] == "AWS::DynamoDB::Table"


def test_parse_template_bad_json_without_pyyaml_is_an_input_error(without_yaml):
    with pytest.raises(InputError) as raised:
        templates.parse_template('{"Resources": ')
    assert "neither valid JSON nor valid YAML" in raised.value.message


def test_render_template_body_without_pyyaml_names_the_missing_library(without_yaml):
    with pytest.raises(ImportError, match="PyYAML"):
        render.render_template_body([dict(name="ai-chef-sessions", hash_key=dict(name="sessionId"))])
