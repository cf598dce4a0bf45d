#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: dynamodb_table_diagnose
short_description: Diagnose DynamoDB tables from their description, CloudWatch metrics, alarms and backups
version_added: 0.1.0
description:
  - Runs the troubleshooting steps of the AI Chef guide in one read-only pass, for the tables of a
    CloudFormation stack and/or tables named directly, and says in plain language what it found.
  - "Per table: a C(DescribeTable) summary (status, keys, billing mode and capacity, item count and size, table
    class, deletion protection, TTL, stream, the secondary indexes), C(ListBackups) (every backup type) and the
    point-in-time recovery window (C(DescribeContinuousBackups): earliest and latest restorable time), and the
    state of every CloudWatch alarm on C(AWS/DynamoDB) whose C(TableName) dimension names the table."
  - "CloudWatch metrics over the window (statistic C(Sum), one value per O(period)): C(ConsumedReadCapacityUnits),
    C(ConsumedWriteCapacityUnits), C(ReadThrottleEvents), C(WriteThrottleEvents),
    C(ReadKeyRangeThroughputThrottleEvents) and C(WriteKeyRangeThroughputThrottleEvents) for the table and for
    each global secondary index; C(ThrottledRequests) and C(SystemErrors) for each operation that CloudWatch
    lists for the table (C(ListMetrics); DynamoDB publishes these two per operation only). All metrics of all
    tables are read with one C(GetMetricData) call (up to 500 series per call)."
  - "Findings, each naming the threshold that fired and the value observed (see O(thresholds)): B(throttling)
    (table throttle events in one period above O(thresholds.throttle_events)); B(hot partitions), two rules that
    are hints, since CloudWatch shows no partitions - requests DynamoDB throttled at a single partition's limit
    (C(*KeyRangeThroughputThrottleEvents) above O(thresholds.hot_partition_key_range_events)), or throttling in a
    period where the table used less than O(thresholds.hot_partition_utilization_percent) of its capacity;
    B(GSI throttling) (index throttle events in one period above O(thresholds.gsi_throttle_events)); B(cost
    spike) (the busiest period above O(thresholds.cost_spike_ratio) times the window's median and at least
    O(thresholds.cost_spike_min_units)); and B(system errors) above O(thresholds.system_errors)."
  - With O(chart_path), writes the metrics of the window as an SVG chart, two panels per table.
  - Never changes anything in AWS.
