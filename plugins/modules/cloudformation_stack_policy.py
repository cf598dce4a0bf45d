#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudformation_stack_policy
short_description: Set the stack policy of an existing CloudFormation stack when it differs
version_added: 0.2.0
description:
  - Reads the stack policy of O(stack_name) and, when it differs from O(policy), replaces it with C(SetStackPolicy).
  - A stack policy makes CloudFormation itself refuse the updates it denies, whoever starts them (this collection,
    a console user, another tool). The C(aichef.dynamodb.dynamodb_stack) role uses it to deny the replacement and
    the removal of DynamoDB tables (C(dynamodb_stack_protect_tables)).
  - A stack policy cannot be removed, only replaced; a policy that allows C(Update:*) on every resource lifts it.
  - The stack must exist; a policy for a new stack is given to its create (the C(stack_policy_body) of
    C(amazon.aws.cloudformation)).
options:
  stack_name:
    description: Name of the CloudFormation stack.
    type: str
    required: true
  policy:
    description: The stack policy document, for example C({"Statement":[{"Effect":"Allow","Action":"Update:*",...}]}).
    type: dict
    required: true
notes:
  - Supports check mode and diff mode. In check mode the policy is only read and compared.
author:
  - AI Chef platform team (@aichef)
extends_documentation_fragment:
  - aichef.dynamodb.backoff
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Deny the replacement and the removal of the stack's DynamoDB tables
  aichef.dynamodb.cloudformation_stack_policy:
    stack_name: ai-chef-dynamodb
    policy:
      Statement:
        - Effect: Allow
          Action: "Update:*"
          Principal: "*"
          Resource: "*"
        - Effect: Deny
          Action: ["Update:Replace", "Update:Delete"]
          Principal: "*"
          Resource: "*"
          Condition:
            StringEquals:
              ResourceType: ["AWS::DynamoDB::Table"]
  register: policy

- name: Show whether the policy had to be replaced
  ansible.builtin.debug:
    msg: "{{ 'replaced' if policy.changed else 'already in place' }}"
"""

RETURN = r"""
policy:
  description: The stack policy the stack has now (in check mode, the one it would have).
  returned: success
  type: dict
  sample: {"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}
previous_policy:
  description: The stack policy the stack had before; empty when it had none.
  returned: success
  type: dict
  sample: {}
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import get_stack_policy
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import set_stack_policy


def policy_text(policy):
    return json.dumps(policy, indent=2, sort_keys=True) + "\n" if policy else ""


def ensure_stack_policy(client, stack_name, policy, check_mode):
    """dict(changed, policy, previous_policy, diff). Raises InputError when the stack does not exist."""
    if not isinstance(policy.get("Statement"), list) or not policy["Statement"]:
        raise InputError(message="policy: a stack policy needs a non-empty Statement list")
    if describe_stack(client, stack_name) is None:
        raise InputError(message="Stack %s does not exist: a new stack gets its policy with its create" % stack_name)
    previous = get_stack_policy(client, stack_name)
    changed = previous != policy
    if changed and not check_mode:
        set_stack_policy(client, stack_name, policy)
    return dict(changed=changed, policy=policy, previous_policy=previous or {},
                diff=dict(before=policy_text(previous), after=policy_text(policy)))


def main():
    argument_spec = dict(
        stack_name=dict(type="str", required=True),
        policy=dict(type="dict", required=True),
        **BACKOFF_ARGUMENT_SPEC
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        client = module.client("cloudformation", retry_decorator=retry_decorator(module.params))
        result = ensure_stack_policy(client, module.params["stack_name"], module.params["policy"], module.check_mode)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    verb = ("would replace" if module.check_mode else "replaced") if result["changed"] else "already has"
    module.exit_json(msg="Stack %s: %s its stack policy" % (module.params["stack_name"], verb), **result)


if __name__ == "__main__":
    main()
