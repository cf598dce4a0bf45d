"""diagnosis: window, metric queries and series, describe summaries, and the findings with each threshold just
below and just above. Pure functions, no stubs."""
import datetime

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose import diagnosis as d

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 25, 9, 2, 30, tzinfo=UTC)
WINDOW = d.metric_window(NOW, 1, 300)  # 12 periods, 08:05 .. 09:05
TABLE = "ai-chef-sessions"
GSI = "sessionId-index"


def table_description(name=TABLE, mode="PAY_PER_REQUEST", read=None, write=None, indexes=()):
    table = dict(TableName=name, TableStatus="ACTIVE", ItemCount=3, TableSizeBytes=2048,
                 AttributeDefinitions=[dict(AttributeName="sessionId", AttributeType="S"),
                                       dict(AttributeName="createdAt", AttributeType="N")],
                 KeySchema=[dict(AttributeName="createdAt", KeyType="RANGE"),
                            dict(AttributeName="sessionId", KeyType="HASH")],
                 BillingModeSummary=dict(BillingMode=mode), DeletionProtectionEnabled=True,
                 ProvisionedThroughput=dict(ReadCapacityUnits=read or 0, WriteCapacityUnits=write or 0))
    if indexes:
        table["GlobalSecondaryIndexes"] = [
            dict(IndexName=index, KeySchema=[dict(AttributeName="sessionId", KeyType="HASH")],
                 Projection=dict(ProjectionType="ALL"), IndexStatus="ACTIVE",
                 ProvisionedThroughput=dict(ReadCapacityUnits=read or 0, WriteCapacityUnits=write or 0))
            for index in indexes]
    return table


def listed(metric, operation, table=TABLE):
    return dict(Namespace=d.NAMESPACE, MetricName=metric,
                Dimensions=[dict(Name="TableName", Value=table), dict(Name="Operation", Value=operation)])


def make_series(data, indexes=(), operations=(), window=WINDOW):  # pylint: disable=dangerous-default-value
    """data: {(index, operation, metric): {period number: value}} -> build_series(...) as GetMetricData answers it
    (one data point 30 s into each period)."""
    listed_metrics = [listed(metric, operation) for metric in d.OPERATION_METRICS for operation in operations]
    specs = d.series_specs(TABLE, list(indexes), listed_metrics)
    starts = d.period_starts(window)
    results = {}
    for number, spec in enumerate(specs):
        points = data.get((spec["index"], spec["operation"], spec["metric"]), {})
        results["m%d" % number] = dict(
            timestamps=[starts[slot] + datetime.timedelta(seconds=30) for slot in sorted(points)],
            values=[points[slot] for slot in sorted(points)])
    return d.build_series(specs, results, window)


def evaluate(data, table=None, indexes=(), operations=(), **thresholds):
    table = table or table_description(indexes=indexes)
    series = make_series(data, indexes, operations)
    return d.table_findings(d.table_summary(table), d.TableSeries(series, WINDOW), d.merged_thresholds(thresholds))


def pick(findings, problem, rule=None, index=None):
    found = [f for f in findings if f["problem"] == problem and (rule is None or f["rule"] == rule)
             and f["index"] == index]
    assert len(found) == 1, found
    return found[0]


def merge(*parts):
    merged = {}
    for part in parts:
        merged.update(part)
    return merged


def throttles(direction, values, index=None):
    return {(index, None, d.THROTTLE_EVENTS[direction]): values}


def consumed(direction, values, index=None):
    return {(index, None, d.CONSUMED[direction]): values}


class TestWindow:
    def test_metric_window_end_rounded_up_to_a_period_and_whole_periods(self):
        assert WINDOW["end"] == datetime.datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
        assert WINDOW["start"] == datetime.datetime(2026, 11, 25, 8, 5, tzinfo=UTC)
        assert WINDOW["count"] == 12

    def test_metric_window_on_a_boundary_stays(self):
        window = d.metric_window(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=UTC), 3, 300)
        assert window["end"].minute == 0 and window["count"] == 36

    def test_metric_window_partial_hours_round_up_to_a_period(self):
        assert d.metric_window(NOW, 0.1, 300)["count"] == 2

    @pytest.mark.parametrize("hours, period, message", [
        (3, 90, "multiple of 60"), (3, 0, "multiple of 60"), (0, 300, "must be positive"),
        (24 * 30, 60, "choose a longer period")])
    def test_validate_window_bad_values_raise(self, hours, period, message):
        with pytest.raises(ValueError, match=message):
            d.validate_window(hours, period)

    def test_validate_window_good_values_pass(self):
        d.validate_window(3, 300)
        d.validate_window(24, 60)

    def test_time_text_shows_the_date_for_windows_over_a_day(self):
        moment = datetime.datetime(2026, 11, 24, 8, 55, tzinfo=UTC)
        assert d.time_text(moment, WINDOW) == "08:55 UTC"
        assert d.time_text(moment, d.metric_window(NOW, 48, 3600)) == "11-24 08:55 UTC"


