#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: dynamodb_stack_info
short_description: Read what a DynamoDB CloudFormation stack deployed
version_added: 0.1.0
description:
  - Reads a CloudFormation stack and the resources it deployed, through the AWS APIs, and returns them as
    plain data with snake_case keys.
  - The stack (C(DescribeStacks)), its resources (C(ListStackResources)) and the exports it owns
    (C(ListExports)).
  - For each C(AWS::DynamoDB::Table) of the stack, one C(DescribeTable), one C(DescribeTimeToLive) and one
    C(DescribeContinuousBackups).
  - For its C(AWS::CloudWatch::Alarm) resources, one C(DescribeAlarms); for each C(AWS::Logs::LogGroup), one
    C(DescribeLogGroups).
  - Never changes anything. An absent stack is not an error; the module then returns RV(stack={}) and empty
    lists.
  - To compare the deployed stack with its template, use M(aichef.dynamodb.dynamodb_stack_verify).
options:
  stack_name:
    description: Name (or stack id) of the CloudFormation stack.
    type: str
    required: true
notes:
  - Supports check mode; the module only reads, so check mode returns the same result.
  - Stack outputs and parameters are returned as they are (keyed by the template's names); everything else has
    snake_case keys and ISO 8601 timestamps.
author:
  - AI Chef platform team (@aichef)
extends_documentation_fragment:
  - aichef.dynamodb.backoff
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read what stack ai-chef-dynamodb deployed
  aichef.dynamodb.dynamodb_stack_info:
    stack_name: ai-chef-dynamodb
    region: us-east-1
  register: deployed

- name: Show the status of each table and its point-in-time recovery
  ansible.builtin.debug:
    msg: "{{ item.table_name }}: {{ item.table_status }}, PITR {{ item.point_in_time_recovery.status }}"
  loop: "{{ deployed.tables }}"
  loop_control:
    label: "{{ item.table_name }}"

- name: Use an output of the stack
  ansible.builtin.debug:
    msg: "{{ deployed.stack.outputs.SessionsTableArn }}"
  when: deployed.stack | length > 0

- name: Read the stack in check mode (the module only reads, so the result is the same)
  aichef.dynamodb.dynamodb_stack_info:
    stack_name: ai-chef-dynamodb
  check_mode: true
"""

RETURN = r"""
msg:
  description: One line saying what was found.
  returned: always
  type: str
  sample: "Stack ai-chef-dynamodb is CREATE_COMPLETE: 2 table(s), 1 alarm(s), 1 log group(s)"
stack:
  description:
    - The stack (C(DescribeStacks)) with snake_case keys, its resources and the exports it owns.
    - An empty dict when the stack does not exist (or is C(DELETE_COMPLETE)).
  returned: always
  type: dict
  contains:
    stack_name:
      description: The stack name.
      type: str
      sample: ai-chef-dynamodb
    stack_id:
      description: The stack id (an ARN).
      type: str
      sample: arn:aws:cloudformation:us-east-1:123456789012:stack/ai-chef-dynamodb/3f69d208-b5b2-4ebd-89da-d6901b1f1252
    stack_status:
      description: The stack status.
      type: str
      sample: CREATE_COMPLETE
    outputs:
      description: "The stack outputs as C({OutputKey: OutputValue}), untouched."
      type: dict
      sample: {"SessionsTableName": "ai-chef-sessions", "ResultsTableName": "ai-chef-results"}
    parameters:
      description: "The stack parameters as C({ParameterKey: value}); the resolved value for SSM parameter types."
      type: dict
      sample: {}
    tags:
      description: The stack tags as a dict.
      type: dict
      sample: {"Environment": "production"}
    resources:
      description: The stack's resources (C(ListStackResources)), snake_case.
      type: list
      elements: dict
      sample:
        - logical_resource_id: AiChefSessionsTable
          physical_resource_id: ai-chef-sessions
          resource_type: AWS::DynamoDB::Table
          resource_status: CREATE_COMPLETE
          last_updated_timestamp: "2026-11-25T08:35:25.046000+00:00"
    exports:
      description: The exports this stack owns (C(ListExports) filtered on its stack id).
      type: list
      elements: dict
      sample:
        - name: ai-chef-dynamodb-SessionsTable
          value: ai-chef-sessions
          exporting_stack_id: arn:aws:cloudformation:us-east-1:123456789012:stack/ai-chef-dynamodb/3f69d208
  sample:
    stack_name: ai-chef-dynamodb
    stack_status: CREATE_COMPLETE
    outputs: {"SessionsTableName": "ai-chef-sessions"}
tables:
  description:
    - One entry per C(AWS::DynamoDB::Table) of the stack, in the stack's order.
    - C(DescribeTable) with snake_case keys, plus C(billing_mode) and C(table_class) (the AWS defaults
      C(PROVISIONED) and C(STANDARD) when DescribeTable leaves them out), C(time_to_live) and
      C(point_in_time_recovery).
    - A table that the stack names but that does not exist is C({logical_resource_id, table_name, exists=false}).
  returned: always
  type: list
  elements: dict
  contains:
    logical_resource_id:
      description: The table's logical id in the template.
      type: str
      sample: AiChefSessionsTable
    exists:
      description: Whether the table exists.
      type: bool
      sample: true
    table_name:
      description: The table name.
      type: str
      sample: ai-chef-sessions
    table_status:
      description: The table status.
      type: str
      sample: ACTIVE
    key_schema:
      description: The table's key schema.
      type: list
      elements: dict
      sample: [{"attribute_name": "sessionId", "key_type": "HASH"}]
    attribute_definitions:
      description: The attribute definitions (the key attributes of the table and its indexes).
      type: list
      elements: dict
      sample: [{"attribute_name": "sessionId", "attribute_type": "S"}]
    billing_mode:
      description: C(PAY_PER_REQUEST) or C(PROVISIONED).
      type: str
      sample: PAY_PER_REQUEST
    table_class:
      description: C(STANDARD) or C(STANDARD_INFREQUENT_ACCESS).
      type: str
      sample: STANDARD
    global_secondary_indexes:
      description: The global secondary indexes, when the table has any.
      type: list
      elements: dict
      sample:
        - index_name: sessionId-index
          key_schema: [{"attribute_name": "sessionId", "key_type": "HASH"}]
          projection: {"projection_type": "ALL"}
    time_to_live:
      description: C(DescribeTimeToLive) as C({status, attribute_name}).
      type: dict
      sample: {"status": "ENABLED", "attribute_name": "TTL"}
    point_in_time_recovery:
      description:
        - C(DescribeContinuousBackups) as C({status, continuous_backups_status, ...}); C(status) is the
          point-in-time recovery status.
      type: dict
      sample: {"status": "ENABLED", "continuous_backups_status": "ENABLED", "recovery_period_in_days": 35}
alarms:
  description:
    - One entry per C(AWS::CloudWatch::Alarm) of the stack (C(DescribeAlarms)), snake_case.
    - An alarm that the stack names but that does not exist is C({logical_resource_id, alarm_name, exists=false}).
  returned: always
  type: list
  elements: dict
  sample:
    - logical_resource_id: SessionsTableErrorAlarm
      exists: true
      alarm_name: AI-Chef-DynamoDB-SessionsTable-Errors
      namespace: AWS/DynamoDB
      metric_name: ThrottledRequests
      statistic: Sum
      period: 300
      evaluation_periods: 1
      threshold: 5.0
      comparison_operator: GreaterThanThreshold
      treat_missing_data: notBreaching
      dimensions: [{"name": "TableName", "value": "ai-chef-sessions"}]
      state_value: OK
log_groups:
  description:
    - One entry per C(AWS::Logs::LogGroup) of the stack (C(DescribeLogGroups)), snake_case;
      C(retention_in_days) is null when the log events never expire.
    - A log group that the stack names but that does not exist is
      C({logical_resource_id, log_group_name, exists=false}).
  returned: always
  type: list
  elements: dict
  sample:
    - logical_resource_id: DynamoDBLogGroup
      exists: true
      log_group_name: /aws/dynamodb/ai-chef-tables
      retention_in_days: 7
      arn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/dynamodb/ai-chef-tables:*"
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_region
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.info import gather_stack_info
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.info import memoized_clients


def summary_message(stack_name, info):
    if not info["stack"]:
        return "Stack %s does not exist" % stack_name
    return "Stack %s is %s: %d table(s), %d alarm(s), %d log group(s)" % (
        stack_name, info["stack"]["stack_status"], len(info["tables"]), len(info["alarms"]), len(info["log_groups"]))


def main():
    argument_spec = dict(
        stack_name=dict(type="str", required=True),
        **BACKOFF_ARGUMENT_SPEC
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        validate_region(module.region)
        decorator = retry_decorator(module.params)
        clients = memoized_clients(lambda service: module.client(service, retry_decorator=decorator))
        info = gather_stack_info(clients, module.params["stack_name"])
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, msg=summary_message(module.params["stack_name"], info), **info)


if __name__ == "__main__":
    main()