options:
  stack_name:
    description:
      - Diagnose every C(AWS::DynamoDB::Table) of this CloudFormation stack. The stack must exist.
      - At least one of O(stack_name) and O(table_names) is required.
    type: str
  table_names:
    description:
      - Diagnose these tables (in addition to those of O(stack_name)). A table that does not exist is reported
        in RV(missing_tables), not as an error.
    type: list
    elements: str
  window_hours:
    description: Length of the metric window in hours, ending at O(end_time).
    type: float
    default: 3
  period:
    description:
      - Seconds per metric value (a multiple of 60). The per-period thresholds compare with one value of this
        length; the default matches the guide's alarm (300 s). At most 1440 periods fit in the window.
    type: int
    default: 300
  end_time:
    description:
      - End of the window, ISO 8601 (for example C(2026-11-25T09:00:00Z); without a zone, UTC). Default now.
      - The end is rounded up to a whole period.
    type: str
  thresholds:
    description: When each finding fires. A finding fires when the observed value is strictly beyond its threshold.
    type: dict
    suboptions:
      throttle_events:
        description:
          - B(throttling) fires when the table's C(ReadThrottleEvents) or C(WriteThrottleEvents) (dimension
            C(TableName) alone, i.e. the table's own capacity) in one period exceed this. The default is the
            guide's alarm, more than 5 in 300 s.
        type: float
        default: 5
      gsi_throttle_events:
        description:
          - B(GSI throttling) fires when an index's C(ReadThrottleEvents) or C(WriteThrottleEvents) in one period
            exceed this. Index write throttling also throttles the writes to the table.
        type: float
        default: 5
      hot_partition_key_range_events:
        description:
          - B(hot partitions) (partition limit) fires when the C(ReadKeyRangeThroughputThrottleEvents) plus
            C(WriteKeyRangeThroughputThrottleEvents) of the table and its indexes in one period exceed this
            (default 0, any). These count requests throttled at one partition's own limit (3,000 read or 1,000
            write units per second).
        type: float
        default: 0
      hot_partition_utilization_percent:
        description:
          - B(hot partitions) (throttled below capacity, a hint) fires when, in a period with throttle events,
            the table consumed on average less than this percentage of its capacity; the capacity is the
            provisioned one, or on demand the highest rate the table served without throttling in the window
            (no such period, no evidence).
        type: float
        default: 50
      cost_spike_ratio:
        description:
          - B(cost spike) fires when the units consumed in the busiest period (table and indexes, read or write)
            exceed this many times the window's median period, and reach O(thresholds.cost_spike_min_units).
        type: float
        default: 3
      cost_spike_min_units:
        description: The least units of the busiest period for a B(cost spike); smaller traffic is ignored.
        type: float
        default: 1000
      system_errors:
        description: B(system errors) fires when the C(SystemErrors) of all operations in the window exceed this.
        type: float
        default: 0
  chart_path:
    description:
      - Write an SVG chart of the metrics over the window to this file (its directory is created when missing).
        Per table, one panel with the consumed capacity and one with the throttle events and system errors (with
        the O(thresholds.throttle_events) line).
      - Written in check mode too; it is local output, not a change to AWS, so the module still reports
        C(changed=false).
    type: path
notes:
  - Supports check mode; the module only reads AWS, so check mode returns the same result.
  - "API calls: C(DescribeStacks) and C(ListStackResources) for O(stack_name); per table C(DescribeTable),
    C(DescribeTimeToLive), C(DescribeContinuousBackups), C(ListBackups) and C(ListMetrics); then one
    C(GetMetricData) per 500 series (plus one per further page of data points) and C(DescribeAlarms) over all
    pages. IAM needs the matching read permissions only."
  - ListMetrics lists a series that received data in the last two weeks, and may take a few minutes to list a
    new one; operations not listed yet are not read.
  - DynamoDB publishes its metrics only when there is traffic or throttling, so a period without a data point
    counts as 0. C(ItemCount) and C(TableSizeBytes) are refreshed by DynamoDB about every six hours.
seealso:
  - module: aichef.dynamodb.dynamodb_stack_verify
  - module: aichef.dynamodb.dynamodb_stack_info
author:
  - AI Chef platform team (@aichef)
extends_documentation_fragment:
  - aichef.dynamodb.backoff
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Diagnose the tables of stack ai-chef-dynamodb over the last 3 hours
  aichef.dynamodb.dynamodb_table_diagnose:
    stack_name: ai-chef-dynamodb
    region: us-east-1
    chart_path: reports/diagnose-dynamodb.svg
  register: diagnosis

- name: Show the report
  ansible.builtin.debug:
    msg: "{{ diagnosis.summary | join('\n') }}"

- name: Fail when a finding fired
  ansible.builtin.assert:
    that: diagnosis.findings | length == 0
    fail_msg: "{{ diagnosis.findings | map(attribute='message') | list }}"

- name: Look at one table during yesterday's incident, per minute, with a stricter throttling threshold
  aichef.dynamodb.dynamodb_table_diagnose:
    table_names: [ai-chef-sessions]
    end_time: "2026-11-24T18:30:00Z"
    window_hours: 1
    period: 60
    thresholds:
      throttle_events: 0
  check_mode: true
"""

RETURN = r"""
msg:
  description: One line with the number of tables and the findings that fired.
  returned: always
  type: str
  sample: "2 tables over 3 h: 1 finding fired (throttling on ai-chef-sessions)"