class TestQueriesAndSeries:
    def test_series_specs_table_and_gsi_metrics_then_listed_operations(self):
        listed_metrics = [listed("ThrottledRequests", "PutItem"), listed("SystemErrors", "GetItem"),
                          listed("SystemErrors", "Query", table="other-table"),
                          dict(MetricName="ThrottledRequests", Dimensions=[dict(Name="TableName", Value=TABLE)])]

        specs = d.series_specs(TABLE, [GSI], listed_metrics)

        assert [(s["index"], s["metric"]) for s in specs[:12]] == \
            [(None, metric) for metric in d.RESOURCE_METRICS] + [(GSI, metric) for metric in d.RESOURCE_METRICS]
        assert [(s["operation"], s["metric"]) for s in specs[12:]] == [("PutItem", "ThrottledRequests"),
                                                                       ("GetItem", "SystemErrors")]

    def test_metric_queries_ids_dimensions_period_and_sum(self):
        specs = d.series_specs(TABLE, [GSI], [listed("SystemErrors", "GetItem")])

        queries = d.metric_queries(specs, 60)

        assert [query["Id"] for query in queries] == ["m%d" % n for n in range(len(specs))]
        gsi_query = queries[6]["MetricStat"]
        assert gsi_query["Metric"]["Dimensions"] == [dict(Name="TableName", Value=TABLE),
                                                     dict(Name="GlobalSecondaryIndexName", Value=GSI)]
        assert (gsi_query["Period"], gsi_query["Stat"]) == (60, "Sum")
        assert queries[-1]["MetricStat"]["Metric"]["Dimensions"][-1] == dict(Name="Operation", Value="GetItem")
        assert queries[-1]["Label"] == "ai-chef-sessions GetItem SystemErrors"

    def test_per_period_values_fills_zero_sums_and_ignores_outside(self):
        starts = d.period_starts(WINDOW)
        timestamps = [starts[0], starts[0] + datetime.timedelta(seconds=60), starts[11],
                      starts[0] - datetime.timedelta(seconds=1), WINDOW["end"]]

        values = d.per_period_values(timestamps, [1, 2, 3, 100, 100], WINDOW)

        assert values == [3.0] + [0.0] * 10 + [3.0]

    def test_build_series_total_peak_and_peak_time(self):
        series = make_series(throttles(d.WRITE, {4: 2, 7: 9}))

        write = [s for s in series if s["metric"] == "WriteThrottleEvents"][0]
        assert (write["total"], write["peak"], write["datapoints"]) == (11, 9, 2)
        assert write["peak_at"] == "2026-11-25T08:40:00+00:00"
        quiet = [s for s in series if s["metric"] == "ReadThrottleEvents"][0]
        assert (quiet["total"], quiet["peak_at"]) == (0, None)


class TestThrottling:
    @pytest.mark.parametrize("events, fired", [(5, False), (6, True)])
    def test_throttling_at_and_above_default_threshold(self, events, fired):
        finding = pick(evaluate(throttles(d.WRITE, {3: events})), d.THROTTLING)

        assert finding["fired"] is fired
        assert (finding["threshold_name"], finding["threshold"], finding["observed"]) == ("throttle_events", 5,
                                                                                          events)

    def test_throttling_message_names_table_direction_time_threshold_and_operations(self):
        data = merge(throttles(d.WRITE, {3: 12}), {(None, "PutItem", "ThrottledRequests"): {3: 4}})

        finding = pick(evaluate(data, operations=["PutItem"]), d.THROTTLING)

        assert finding["at"] == "2026-11-25T08:20:00+00:00"
        assert finding["message"].startswith("Table ai-chef-sessions: 12 write throttle events in the 5-minute "
                                             "period from 08:20 UTC (more than throttle_events = 5)")
        assert "Throttled requests per operation in the window: PutItem 4." in finding["message"]
        assert "on-demand" in finding["message"]

    def test_throttling_provisioned_names_capacity_used(self):
        table = table_description(mode="PROVISIONED", read=10, write=10)
        data = merge(throttles(d.READ, {2: 8}), consumed(d.READ, {2: 2700}))

        finding = pick(evaluate(data, table=table), d.THROTTLING)

        assert finding["fired"] is True
        assert "(9 of 10 read units/s provisioned)" in finding["message"]
        assert "Raise the table's provisioned capacity" in finding["message"]

    def test_throttling_custom_threshold_zero_fires_on_one_event(self):
        assert pick(evaluate(throttles(d.READ, {0: 1}), throttle_events=0), d.THROTTLING)["fired"] is True

    def test_throttling_gsi_events_do_not_count_for_the_table(self):
        finding = pick(evaluate(throttles(d.WRITE, {1: 50}, GSI), indexes=[GSI]), d.THROTTLING)
        assert finding["fired"] is False


