# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The span of time the diagnosis looks at, cut into metric periods, and how its moments read in messages.

CloudWatch sums each metric per period, so the window is a whole number of periods ending with the current,
partial one: every series then has the same slots, and a finding can name the period it fired in.
"""

import datetime
import math

DEFAULT_WINDOW_HOURS = 3
DEFAULT_PERIOD = 300
MAX_POINTS_PER_SERIES = 1440


def validate_window(window_hours, period):
    """Raise ValueError unless period is a positive multiple of 60 and the window holds 1..1440 periods."""
    if period < 60 or period % 60:
        raise ValueError("period must be a multiple of 60 seconds, got %r" % (period,))
    if window_hours <= 0:
        raise ValueError("window_hours must be positive, got %r" % (window_hours,))
    count = int(math.ceil(window_hours * 3600.0 / period))
    if count > MAX_POINTS_PER_SERIES:
        raise ValueError("a window of %s hours holds %d periods of %d s, more than %d: choose a longer period"
                         % (window_hours, count, period, MAX_POINTS_PER_SERIES))


def metric_window(now, window_hours, period):
    """{start, end, period, count}: end is now rounded up to a multiple of period (the current, partial period is
    included), start lies count whole periods earlier; start and end are aware UTC datetimes."""
    end_epoch = int(math.ceil(now.timestamp() / period)) * period
    count = max(1, int(math.ceil(window_hours * 3600.0 / period)))
    start_epoch = end_epoch - count * period
    utc = datetime.timezone.utc
    return dict(start=datetime.datetime.fromtimestamp(start_epoch, utc),
                end=datetime.datetime.fromtimestamp(end_epoch, utc), period=period, count=count)


def period_starts(window):
    return [window["start"] + datetime.timedelta(seconds=window["period"] * index) for index in range(window["count"])]


def time_text(moment, window):
    """"08:55 UTC", or "11-24 08:55 UTC" when the window spans more than one day."""
    if window["end"] - window["start"] > datetime.timedelta(days=1):
        return moment.strftime("%m-%d %H:%M UTC")
    return moment.strftime("%H:%M UTC")


def period_text(window):
    minutes = window["period"] // 60
    return "%d-minute period" % minutes if minutes != 1 else "minute"


def window_result(window):
    return dict(start=window["start"].isoformat(), end=window["end"].isoformat(), period=window["period"],
                periods=window["count"], hours=round(window["count"] * window["period"] / 3600.0, 2))
