# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The diagnosis for a person to read: the compact summary lines, and the content of the chart's panels.

Only wording and selection: every number comes from the tables' diagnoses (diagnosis.diagnose_table), and
charts.render_svg draws the panels.
"""

import datetime

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import COST_SPIKE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_HEADROOM
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_KEY_RANGE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import SYSTEM_ERRORS_PROBLEM
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import number_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import CONSUMED
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import READ
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import THROTTLE_EVENTS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import WRITE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import time_text


def bytes_text(size):
    size = size or 0
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return ("%d %s" % (size, unit)) if unit == "bytes" else "%.1f %s" % (size, unit)
        size /= 1024.0
    return "%d bytes" % size  # pragma: no cover


def capacity_text(summary):
    if summary["provisioned_capacity"]:
        return "PROVISIONED %s RCU / %s WCU" % (number_text(summary["provisioned_capacity"][READ]),
                                                number_text(summary["provisioned_capacity"][WRITE]))
    maximum = summary.get("on_demand_maximum")
    if maximum:
        return "PAY_PER_REQUEST (max %s read / %s write units/s)" % (number_text(maximum[READ]),
                                                                     number_text(maximum[WRITE]))
    return summary["billing_mode"]


def metric_line(series, window):
    """"consumed write 300 (peak 300 at 08:55 UTC)" for each series with data; the others summed up as zero."""
    parts = []
    quiet = 0
    for item in series:
        if item["total"] == 0:
            quiet += 1
            continue
        name = item["metric"] if not item["index"] else "%s %s" % (item["index"], item["metric"])
        if item["operation"]:
            name = "%s %s" % (item["operation"], item["metric"])
        peak_at = datetime.datetime.fromisoformat(item["peak_at"])
        parts.append("%s %s (peak %s at %s)" % (name, number_text(item["total"]), number_text(item["peak"]),
                                                time_text(peak_at, window)))
    if quiet:
        parts.append("%d more series all zero" % quiet)
    return "; ".join(parts)


def quiet_text(item):
    """A rule that did not fire, in a few words: "throttling (peak 0 per period, threshold 5)"."""
    observed = item["observed"]
    label = item["problem"] + (" " + item["index"] if item["index"] else "")
    if item["rule"] == RULE_KEY_RANGE:
        label += ", partition limit"
        value = "peak %s per period" % number_text(observed)
    elif item["rule"] == RULE_HEADROOM:
        label += ", below capacity"
        value = "no evidence" if observed is None else "lowest use %s%%" % number_text(observed)
    elif item["problem"] == COST_SPIKE:
        value = ("traffic from a median of 0" if observed is None else "no traffic" if observed == 0 else
                 "peak %s times the median" % number_text(observed))
    elif item["problem"] == SYSTEM_ERRORS_PROBLEM:
        value = "%s in the window" % number_text(observed)
    else:
        value = "peak %s per period" % number_text(observed)
    return "%s (%s, threshold %s)" % (label, value, number_text(item["threshold"]))


def summary_lines(tables, window, stack_name=None, chart_path=None):
    """A compact report: the window, the findings that fired, then per table its facts, metrics, alarms, backups
    and the rules that found nothing."""
    fired = [item for table in tables for item in table["findings"] if item["fired"]]
    evaluated = sum(len(table["findings"]) for table in tables)
    scope = "stack %s, " % stack_name if stack_name else ""
    lines = ["Diagnosis of %d table(s) (%s%s to %s, %s h in periods of %d s)" % (
        len(tables), scope, window["start"].strftime("%Y-%m-%d %H:%M"), window["end"].strftime("%Y-%m-%d %H:%M UTC"),
        number_text(round(window["count"] * window["period"] / 3600.0, 2)), window["period"])]
    if fired:
        lines.append("FINDINGS: %d of %d rules fired" % (len(fired), evaluated))
        for item in fired:
            lines.append("  [%s%s] %s" % (item["problem"], ", hint" if item["hint"] else "", item["message"]))
    else:
        lines.append("FINDINGS: none (%d rules checked)" % evaluated)
    for table in tables:
        summary = table["summary"]
        lines.append("TABLE %s: %s, key %s, %s, %s items (%s), class %s, deletion protection %s, TTL %s, "
                     "stream %s" % (summary["table_name"], summary["status"], ", ".join(summary["keys"]),
                                    capacity_text(summary), number_text(summary["item_count"] or 0),
                                    bytes_text(summary["size_bytes"]), summary["table_class"],
                                    "on" if summary["deletion_protection"] else "off", summary["time_to_live"],
                                    summary["stream"] or "off"))
        for index in summary["global_secondary_indexes"]:
            lines.append("  GSI %s: keys %s, projection %s, %s" % (index["index_name"], ", ".join(index["keys"]),
                                                                   index["projection"], index["status"] or "-"))
        lines.append("  metrics (window total): %s" % (metric_line(table["metrics"], window) or "none"))
        states = {}
        for alarm in table["alarms"]:
            states[alarm["state"]] = states.get(alarm["state"], 0) + 1
        lines.append("  alarms: %s" % (", ".join("%d %s" % (count, state) for state, count in sorted(states.items()))
                                       or "none"))
        for alarm in table["alarms"]:
            if alarm["note"]:
                lines.append("    %s %s: %s" % (alarm["alarm_name"], alarm["state"], alarm["note"]))
            elif alarm["state"] == "ALARM":
                lines.append("    %s ALARM (%s)" % (alarm["alarm_name"], alarm["state_reason"]))
        backups = table["backups"]
        pitr = backups["point_in_time_recovery"]
        latest = backups["latest"]
        lines.append("  backups: %s; point-in-time recovery %s%s" % (
            "%d, latest %s (%s, %s)" % (backups["count"], latest["backup_name"], latest["created"], latest["status"])
            if latest else "none",
            pitr["status"],
            ", restorable from %s to %s" % (pitr["earliest_restorable_time"], pitr["latest_restorable_time"])
            if pitr["status"] == "ENABLED" else " (no restore window)"))
        quiet = [item for item in table["findings"] if not item["fired"]]
        if quiet:
            lines.append("  nothing found: %s" % "; ".join(quiet_text(item) for item in quiet))
    if chart_path:
        lines.append("Chart: %s" % chart_path)
    return lines


# --- the chart's content -------------------------------------------------------------------------------------------
def chart_panels(table, thresholds):
    """Two panels per table for charts.render_svg: consumed capacity, and throttling and errors (with the
    throttle_events threshold as a line)."""
    capacity_series, trouble_series = [], []
    for item in table["metrics"]:
        where = ("%s " % item["index"]) if item["index"] else ""
        if item["operation"]:
            where = "%s " % item["operation"]
        entry = dict(label="%s%s (total %s)" % (where, item["metric"], number_text(item["total"])),
                     values=item["values"], dashed=bool(item["index"]))
        if item["metric"] in (CONSUMED[READ], CONSUMED[WRITE]):
            if item["index"] is None or item["total"] > 0:
                capacity_series.append(entry)
        elif item["metric"] in (THROTTLE_EVENTS[READ], THROTTLE_EVENTS[WRITE]) and item["index"] is None:
            trouble_series.append(entry)
        elif item["total"] > 0:
            trouble_series.append(entry)
    return [
        dict(title="%s: consumed capacity (units per period)" % table["table_name"], series=capacity_series),
        dict(title="%s: throttle events and system errors (per period)" % table["table_name"],
             series=trouble_series,
             threshold=dict(value=thresholds["throttle_events"],
                            label="throttle_events threshold %s" % number_text(thresholds["throttle_events"]))),
    ]