class TestGsiThrottling:
    @pytest.mark.parametrize("events, fired", [(5, False), (6, True)])
    def test_gsi_throttling_at_and_above_default_threshold(self, events, fired):
        finding = pick(evaluate(throttles(d.WRITE, {5: events}, GSI), indexes=[GSI]), d.GSI_THROTTLING, index=GSI)

        assert finding["fired"] is fired
        assert finding["threshold_name"] == "gsi_throttle_events"

    def test_gsi_throttling_message_names_index_and_back_pressure(self):
        finding = pick(evaluate(throttles(d.WRITE, {5: 9}, GSI), indexes=[GSI]), d.GSI_THROTTLING, index=GSI)

        assert finding["message"].startswith("Index sessionId-index of table ai-chef-sessions: 9 write throttle")
        assert "throttle the table's writes too" in finding["message"]
        assert "sessionId (S) HASH" in finding["message"]

    def test_gsi_throttling_threshold_is_its_own(self):
        findings = evaluate(throttles(d.WRITE, {5: 3}, GSI), indexes=[GSI], gsi_throttle_events=2)
        assert pick(findings, d.GSI_THROTTLING, index=GSI)["fired"] is True

    def test_gsi_throttling_no_index_no_finding(self):
        assert [f for f in evaluate({}) if f["problem"] == d.GSI_THROTTLING] == []


class TestHotPartitionsKeyRange:
    @pytest.mark.parametrize("events, threshold, fired", [(0, 0, False), (1, 0, True), (2, 2, False), (3, 2, True)])
    def test_key_range_events_just_below_and_above(self, events, threshold, fired):
        data = {(None, None, "WriteKeyRangeThroughputThrottleEvents"): {6: events}}

        finding = pick(evaluate(data, hot_partition_key_range_events=threshold), d.HOT_PARTITIONS, d.RULE_KEY_RANGE)

        assert finding["fired"] is fired
        assert finding["threshold_name"] == "hot_partition_key_range_events"

    def test_key_range_events_of_the_index_count_and_it_is_a_hint(self):
        data = {(GSI, None, "ReadKeyRangeThroughputThrottleEvents"): {6: 2},
                (None, None, "WriteKeyRangeThroughputThrottleEvents"): {6: 1}}

        finding = pick(evaluate(data, indexes=[GSI]), d.HOT_PARTITIONS, d.RULE_KEY_RANGE)

        assert (finding["fired"], finding["hint"], finding["observed"]) == (True, True, 3)
        assert "Contributor Insights" in finding["message"]


