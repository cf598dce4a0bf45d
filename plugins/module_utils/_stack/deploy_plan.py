# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decide, without a change set, whether a deploy would change anything at all.

A settled stack whose stored template, tags and termination protection equal the declared ones gets nothing
from UpdateStack but "No updates are to be performed". Knowing that from two read calls (three with the stack
policy, which the recovery module compares itself) lets the role skip the deploy task entirely: the no-op re-run
is the most frequent run there is.
"""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template

CREATE = "create"
UPDATE = "update"
NOTHING = "none"


def stored_template(template_body):
    """GetTemplate's TemplateBody (str for YAML, dict for JSON) as a comparable dict."""
    if isinstance(template_body, dict):
        return template_body
    return parse_template(template_body)


def stack_differences(stack, deployed_template_body, desired_template_body, tags=None, termination_protection=None,
                      desired_template=None):
    """Names of what differs between the live stack and the declaration; empty when a deploy is a no-op.

    tags / termination_protection of None mean "not declared": they are then not compared. desired_template: the
    desired body already parsed, if the caller has it.
    """
    differences = []
    if desired_template is None:
        desired_template = parse_template(desired_template_body)
    if stored_template(deployed_template_body) != desired_template:
        differences.append("template")
    if stack.get("Parameters"):
        # The role passes no parameters; a stack that has some was deployed differently: let UpdateStack decide.
        differences.append("parameters")
    if tags is not None and boto3_tag_list_to_ansible_dict(stack.get("Tags") or []) != dict((str(key), str(value)) for key, value in tags.items()):
        differences.append("tags")
    if termination_protection is not None and bool(stack.get("EnableTerminationProtection")) != termination_protection:
        differences.append("termination_protection")
    return differences