findings:
  description:
    - The findings that fired, over all tables, in table order (each table's RV(tables[].findings) also holds
      the rules that did not fire).
  returned: always
  type: list
  elements: dict
  contains:
    table:
      description: The table.
      type: str
      sample: ai-chef-sessions
    index:
      description: The global secondary index, for B(GSI throttling); null otherwise.
      type: str
      sample: sessionId-index
    problem:
      description: C(throttling), C(hot partitions), C(GSI throttling), C(cost spike) or C(system errors).
      type: str
      sample: throttling
    rule:
      description: Which rule of the problem.
      type: str
      sample: throttle events per period
    fired:
      description: Whether the threshold was crossed (always true here).
      type: bool
      sample: true
    hint:
      description: True when the evidence is circumstantial (the hot partition rules).
      type: bool
      sample: false
    threshold_name:
      description: The O(thresholds) key that fired.
      type: str
      sample: throttle_events
    threshold:
      description: Its value.
      type: float
      sample: 5
    observed:
      description: The value observed (null for a cost spike from a median of 0).
      type: float
      sample: 12
    at:
      description: Start of the period where it was observed (ISO 8601), when the rule looks at one period.
      type: str
      sample: "2026-11-25T08:55:00+00:00"
    message:
      description: What was found and what to do, in plain language, naming the threshold.
      type: str
      sample: "Table ai-chef-sessions: 12 write throttle events in the 5-minute period from 08:55 UTC (more than
        throttle_events = 5); ..."
tables:
  description: One entry per diagnosed table that exists.
  returned: always
  type: list
  elements: dict
  contains:
    table_name:
      description: The table.
      type: str
      sample: ai-chef-sessions
    summary:
      description:
        - The describe-table summary - C(status), C(keys) (attribute name, type and key type, HASH first),
          C(billing_mode),
          C(provisioned_capacity) (C(read), C(write); null on demand), C(on_demand_maximum), C(item_count),
          C(size_bytes), C(table_class), C(deletion_protection), C(stream), C(time_to_live),
          C(global_secondary_indexes) and C(local_secondary_indexes) (C(index_name), C(keys), C(projection),
          C(non_key_attributes), C(status), C(provisioned_capacity), C(item_count), C(size_bytes)).
      type: dict
      sample:
        table_name: ai-chef-sessions
        status: ACTIVE
        keys: ["sessionId (S) HASH"]
        billing_mode: PAY_PER_REQUEST
        provisioned_capacity: null
        item_count: 0
    metrics:
      description:
        - One entry per series - C(table), C(index), C(operation), C(metric), C(label), C(values) (one per period
          of RV(window), 0 without data), C(datapoints) (how many CloudWatch returned), C(total), C(peak),
          C(peak_at).
      type: list
      elements: dict
      sample:
        - table: ai-chef-sessions
          index: null
          operation: null
          metric: WriteThrottleEvents
          label: ai-chef-sessions WriteThrottleEvents
          values: [0, 0, 12]
          datapoints: 1
          total: 12
          peak: 12
          peak_at: "2026-11-25T08:55:00+00:00"
    alarms:
      description:
        - The CloudWatch alarms on the table - C(alarm_name), C(state), C(state_reason), C(state_updated),
          C(metric_name), C(dimensions), C(statistic), C(period), C(evaluation_periods), C(threshold),
          C(comparison_operator), and C(note) (why the alarm can never fire, when its definition shows it).
      type: list
      elements: dict
    backups:
      description:
        - C(count), C(latest) and C(backups) (C(backup_name), C(backup_arn), C(created), C(status),
          C(backup_type), C(size_bytes); newest first), and C(point_in_time_recovery) (C(status),
          C(earliest_restorable_time), C(latest_restorable_time), C(recovery_period_in_days)).
      type: dict
      sample:
        count: 0
        latest: null
        backups: []
        point_in_time_recovery: {status: ENABLED, earliest_restorable_time: "2026-11-20T08:00:00+00:00",
                                 latest_restorable_time: "2026-11-25T08:55:00+00:00", recovery_period_in_days: 35}
    findings:
      description: Every rule evaluated for the table, fired or not (the shape of RV(findings)).
      type: list
      elements: dict