class TestHotPartitionsBelowCapacity:
    @pytest.mark.parametrize("units_per_second, fired", [(49.9, True), (50, False), (51, False)])
    def test_provisioned_throttled_below_half_capacity(self, units_per_second, fired):
        table = table_description(mode="PROVISIONED", read=100, write=100)
        data = merge(throttles(d.WRITE, {4: 1}), consumed(d.WRITE, {4: units_per_second * 300}))

        finding = pick(evaluate(data, table=table), d.HOT_PARTITIONS, d.RULE_HEADROOM)

        assert finding["fired"] is fired
        assert finding["observed"] == round(units_per_second, 1)
        assert finding["threshold_name"] == "hot_partition_utilization_percent"

    def test_provisioned_fired_message_says_hint_and_evidence(self):
        table = table_description(mode="PROVISIONED", read=100, write=100)
        data = merge(throttles(d.WRITE, {4: 1}), consumed(d.WRITE, {4: 20 * 300}))

        finding = pick(evaluate(data, table=table), d.HOT_PARTITIONS, d.RULE_HEADROOM)

        assert finding["hint"] is True
        assert "used 20% of its write capacity (20 of 100 units/s, provisioned)" in finding["message"]
        assert "CloudWatch does not show partitions" in finding["message"]

    @pytest.mark.parametrize("throttled_rate, fired", [(49, True), (50, False)])
    def test_on_demand_compares_with_the_rate_served_without_throttling(self, throttled_rate, fired):
        data = merge(throttles(d.READ, {8: 3}), consumed(d.READ, {2: 100 * 300, 8: throttled_rate * 300}))

        finding = pick(evaluate(data), d.HOT_PARTITIONS, d.RULE_HEADROOM)

        assert finding["fired"] is fired
        if fired:
            assert "the highest rate it served without throttling in the window" in finding["message"]

    def test_on_demand_without_an_unthrottled_period_is_no_evidence(self):
        data = merge(throttles(d.READ, {8: 3}), consumed(d.READ, {8: 10 * 300}))

        finding = pick(evaluate(data), d.HOT_PARTITIONS, d.RULE_HEADROOM)

        assert (finding["fired"], finding["observed"]) == (False, None)
        assert "no period served traffic without throttling" in finding["message"]

    def test_no_throttling_is_no_evidence(self):
        finding = pick(evaluate(consumed(d.READ, {8: 10 * 300})), d.HOT_PARTITIONS, d.RULE_HEADROOM)

        assert (finding["fired"], finding["observed"]) == (False, None)
        assert "no throttled period" in finding["message"]

    def test_custom_utilization_threshold(self):
        table = table_description(mode="PROVISIONED", read=100, write=100)
        data = merge(throttles(d.WRITE, {4: 1}), consumed(d.WRITE, {4: 70 * 300}))

        findings = evaluate(data, table=table, hot_partition_utilization_percent=80)

        assert pick(findings, d.HOT_PARTITIONS, d.RULE_HEADROOM)["fired"] is True


class TestCostSpike:
    @staticmethod
    def steady(peak_units, baseline=1000, direction=d.WRITE):
        values = dict((slot, baseline) for slot in range(12))
        values[9] = peak_units
        return consumed(direction, values)

    @pytest.mark.parametrize("peak_units, fired", [(3000, False), (3001, True)])
    def test_cost_spike_ratio_just_at_and_above(self, peak_units, fired):
        finding = pick(evaluate(self.steady(peak_units)), d.COST_SPIKE)

        assert finding["fired"] is fired
        assert finding["threshold_name"] == "cost_spike_ratio"
        assert finding["observed"] == round(peak_units / 1000.0, 1)

    @pytest.mark.parametrize("peak_units, fired", [(999, False), (1000, True)])
    def test_cost_spike_min_units_from_nothing(self, peak_units, fired):
        finding = pick(evaluate(consumed(d.READ, {9: peak_units})), d.COST_SPIKE)

        assert finding["fired"] is fired
        assert finding["observed"] is None  # a median of 0: no ratio

    def test_cost_spike_counts_index_units(self):
        data = merge(consumed(d.WRITE, {9: 600}), consumed(d.WRITE, {9: 600}, GSI))

        finding = pick(evaluate(data, indexes=[GSI]), d.COST_SPIKE)

        assert finding["fired"] is True
        assert "1200 write units (table and indexes) in the 5-minute period from 08:50 UTC" in finding["message"]
        assert "On demand every unit is billed" in finding["message"]

    def test_cost_spike_custom_thresholds(self):
        finding = pick(evaluate(self.steady(1500, baseline=1000), cost_spike_ratio=1.4, cost_spike_min_units=1500),
                       d.COST_SPIKE)
        assert finding["fired"] is True

    def test_cost_spike_provisioned_message(self):
        table = table_description(mode="PROVISIONED", read=100, write=100)
        finding = pick(evaluate(self.steady(5000), table=table), d.COST_SPIKE)
        assert "billed per hour" in finding["message"]

    def test_cost_spike_no_traffic_not_fired(self):
        finding = pick(evaluate({}), d.COST_SPIKE)
        assert (finding["fired"], finding["observed"]) == (False, 0.0)


