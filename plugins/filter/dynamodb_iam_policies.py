# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: dynamodb_iam_policies
short_description: Generate the least-privilege IAM policies of a DynamoDB stack from its tables
version_added: 0.1.0
description:
  - Turns the table declarations (the role variable C(dynamodb_stack_tables), rendered exactly as
    P(aichef.dynamodb.dynamodb_cfn_template#filter) renders them), or a CloudFormation template, into IAM policy
    documents that name only this stack, its tables and their indexes, its alarms and its log group.
  - C(deployer) is what the CI role needs to deploy and verify the stack (playbooks deploy-dynamodb.yml and
    verify-dynamodb.yml) - CloudFormation on this stack only; the DynamoDB, CloudWatch and Logs actions of
    CloudFormation's resource handlers and of the verification, on these resources only. Tables and the log
    group change only through CloudFormation (condition C(aws:CalledVia)). Resource C(*) appears only for the
    actions IAM cannot scope to a resource (C(cloudformation:ListExports), C(cloudformation:ListImports),
    C(cloudformation:DescribeStackDriftDetectionStatus), C(logs:DescribeLogGroups),
    C(logs:DescribeIndexPolicies), C(logs:DescribeResourcePolicies)).
  - C(planner) is the read-only part plus a change-set preview and C(cloudformation:ListImports), for
    C(--check --diff) on pull requests.
  - C(application) is the guide's policy - GetItem, PutItem, UpdateItem, DeleteItem, Query, BatchGetItem and
    BatchWriteItem on the tables, Query on their indexes.
  - Also returns a CloudFormation template that creates the three as managed policies, optionally attached
    to roles.
  - Pure and local; it calls no AWS API. Fails when a policy would exceed IAM's 6,144-character quota for a
    managed policy, or when a resource is named in a way only CloudFormation can resolve.
positional: _input, settings
options:
  _input:
    description:
      - The table declarations (a list, linted first with P(aichef.dynamodb.dynamodb_schema_findings#filter)),
        or a CloudFormation template (YAML or JSON text, or a mapping) holding only DynamoDB tables, CloudWatch
        alarms and log groups, such as the role's C(__dynamodb_stack_template_body).
    type: raw
    required: true
  settings:
    description:
      - The render settings of P(aichef.dynamodb.dynamodb_cfn_template#filter) (C(name_prefix),
        C(alarm_name_prefix), C(alarms), C(log_group_name), ...); they decide the names of the alarms and the
        log group when the input is a list of tables, and the prefixes of O(scope=prefix) in every case.
    type: dict
    default: {}
  stack_name:
    description: The CloudFormation stack name.
    type: str
    required: true
  region:
    description: The AWS region of the stack.
    type: str
    required: true
  account_id:
    description: The 12-digit id of the AWS account of the stack (a string).
    type: str
    required: true
  partition:
    description: The AWS partition.
    type: str
    default: aws
    choices: [aws, aws-cn, aws-us-gov]
  scope:
    description:
      - C(names) lists every table, index and alarm by name.
      - C(prefix) uses the guide's pattern instead, one ARN per kind (C(table/ai-chef-*),
        C(alarm:AI-Chef-DynamoDB-*)), for names that start with the prefixes of O(settings).
      - C(auto) lists names when every policy fits IAM's quota, else uses the prefix; the result says which.
    type: str
    default: auto
    choices: [auto, names, prefix]
  called_via_cloudformation:
    description:
      - Allow the deployer to change tables and the log group only through CloudFormation (condition
        C(aws:CalledVia) C(cloudformation.amazonaws.com)).
    type: bool
    default: true
  roles:
    description:
      - Names of the IAM roles to attach each managed policy to in the returned template, by policy - keys
        C(deployer), C(planner), C(application), each a list of role names.
    type: dict
    default: {}
author:
  - AI Chef platform team (@aichef)
"""

EXAMPLES = r"""
- name: Generate the policies of the declared tables
  ansible.builtin.set_fact:
    policies: >-
      {{ tables | aichef.dynamodb.dynamodb_iam_policies(stack_name='ai-chef-dynamodb', region='us-east-1',
         account_id='123456789012') }}
  vars:
    tables:
      - name: ai-chef-sessions
        hash_key: {name: sessionId, type: S}
      - name: ai-chef-results
        hash_key: {name: resultId, type: S}
        global_secondary_indexes:
          - name: sessionId-index
            hash_key: {name: sessionId, type: S}

- name: Write the deployer policy of the template the role deploys
  ansible.builtin.copy:
    content: >-
      {{ (__dynamodb_stack_template_body | aichef.dynamodb.dynamodb_iam_policies(stack_name=dynamodb_stack_name,
          region=dynamodb_stack_aws_region, account_id=dynamodb_stack_aws_account_id)).deployer | to_nice_json }}
    dest: iam/deployer-policy.json
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The policies, the template of a stack that creates them, the resources they name and the scope used.
  type: dict
  contains:
    deployer:
      description: Policy document of the role that deploys and verifies the stack.
      type: dict
      sample:
        Version: "2012-10-17"
        Statement:
          - Sid: CloudFormationThisStack
            Effect: Allow
            Action: [cloudformation:CreateStack, cloudformation:DescribeStacks, cloudformation:UpdateStack]
            Resource: arn:aws:cloudformation:us-east-1:123456789012:stack/ai-chef-dynamodb/*
    planner:
      description: Policy document of the role that previews changes (C(--check --diff)).
      type: dict
    application:
      description: Policy document of the application - item actions on the tables, Query on their indexes.
      type: dict
      sample:
        Version: "2012-10-17"
        Statement:
          - Sid: QueryTheIndexes
            Effect: Allow
            Action: [dynamodb:Query]
            Resource: arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-results/index/sessionId-index
    stack_template:
      description: CloudFormation template of three C(AWS::IAM::ManagedPolicy) resources (needs CAPABILITY_IAM).
      type: dict
    resources:
      description: The ARNs the policies name, by kind.
      type: dict
      contains:
        stack:
          description: The stack's ARN pattern (any stack id of this name).
          type: str
          sample: arn:aws:cloudformation:us-east-1:123456789012:stack/ai-chef-dynamodb/*
        tables:
          description: Table ARNs (or the prefix pattern).
          type: list
          elements: str
        indexes:
          description: Index ARNs (or the prefix pattern).
          type: list
          elements: str
        alarms:
          description: Alarm ARNs (or the prefix pattern).
          type: list
          elements: str
        log_groups:
          description: Log group ARNs, each with and without its trailing C(:*).
          type: list
          elements: str
    scope:
      description: C(names) or C(prefix), the scope the policies were generated with.
      type: str
      sample: names
"""

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import stack_policies
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_stack_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import stack_settings


def plain_data(value):
    """ansible-core 2.19 hands filters tagged str/dict/list subclasses; a JSON round trip yields plain types."""
    return json.loads(json.dumps(value))


def template_of(source, settings):
    """The template: rendered from a list of tables, parsed from text, or the mapping itself."""
    if isinstance(source, list):
        return render_stack_template(source, settings)
    if isinstance(source, str):
        try:
            return parse_template(source)
        except InputError as e:
            raise ValueError(e.message)
    if isinstance(source, dict):
        return source
    raise ValueError("the input must be the list of tables or a template, got %s" % type(source).__name__)


def dynamodb_iam_policies(source, settings=None, stack_name=None, region=None, account_id=None, partition="aws",
                          scope="auto", called_via_cloudformation=True, roles=None):
    try:
        settings = stack_settings(plain_data(settings or {}), plain_data(stack_name))
        return stack_policies(
            template_of(plain_data(source), settings), plain_data(stack_name), plain_data(region),
            plain_data(account_id), partition=plain_data(partition), scope=plain_data(scope),
            name_prefix=settings["name_prefix"], alarm_name_prefix=settings["alarm_name_prefix"],
            called_via_cloudformation=bool(called_via_cloudformation), roles=plain_data(roles or {}))
    except KeyError as e:
        raise AnsibleFilterError("dynamodb_iam_policies: missing %s in the tables or settings (lint the tables with "
                                 "aichef.dynamodb.dynamodb_schema_findings first)" % e)
    except (TypeError, ValueError) as e:
        raise AnsibleFilterError("dynamodb_iam_policies: %s" % e)


class FilterModule:
    """aichef.dynamodb.dynamodb_iam_policies"""

    def filters(self):
        return {"dynamodb_iam_policies": dynamodb_iam_policies}
