# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""boto3 answers -> the dicts Ansible users expect: snake_case keys, ISO 8601 timestamps, tags as a dict.

User-keyed data is left untouched: stack outputs and parameters (keyed by the template's names) and the
template-shaped properties that drift detection reports. Pure functions, shared by dynamodb_stack_info (which
returns them) and dynamodb_stack_verify (which compares them with the template).
"""

import datetime
import json

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

# What DescribeTable leaves out means the AWS default.
DEFAULT_BILLING_MODE = "PROVISIONED"  # tables created before on-demand existed have no BillingModeSummary
DEFAULT_TABLE_CLASS = "STANDARD"
DISABLED = "DISABLED"


def jsonable(value):
    """value with every datetime turned into an ISO 8601 string, so results compare and serialise as text."""
    if isinstance(value, dict):
        return dict((key, jsonable(item)) for key, item in value.items())
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


def snake(value, ignore_list=()):
    return jsonable(camel_dict_to_snake_dict(value or {}, ignore_list=list(ignore_list)))


def _without(mapping, *keys):
    return dict((key, value) for key, value in mapping.items() if key not in keys and key != "ResponseMetadata")


def normalize_stack_resource(summary):
    """A StackResourceSummary (ListStackResources)."""
    return snake(summary)


def normalize_export(export):
    """An Export (ListExports): name, value, exporting_stack_id."""
    return snake(export)


def normalize_stack(stack, resources, exports):
    """Stacks[0] of DescribeStacks, with the stack's resources and the exports it owns.

    outputs is {OutputKey: OutputValue}, the shape of the role's dynamodb_stack_outputs fact; parameters is
    {ParameterKey: value CloudFormation used} (ResolvedValue for SSM parameter types).
    """
    result = snake(_without(stack, "Outputs", "Parameters", "Tags"))
    result["outputs"] = dict((output["OutputKey"], output.get("OutputValue"))
                             for output in stack.get("Outputs") or [])
    result["parameters"] = dict((parameter["ParameterKey"],
                                 parameter.get("ResolvedValue", parameter.get("ParameterValue")))
                                for parameter in stack.get("Parameters") or [])
    result["tags"] = boto3_tag_list_to_ansible_dict(stack.get("Tags") or [])
    result["resources"] = [normalize_stack_resource(resource) for resource in resources]
    result["exports"] = [normalize_export(export) for export in exports]
    return result


def normalize_time_to_live(description):
    """TimeToLiveDescription -> {status, attribute_name}; an absent table gives {}."""
    if description is None:
        return {}
    return dict(status=description.get("TimeToLiveStatus", DISABLED),
                attribute_name=description.get("AttributeName"))


def normalize_continuous_backups(description):
    """ContinuousBackupsDescription -> {status (of point-in-time recovery), continuous_backups_status, ...}."""
    if description is None:
        return {}
    result = snake(description.get("PointInTimeRecoveryDescription"))
    result["status"] = result.pop("point_in_time_recovery_status", DISABLED)
    result["continuous_backups_status"] = description.get("ContinuousBackupsStatus")
    return result


def normalize_table(logical_id, table_name, table, time_to_live, continuous_backups):
    """One table of the stack: DescribeTable, DescribeTimeToLive and DescribeContinuousBackups in one dict.

    billing_mode and table_class are spelled out even where DescribeTable leaves them out (the AWS defaults).
    A table that does not exist is {logical_resource_id, table_name, exists: false}.
    """
    if table is None:
        return dict(logical_resource_id=logical_id, table_name=table_name, exists=False)
    result = snake(table)
    result.update(
        logical_resource_id=logical_id,
        exists=True,
        billing_mode=(table.get("BillingModeSummary") or {}).get("BillingMode", DEFAULT_BILLING_MODE),
        table_class=(table.get("TableClassSummary") or {}).get("TableClass", DEFAULT_TABLE_CLASS),
        time_to_live=normalize_time_to_live(time_to_live),
        point_in_time_recovery=normalize_continuous_backups(continuous_backups),
    )
    return result


def normalize_alarm(logical_id, alarm_name, alarm):
    """A MetricAlarm (DescribeAlarms); one that does not exist is {logical_resource_id, alarm_name, exists: false}."""
    if alarm is None:
        return dict(logical_resource_id=logical_id, alarm_name=alarm_name, exists=False)
    result = snake(alarm)
    result.update(logical_resource_id=logical_id, exists=True)
    return result


def normalize_log_group(logical_id, log_group_name, group):
    """A log group (DescribeLogGroups); retention_in_days is null when its events never expire."""
    if group is None:
        return dict(logical_resource_id=logical_id, log_group_name=log_group_name, exists=False)
    result = snake(group)
    result.setdefault("retention_in_days", None)
    result.update(logical_resource_id=logical_id, exists=True)
    return result


def _json_or_none(text):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def normalize_resource_drift(drift):
    """A StackResourceDrift. expected_properties/actual_properties are the JSON documents parsed, and keep the
    template's property names (they are the template's shape, not API fields)."""
    result = snake(_without(drift, "ExpectedProperties", "ActualProperties"))
    result["expected_properties"] = _json_or_none(drift.get("ExpectedProperties"))
    result["actual_properties"] = _json_or_none(drift.get("ActualProperties"))
    result.setdefault("property_differences", [])
    return result


def normalize_stack_drift(status, resource_drifts):
    """DescribeStackDriftDetectionStatus plus the resources' drifts."""
    result = snake(_without(status or {}, "StackId"))
    result["resources"] = [normalize_resource_drift(drift) for drift in resource_drifts]
    return result
