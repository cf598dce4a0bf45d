# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin CloudWatch and CloudWatch Logs wrappers: retried, paginated, absence returned as data.

Each takes a client wrapped with RetryingBotoClientWrapper (module.client(..., retry_decorator=...)) and
raises MonitoringError on any other failure, for main() to report.
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import pages

# DescribeAlarms takes at most 100 names per call.
MAX_ALARM_NAMES_PER_CALL = 100


class MonitoringError(AnsibleAWSError):
    """A CloudWatch or CloudWatch Logs call failed."""


def describe_alarms(client, alarm_names):
    """{alarm name: MetricAlarm dict} for the names that exist; names that do not exist are left out."""
    names = list(alarm_names)
    alarms = {}
    for start in range(0, len(names), MAX_ALARM_NAMES_PER_CALL):
        for response in pages(client.describe_alarms, MonitoringError, "Failed to describe alarms %s" % ", ".join(names),
                              AlarmNames=names[start:start + MAX_ALARM_NAMES_PER_CALL]):
            for alarm in response.get("MetricAlarms", []):
                alarms[alarm["AlarmName"]] = alarm
    return alarms


def describe_log_group(client, log_group_name):
    """The log group dict whose name is exactly log_group_name, or None when there is none.

    DescribeLogGroups matches on a prefix, so /a also lists /a-b: only the exact name counts.
    """
    for response in pages(client.describe_log_groups, MonitoringError, "Failed to describe log group %s" % log_group_name,
                          token="nextToken", logGroupNamePrefix=log_group_name):
        for group in response.get("logGroups", []):
            if group.get("logGroupName") == log_group_name:
                return group
    return None