class TestSystemErrors:
    @pytest.mark.parametrize("errors, threshold, fired", [(0, 0, False), (1, 0, True), (2, 2, False), (3, 2, True)])
    def test_system_errors_just_below_and_above(self, errors, threshold, fired):
        data = {(None, "GetItem", "SystemErrors"): {1: errors}}

        finding = pick(evaluate(data, operations=["GetItem"], system_errors=threshold), d.SYSTEM_ERRORS_PROBLEM)

        assert finding["fired"] is fired

    def test_system_errors_summed_over_operations_and_named(self):
        data = {(None, "GetItem", "SystemErrors"): {1: 1}, (None, "Query", "SystemErrors"): {2: 2}}

        finding = pick(evaluate(data, operations=["GetItem", "Query"]), d.SYSTEM_ERRORS_PROBLEM)

        assert finding["observed"] == 3
        assert "(GetItem 1, Query 2; more than system_errors = 0)" in finding["message"]


class TestThresholds:
    def test_merged_thresholds_none_keeps_default(self):
        assert d.merged_thresholds(dict(throttle_events=None, system_errors=2)) == dict(d.DEFAULT_THRESHOLDS,
                                                                                        system_errors=2)

    def test_merged_thresholds_unknown_key_raises(self):
        with pytest.raises(ValueError, match="unknown threshold 'throttle'"):
            d.merged_thresholds(dict(throttle=1))

    def test_table_findings_every_rule_once_per_table(self):
        findings = evaluate({}, indexes=[GSI])

        assert [(f["problem"], f["rule"]) for f in findings] == [
            (d.THROTTLING, d.RULE_THROTTLE), (d.HOT_PARTITIONS, d.RULE_KEY_RANGE), (d.HOT_PARTITIONS, d.RULE_HEADROOM),
            (d.GSI_THROTTLING, d.RULE_THROTTLE), (d.COST_SPIKE, d.RULE_COST),
            (d.SYSTEM_ERRORS_PROBLEM, d.RULE_SYSTEM_ERRORS)]
        assert not any(f["fired"] for f in findings)


class TestDescribeSummaries:
    def test_table_summary_keys_hash_first_with_types_and_capacity(self):
        summary = d.table_summary(table_description(mode="PROVISIONED", read=5, write=7, indexes=[GSI]),
                                  dict(TimeToLiveStatus="ENABLED", AttributeName="TTL"))

        assert summary["keys"] == ["sessionId (S) HASH", "createdAt (N) RANGE"]
        assert summary["provisioned_capacity"] == dict(read=5, write=7)
        assert summary["time_to_live"] == "ENABLED (attribute TTL)"
        assert summary["global_secondary_indexes"][0]["index_name"] == GSI
        assert summary["global_secondary_indexes"][0]["provisioned_capacity"] == dict(read=5, write=7)
        assert (summary["item_count"], summary["size_bytes"], summary["deletion_protection"]) == (3, 2048, True)

    def test_table_summary_on_demand_has_no_capacity_but_its_maximum(self):
        table = table_description()
        table["OnDemandThroughput"] = dict(MaxReadRequestUnits=500, MaxWriteRequestUnits=-1)
        table["StreamSpecification"] = dict(StreamEnabled=True, StreamViewType="NEW_IMAGE")

        summary = d.table_summary(table)

        assert summary["provisioned_capacity"] is None
        assert summary["on_demand_maximum"] == dict(read=500, write=None)
        assert (summary["stream"], summary["time_to_live"], summary["table_class"]) == ("NEW_IMAGE", "DISABLED",
                                                                                        "STANDARD")

    def test_backup_summary_newest_first_and_pitr_window(self):
        old = datetime.datetime(2026, 11, 1, tzinfo=UTC)
        new = datetime.datetime(2026, 11, 20, tzinfo=UTC)
        backups = [dict(BackupName="old", BackupCreationDateTime=old, BackupStatus="AVAILABLE", BackupType="USER"),
                   dict(BackupName="new", BackupCreationDateTime=new, BackupStatus="AVAILABLE",
                        BackupType="AWS_BACKUP")]
        continuous = dict(ContinuousBackupsStatus="ENABLED", PointInTimeRecoveryDescription=dict(
            PointInTimeRecoveryStatus="ENABLED", EarliestRestorableDateTime=old, LatestRestorableDateTime=new,
            RecoveryPeriodInDays=35))

        summary = d.backup_summary(backups, continuous)

        assert [b["backup_name"] for b in summary["backups"]] == ["new", "old"]
        assert summary["latest"]["backup_type"] == "AWS_BACKUP"
        assert summary["point_in_time_recovery"] == dict(
            status="ENABLED", earliest_restorable_time=old.isoformat(), latest_restorable_time=new.isoformat(),
            recovery_period_in_days=35)

    def test_backup_summary_nothing(self):
        summary = d.backup_summary([], None)
        assert (summary["count"], summary["latest"], summary["point_in_time_recovery"]["status"]) == (0, None,
                                                                                                      "DISABLED")

    def test_table_alarms_filters_by_namespace_and_table_and_notes_dead_alarms(self):
        def alarm(name, metric, dimensions, namespace=d.NAMESPACE):
            return dict(AlarmName=name, Namespace=namespace, MetricName=metric, StateValue="OK",
                        Dimensions=[dict(Name=k, Value=v) for k, v in dimensions.items()])
        alarms = [alarm("b-dead", "ThrottledRequests", dict(TableName=TABLE)),
                  alarm("a-ok", "SystemErrors", dict(TableName=TABLE, Operation="GetItem")),
                  alarm("other-table", "ReadThrottleEvents", dict(TableName="other")),
                  alarm("other-namespace", "CPUUtilization", dict(TableName=TABLE), namespace="AWS/EC2")]

        found = d.table_alarms(alarms, TABLE)

        assert [a["alarm_name"] for a in found] == ["a-ok", "b-dead"]
        assert found[0]["note"] == ""
        assert "never receives data" in found[1]["note"]


