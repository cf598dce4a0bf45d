# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read what a stack deployed, read-only: the stack, its resources and exports, then one describe per table
(DescribeTable, DescribeTimeToLive, DescribeContinuousBackups), one DescribeAlarms for all its alarms and one
DescribeLogGroups per log group. Shared by dynamodb_stack_info and dynamodb_stack_verify.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.monitoring import describe_alarms
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.monitoring import describe_log_group
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import LOGS_LOG_GROUP
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_continuous_backups
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_time_to_live
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_alarm
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_log_group
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import list_stack_exports
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import list_stack_resources


def memoized_clients(make_client):
    """callable(service) -> the client make_client(service) made on the first call for that service."""
    clients = {}

    def client(service):
        if service not in clients:
            clients[service] = make_client(service)
        return clients[service]
    return client


def absent_stack_info():
    """What an absent stack looks like: nothing, and no error."""
    return dict(stack={}, tables=[], alarms=[], log_groups=[])


def resources_of_type(resources, resource_type):
    """(logical id, physical id) of the stack's resources of one type that CloudFormation gave a physical id."""
    return [(resource["LogicalResourceId"], resource["PhysicalResourceId"]) for resource in resources
            if resource.get("ResourceType") == resource_type and resource.get("PhysicalResourceId")
            and resource.get("ResourceStatus") != "DELETE_COMPLETE"]


def read_table(client, logical_id, table_name):
    table = describe_table(client, table_name)
    if table is None:
        return normalize_table(logical_id, table_name, None, None, None)
    return normalize_table(logical_id, table_name, table, describe_time_to_live(client, table_name),
                           describe_continuous_backups(client, table_name))


def read_alarms(client, alarm_resources):
    found = describe_alarms(client, [name for dummy, name in alarm_resources])
    return [normalize_alarm(logical_id, name, found.get(name)) for logical_id, name in alarm_resources]


def gather_stack_info(client, stack_name):
    """Everything the stack deployed, as plain data.

    client: callable(service name) -> retrying boto3 client (called only for services the stack uses).
    Returns {stack, tables, alarms, log_groups}; an absent (or deleted) stack gives absent_stack_info().
    """
    cloudformation = client("cloudformation")
    stack = describe_stack(cloudformation, stack_name)
    if stack is None or stack.get("StackStatus") == "DELETE_COMPLETE":
        return absent_stack_info()
    resources = list_stack_resources(cloudformation, stack_name)
    exports = list_stack_exports(cloudformation, stack["StackId"])
    tables = resources_of_type(resources, DYNAMODB_TABLE)
    alarms = resources_of_type(resources, CLOUDWATCH_ALARM)
    log_groups = resources_of_type(resources, LOGS_LOG_GROUP)
    return dict(
        stack=normalize_stack(stack, resources, exports),
        tables=[read_table(client("dynamodb"), logical_id, name) for logical_id, name in tables],
        alarms=read_alarms(client("cloudwatch"), alarms) if alarms else [],
        log_groups=[normalize_log_group(logical_id, name, describe_log_group(client("logs"), name))
                    for logical_id, name in log_groups],
    )