missing_tables:
  description: Tables named in O(table_names) or by the stack that do not exist.
  returned: always
  type: list
  elements: str
  sample: []
window:
  description: The metric window - C(start), C(end) (ISO 8601), C(period) (seconds), C(periods), C(hours).
  returned: always
  type: dict
  sample: {start: "2026-11-25T06:10:00+00:00", end: "2026-11-25T09:10:00+00:00", period: 300, periods: 36, hours: 3}
metric_data_calls:
  description: How many C(GetMetricData) calls read the metrics of all tables.
  returned: always
  type: int
  sample: 1
summary:
  description: A compact report for a person, one line each - the window, the findings that fired, then per table
    its facts, metrics, alarms, backups and the rules that found nothing.
  returned: always
  type: list
  elements: str
chart:
  description: Path of the SVG chart written.
  returned: when O(chart_path) is set
  type: str
  sample: reports/diagnose-dynamodb.svg
"""

import datetime

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.files import write_text_file
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_region
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_stack_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_continuous_backups
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_time_to_live
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.backups import list_backups
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.charts import render_svg
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import DEFAULT_PERIOD
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import DEFAULT_THRESHOLDS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import DEFAULT_WINDOW_HOURS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import build_series
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import chart_panels
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import diagnose_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import merged_thresholds
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import metric_queries
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import metric_window
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import period_starts
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import series_specs
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import summary_lines
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import validate_window
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.diagnosis import window_result
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metrics import describe_metric_alarms
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metrics import get_metric_data
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metrics import list_table_metrics
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.info import memoized_clients
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.info import resources_of_type
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import list_stack_resources


# --- pure helpers --------------------------------------------------------------------------------------------------
def parse_end_time(text, now):
    """An aware UTC datetime from ISO 8601 text (no zone: UTC); now when text is empty."""
    if not text:
        return now
    try:
        moment = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(message="end_time: not an ISO 8601 date and time: %r" % text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def unique(names):
    seen = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


def result_message(tables, missing, window):
    fired = [item for table in tables for item in table["findings"] if item["fired"]]
    hours = window["count"] * window["period"] / 3600.0
    text = "%d table%s over %s h: " % (len(tables), "" if len(tables) == 1 else "s", ("%g" % round(hours, 2)))
    if fired:
        text += "%d finding%s fired (%s)" % (len(fired), "" if len(fired) == 1 else "s", ", ".join(
            "%s on %s%s" % (item["problem"], item["table"], "/" + item["index"] if item["index"] else "")
            for item in fired))
    else:
        text += "no finding"
    if missing:
        text += "; missing: %s" % ", ".join(missing)
    return text


# --- reads ---------------------------------------------------------------------------------------------------------
def stack_table_names(cloudformation, stack_name):
    """The physical names of the stack's tables; InputError when the stack does not exist."""
    stack = describe_stack(cloudformation, stack_name)
    if stack is None or stack.get("StackStatus") == "DELETE_COMPLETE":
        raise InputError(message="Stack %s does not exist" % stack_name)
    return [name for dummy, name in resources_of_type(list_stack_resources(cloudformation, stack_name), DYNAMODB_TABLE)]


def read_table_state(dynamodb, cloudwatch, table_name):
    """Everything read per table, or None when the table does not exist."""
    table = describe_table(dynamodb, table_name)
    if table is None:
        return None
    return dict(table=table, time_to_live=describe_time_to_live(dynamodb, table_name),
                continuous_backups=describe_continuous_backups(dynamodb, table_name),
                backups=list_backups(dynamodb, table_name), listed_metrics=list_table_metrics(cloudwatch, table_name))