class TestSummaryLines:
    def diagnosed(self, data, operations=()):
        series = make_series(data, operations=operations)
        return d.diagnose_table(table_description(), None, None, [], [], series, WINDOW, d.DEFAULT_THRESHOLDS)

    def test_summary_lines_findings_first_then_table_facts(self):
        table = self.diagnosed(throttles(d.WRITE, {3: 12}))

        lines = d.summary_lines([table], WINDOW, stack_name="ai-chef-dynamodb", chart_path="/tmp/c.svg")

        assert lines[0].startswith("Diagnosis of 1 table(s) (stack ai-chef-dynamodb, 2026-11-25 08:05 to")
        assert lines[1] == "FINDINGS: 1 of 5 rules fired"
        assert lines[2].startswith("  [throttling] Table ai-chef-sessions: 12 write throttle events")
        assert any(line.startswith("TABLE ai-chef-sessions: ACTIVE, key sessionId (S) HASH, createdAt (N) RANGE, "
                                   "PAY_PER_REQUEST, 3 items (2.0 KB)") for line in lines)
        assert "  metrics (window total): WriteThrottleEvents 12 (peak 12 at 08:20 UTC); 5 more series all zero" \
            in lines
        assert "  nothing found: hot partitions, partition limit (peak 0 per period, threshold 0); hot partitions, " \
               "below capacity (no evidence, threshold 50); cost spike (no traffic, threshold 3); system errors " \
               "(0 in the window, threshold 0)" in lines
        assert lines[-1] == "Chart: /tmp/c.svg"

    def test_summary_lines_nothing_found(self):
        lines = d.summary_lines([self.diagnosed({})], WINDOW)
        assert lines[1] == "FINDINGS: none (5 rules checked)"
        assert "  backups: none; point-in-time recovery DISABLED (no restore window)" in lines


class TestChartPanels:
    def test_chart_panels_capacity_and_trouble_with_threshold(self):
        series = make_series(merge(throttles(d.WRITE, {3: 12}), {(None, "PutItem", "ThrottledRequests"): {3: 2}}),
                             indexes=[GSI], operations=["PutItem"])
        table = d.diagnose_table(table_description(indexes=[GSI]), None, None, [], [], series, WINDOW,
                                 d.DEFAULT_THRESHOLDS)

        capacity, trouble = d.chart_panels(table, d.DEFAULT_THRESHOLDS)

        assert [s["label"] for s in capacity["series"]] == ["ConsumedReadCapacityUnits (total 0)",
                                                            "ConsumedWriteCapacityUnits (total 0)"]
        assert [s["label"] for s in trouble["series"]] == ["ReadThrottleEvents (total 0)",
                                                           "WriteThrottleEvents (total 12)",
                                                           "PutItem ThrottledRequests (total 2)"]
        assert trouble["threshold"]["value"] == 5
        assert all(len(s["values"]) == WINDOW["count"] for s in trouble["series"])
