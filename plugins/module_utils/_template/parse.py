# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read a CloudFormation template (JSON or YAML with short-form tags) without calling AWS."""

import copy
import json

try:
    import yaml
except ImportError:  # ansible-core brings PyYAML to the controller; only a remote Python can lack it (see _parse)
    yaml = None

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE


# libyaml's loader parses a rendered template about ten times faster than the pure-Python one; the constructors
# (and the short-tag handling below) stay in Python either way.
_SafeLoader = getattr(yaml, "CSafeLoader", getattr(yaml, "SafeLoader", object))


class _CloudFormationLoader(_SafeLoader):
    """SafeLoader that turns CloudFormation short forms (!Ref x, !GetAtt a.b, !Sub ...) into their long forms."""


def _construct_intrinsic(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix in ("Ref", "Condition"):  # the two intrinsics without the "Fn::" prefix
        return {tag_suffix: value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::" + tag_suffix: value}


if yaml is not None:
    _CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)


_PARSED = {}  # body -> template: a module run parses the same body several times (validation, comparison)


def parse_template(body):
    """The template as a dict (a fresh copy per call: callers may change it); InputError naming the problem
    when it is not a usable template."""
    if not (isinstance(body, str) and body in _PARSED):
        _PARSED[body] = _parse(body)
    return copy.deepcopy(_PARSED[body])


def _parse(body):
    if not isinstance(body, str) or not body.strip():
        raise InputError(message="template_body is empty")
    if yaml is None and not body.lstrip().startswith("{"):
        raise InputError(message=missing_required_lib("PyYAML", reason="to read a YAML template"))
    try:
        if body.lstrip().startswith("{"):
            template = json.loads(body)
        else:
            template = yaml.load(body, Loader=_CloudFormationLoader)  # nosec B506 - a SafeLoader subclass
    except (ValueError, getattr(yaml, "YAMLError", ValueError)) as e:
        raise InputError(message="template_body is neither valid JSON nor valid YAML: %s" % " ".join(str(e).split()))
    if not isinstance(template, dict):
        raise InputError(message="template_body must be a mapping with a Resources section, got %s"
                                 % type(template).__name__)
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise InputError(message="template_body has no Resources section; CloudFormation needs at least one resource")
    return template


def declared_table_names(template):
    """Literal TableName values of the template's DynamoDB tables (names built with !Sub or !Ref are skipped:
    they are only known once CloudFormation resolves them)."""
    names = []
    for resource in template["Resources"].values():
        if not isinstance(resource, dict) or resource.get("Type") != DYNAMODB_TABLE:
            continue
        name = (resource.get("Properties") or {}).get("TableName")
        if isinstance(name, str):
            names.append(name)
    return names
