# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The table as AWS describes it, summarised: its settings, the alarms that watch it, its backups.

DescribeTable and DescribeTimeToLive, DescribeAlarms, ListBackups and DescribeContinuousBackups answers turned
into plain data for the result and the report. Nothing here judges: the findings come from the metrics, except
an alarm's note, which says when its definition means it can never fire.
"""

import datetime

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import NAMESPACE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import OPERATION_METRICS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import READ
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import WRITE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import dimensions_dict


def key_text(key_schema, attribute_types):
    return ["%s (%s) %s" % (key["AttributeName"], attribute_types.get(key["AttributeName"], "?"), key["KeyType"])
            for key in sorted(key_schema or [], key=lambda key: key.get("KeyType") != "HASH")]


def billing_mode(table):
    return (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")


def provisioned_capacity(description, mode):
    """{read, write} units per second of a PROVISIONED table or index; None for on-demand."""
    if mode != "PROVISIONED":
        return None
    throughput = description.get("ProvisionedThroughput") or {}
    return {READ: throughput.get("ReadCapacityUnits"), WRITE: throughput.get("WriteCapacityUnits")}


def on_demand_maximum(description):
    """{read, write} of OnDemandThroughput when set (a positive maximum), else None."""
    throughput = description.get("OnDemandThroughput") or {}
    read, write = throughput.get("MaxReadRequestUnits"), throughput.get("MaxWriteRequestUnits")
    if (read or 0) <= 0 and (write or 0) <= 0:
        return None
    return {READ: read if (read or 0) > 0 else None, WRITE: write if (write or 0) > 0 else None}


def index_summary(index, attribute_types, mode):
    projection = index.get("Projection") or {}
    return dict(
        index_name=index.get("IndexName"),
        keys=key_text(index.get("KeySchema"), attribute_types),
        projection=projection.get("ProjectionType"),
        non_key_attributes=projection.get("NonKeyAttributes") or [],
        status=index.get("IndexStatus"),
        provisioned_capacity=provisioned_capacity(index, mode),
        item_count=index.get("ItemCount"),
        size_bytes=index.get("IndexSizeBytes"),
    )


def ttl_text(time_to_live):
    status = (time_to_live or {}).get("TimeToLiveStatus") or "DISABLED"
    attribute = (time_to_live or {}).get("AttributeName")
    return "%s (attribute %s)" % (status, attribute) if attribute and status != "DISABLED" else status


def table_summary(table, time_to_live=None):
    """The describe-table facts a person looks at first (DescribeTable, DescribeTimeToLive)."""
    attribute_types = dict((a["AttributeName"], a["AttributeType"]) for a in table.get("AttributeDefinitions") or [])
    mode = billing_mode(table)
    stream = table.get("StreamSpecification") or {}
    return dict(
        table_name=table.get("TableName"),
        status=table.get("TableStatus"),
        keys=key_text(table.get("KeySchema"), attribute_types),
        billing_mode=mode,
        provisioned_capacity=provisioned_capacity(table, mode),
        on_demand_maximum=on_demand_maximum(table),
        item_count=table.get("ItemCount"),
        size_bytes=table.get("TableSizeBytes"),
        table_class=(table.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
        deletion_protection=bool(table.get("DeletionProtectionEnabled")),
        stream=stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
        time_to_live=ttl_text(time_to_live),
        global_secondary_indexes=[index_summary(index, attribute_types, mode)
                                  for index in table.get("GlobalSecondaryIndexes") or []],
        local_secondary_indexes=[index_summary(index, attribute_types, mode)
                                 for index in table.get("LocalSecondaryIndexes") or []],
    )


def iso(value):
    return value.isoformat() if isinstance(value, (datetime.datetime, datetime.date)) else value


def backup_summary(backups, continuous_backups):
    """On-demand/AWS Backup/system backups (newest first) and the point-in-time recovery window."""
    ordered = sorted(backups or [], key=lambda backup: iso(backup.get("BackupCreationDateTime")) or "", reverse=True)
    entries = [dict(backup_name=backup.get("BackupName"), backup_arn=backup.get("BackupArn"),
                    created=iso(backup.get("BackupCreationDateTime")), status=backup.get("BackupStatus"),
                    backup_type=backup.get("BackupType"), size_bytes=backup.get("BackupSizeBytes"))
               for backup in ordered]
    pitr = (continuous_backups or {}).get("PointInTimeRecoveryDescription") or {}
    return dict(
        count=len(entries),
        latest=entries[0] if entries else None,
        backups=entries,
        point_in_time_recovery=dict(
            status=pitr.get("PointInTimeRecoveryStatus") or "DISABLED",
            earliest_restorable_time=iso(pitr.get("EarliestRestorableDateTime")),
            latest_restorable_time=iso(pitr.get("LatestRestorableDateTime")),
            recovery_period_in_days=pitr.get("RecoveryPeriodInDays"),
        ),
    )


def alarm_note(alarm):
    """Why an alarm can never fire, when its definition shows it; "" otherwise."""
    dimensions = dimensions_dict(alarm.get("Dimensions"))
    if alarm.get("MetricName") in OPERATION_METRICS and "Operation" not in dimensions:
        return ("DynamoDB publishes %s per TableName and Operation only: this series never receives data, so the "
                "alarm cannot fire" % alarm["MetricName"])
    return ""


def table_alarms(alarms, table_name):
    """The metric alarms on AWS/DynamoDB whose TableName dimension names the table, with their state."""
    found = []
    for alarm in alarms or []:
        dimensions = dimensions_dict(alarm.get("Dimensions"))
        if alarm.get("Namespace") != NAMESPACE or dimensions.get("TableName") != table_name:
            continue
        found.append(dict(
            alarm_name=alarm.get("AlarmName"), state=alarm.get("StateValue"), state_reason=alarm.get("StateReason"),
            state_updated=iso(alarm.get("StateUpdatedTimestamp")), metric_name=alarm.get("MetricName"),
            dimensions=dimensions, statistic=alarm.get("Statistic"), period=alarm.get("Period"),
            evaluation_periods=alarm.get("EvaluationPeriods"), threshold=alarm.get("Threshold"),
            comparison_operator=alarm.get("ComparisonOperator"), note=alarm_note(alarm)))
    return sorted(found, key=lambda alarm: alarm["alarm_name"] or "")