def diagnose(client, stack_name, table_names, window, thresholds):
    """Read, then diagnose every table; the module's result without changed, summary and chart."""
    names = list(stack_table_names(client("cloudformation"), stack_name)) if stack_name else []
    names = unique(names + list(table_names or []))
    dynamodb, cloudwatch = client("dynamodb"), client("cloudwatch")
    states, missing, specs = [], [], []
    for name in names:
        state = read_table_state(dynamodb, cloudwatch, name)
        if state is None:
            missing.append(name)
            continue
        state["specs"] = series_specs(name, [index["IndexName"] for index in
                                             state["table"].get("GlobalSecondaryIndexes") or []],
                                      state["listed_metrics"])
        specs.extend(state["specs"])
        states.append(state)
    results, calls = ({}, 0)
    if specs:
        results, calls = get_metric_data(cloudwatch, metric_queries(specs, window["period"]), window["start"],
                                         window["end"])
    series = build_series(specs, results, window)
    alarms = describe_metric_alarms(cloudwatch) if states else []
    tables, offset = [], 0
    for state in states:
        own = series[offset:offset + len(state["specs"])]
        offset += len(state["specs"])
        tables.append(diagnose_table(state["table"], state["time_to_live"], state["continuous_backups"],
                                     state["backups"], alarms, own, window, thresholds))
    return dict(
        msg=result_message(tables, missing, window),
        findings=[item for table in tables for item in table["findings"] if item["fired"]],
        tables=tables,
        missing_tables=missing,
        window=window_result(window),
        metric_data_calls=calls,
    )


def chart_svg(tables, window, thresholds, stack_name):
    panels = [panel for table in tables for panel in chart_panels(table, thresholds)]
    title = "DynamoDB %s" % ("stack %s" % stack_name if stack_name else ", ".join(t["table_name"] for t in tables))
    subtitle = "%s to %s, one value per %d s (Sum); dashed: global secondary indexes" % (
        window["start"].strftime("%Y-%m-%d %H:%M"), window["end"].strftime("%Y-%m-%d %H:%M UTC"), window["period"])
    return render_svg(title, subtitle, period_starts(window), panels)


def main():
    # no_log=False: numbers, not secrets (validate-modules reads "key" in hot_partition_key_range_events as one).
    threshold_options = dict((name, dict(type="float", default=value, no_log=False))
                             for name, value in DEFAULT_THRESHOLDS.items())
    argument_spec = dict(
        stack_name=dict(type="str"),
        table_names=dict(type="list", elements="str"),
        window_hours=dict(type="float", default=DEFAULT_WINDOW_HOURS),
        period=dict(type="int", default=DEFAULT_PERIOD),
        end_time=dict(type="str"),
        thresholds=dict(type="dict", options=threshold_options),
        chart_path=dict(type="path"),
        **BACKOFF_ARGUMENT_SPEC
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_one_of=[["stack_name", "table_names"]])
    params = module.params
    try:
        if params["stack_name"]:
            validate_stack_name(params["stack_name"])
        try:
            validate_window(params["window_hours"], params["period"])
        except ValueError as e:
            raise InputError(message=str(e))
        thresholds = merged_thresholds(params["thresholds"])
        end = parse_end_time(params["end_time"], datetime.datetime.now(datetime.timezone.utc))
        window = metric_window(end, params["window_hours"], params["period"])
        validate_region(module.region)
        decorator = retry_decorator(params)
        clients = memoized_clients(lambda service: module.client(service, retry_decorator=decorator))
        result = diagnose(clients, params["stack_name"], params["table_names"], window, thresholds)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    result["summary"] = summary_lines(result["tables"], window, params["stack_name"], params["chart_path"])
    if params["chart_path"]:
        try:
            write_text_file(params["chart_path"], chart_svg(result["tables"], window, thresholds,
                                                            params["stack_name"]))
        except OSError as e:
            result["msg"] = "Failed to write the chart %s: %s" % (params["chart_path"], to_native(e))
            module.fail_json(**result)
        result["chart"] = params["chart_path"]
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
