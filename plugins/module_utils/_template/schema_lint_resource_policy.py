# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint's check of a table's resource policy: the principals and the DynamoDB actions it grants, each
of the form the renderer can put into the table's ResourcePolicy statement.

Checked before AWS because CloudFormation would reject a malformed principal or action only once it creates or
updates the table, one rollback per mistake; here every bad item is named at once.
"""

import re
from collections.abc import Mapping

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import describe
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import quote
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_table import check_unknown_keys

# The allowed keys of resource_policy, in the order "did you mean" and "allowed keys" name them in.
RESOURCE_POLICY_FIELDS = ("principals", "actions")
PRINCIPAL_PATTERN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:(root|role/\S+|user/\S+)")
ACTION_PATTERN = re.compile(r"dynamodb:[A-Za-z*]+")


def check_resource_policy(table):
    policy = table.entry.get("resource_policy")
    if policy is None:
        return
    if not isinstance(policy, Mapping):
        table.error("resource_policy", "resource_policy must be a mapping with principals and actions, got %s."
                    % describe(policy))
        return
    check_unknown_keys(table, policy, "resource_policy.", RESOURCE_POLICY_FIELDS)
    _check_policy_list(table, policy, "principals", PRINCIPAL_PATTERN,
                       "an IAM ARN of an account root, role or user, e.g. "
                       "arn:aws:iam::123456789012:role/lambda-execution-role")
    _check_policy_list(table, policy, "actions", ACTION_PATTERN, "a DynamoDB action, e.g. dynamodb:GetItem")


def _check_policy_list(table, policy, key, pattern, expected):
    field = "resource_policy." + key
    values = policy.get(key)
    if not isinstance(values, (list, tuple)) or not values:
        table.error(field, "resource_policy needs %s, a non-empty list where each item is %s; got %s."
                    % (key, expected, "nothing" if values is None else describe(values)))
        return
    for position, value in enumerate(values):
        if not isinstance(value, str) or not pattern.fullmatch(value):
            table.error("%s[%d]" % (field, position), "%s is not valid here; each item must be %s."
                        % (quote(value), expected))
