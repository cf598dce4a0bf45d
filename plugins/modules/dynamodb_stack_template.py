#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: dynamodb_stack_template
short_description: Check a DynamoDB stack's settings against AWS's rules and render its template, without any AWS call
version_added: 0.2.0
description:
  - Runs on the controller inside the C(aichef.dynamodb.dynamodb_stack) role, as the role's first step.
  - Converts every C(dynamodb_stack_*) variable to the type C(meta/argument_specs.yml) declares (a value given as
    C(-e key=value) arrives as a string).
  - Checks the settings against AWS's own rules (alarm metrics DynamoDB publishes, statistics, thresholds, periods,
    log retention values, log group names, SNS topic ARNs, tag rules, capabilities), lints the tables, and renders
    the template from C(dynamodb_stack_tables); or reads C(dynamodb_stack_template_path) (relative to the current
    directory) and lints its tables the same way, read back into the declaration form.
  - Checks the template against CloudFormation's quotas (1 MB through S3; resources, outputs, parameters).
  - Every problem is one line naming the variable or the template's resource and the fix; nothing is sent to AWS.
  - Sets the public fact C(dynamodb_stack_template) (C(template_body), and C(render_settings), the stack-wide
    settings of the template with the alarm prefix and log group resolved), and the role's internal facts
    C(__dynamodb_stack_template_body), C(__dynamodb_stack_settings) and C(__dynamodb_stack_template_needs_url).
options:
  role_path:
    description:
      - The role whose C(meta/argument_specs.yml) declares the variables; by default the running role, or outside a
        role this collection's C(dynamodb_stack) role (whose defaults then apply to what the play does not set).
    type: path
notes:
  - An action plugin; the role calls it, a playbook rarely needs to.
  - The rules and the AWS documentation each comes from are listed in this collection's C(docs/aws-rules.md).
author:
  - AI Chef platform team (@aichef)
"""

EXAMPLES = r"""
- name: Check the settings and render the template of the stack, as the role does first
  aichef.dynamodb.dynamodb_stack_template:
  vars:
    dynamodb_stack_tables:
      - name: ai-chef-sessions
        hash_key: {name: sessionId, type: S}
"""

RETURN = r"""
msg:
  description: The template's size, and whether it goes through S3.
  returned: success
  type: str
  sample: template of 61234 bytes, deployed through S3 (over 51200 bytes)
ansible_facts:
  description: The template body, the converted settings and whether the template needs a TemplateURL.
  returned: success
  type: dict
"""
