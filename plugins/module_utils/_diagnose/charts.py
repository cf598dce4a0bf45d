# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Line charts as a standalone SVG document, written by hand: no plotting library on the managed host.

render_svg(title, times, panels) -> str. Each panel is {title, series: [{label, values, dashed}], threshold:
{value, label} (optional)}; every series holds one value per entry of times (aware datetimes, ascending). Each
panel gets its own y scale from 0 to a round number above its largest value (and its threshold), one polyline
per series, a legend below; the x axis shows UTC times.
"""

import math
from xml.sax.saxutils import escape

WIDTH = 960
MARGIN_LEFT = 64
MARGIN_RIGHT = 24
PLOT_HEIGHT = 150
PANEL_TITLE_HEIGHT = 26
AXIS_LABEL_HEIGHT = 22
LEGEND_ROW_HEIGHT = 16
LEGEND_COLUMNS = 3
PANEL_GAP = 18
HEADER_HEIGHT = 46
MAX_X_LABELS = 8
# Distinguishable on white and for the common colour-vision deficiencies (Okabe-Ito), then greys.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442", "#666666",
           "#999999")
THRESHOLD_COLOUR = "#C00000"


def nice_ceiling(value):
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= value (1 for 0 or less)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * (1 - 1e-9):
            return step * power
    return 10 * power  # pragma: no cover


def axis_number(value):
    """1500 -> "1.5k", 2000000 -> "2M", 0.5 -> "0.5"."""
    for divisor, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= divisor:
            return ("%g" % round(value / divisor, 2)) + suffix
    return "%g" % round(value, 2)


def time_labels(times):
    """[(index, text)] for at most MAX_X_LABELS evenly spaced times; the date is shown when the times span
    more than a day."""
    if not times:
        return []
    step = max(1, int(math.ceil(len(times) / float(MAX_X_LABELS))))
    long_format = (times[-1] - times[0]).total_seconds() > 86400
    fmt = "%m-%d %H:%M" if long_format else "%H:%M"
    return [(index, times[index].strftime(fmt)) for index in range(0, len(times), step)]


def x_position(index, count, plot_width):
    if count <= 1:
        return MARGIN_LEFT + plot_width / 2.0
    return MARGIN_LEFT + plot_width * index / float(count - 1)


def panel_height(panel):
    rows = max(1, int(math.ceil(len(panel["series"]) / float(LEGEND_COLUMNS))))
    return PANEL_TITLE_HEIGHT + PLOT_HEIGHT + AXIS_LABEL_HEIGHT + rows * LEGEND_ROW_HEIGHT + PANEL_GAP


def render_panel(panel, times, top, plot_width):
    """The SVG elements of one panel whose title starts at y=top."""
    elements = []
    plot_top = top + PANEL_TITLE_HEIGHT
    plot_bottom = plot_top + PLOT_HEIGHT
    threshold = panel.get("threshold")
    largest = max([max(series["values"] or [0]) for series in panel["series"]] + [0])
    if threshold:
        largest = max(largest, threshold["value"])
    y_max = nice_ceiling(largest)
    elements.append('<text x="%d" y="%d" class="panel">%s</text>' % (MARGIN_LEFT, top + 16, escape(panel["title"])))
    elements.append('<rect x="%d" y="%d" width="%d" height="%d" class="plot"/>' % (
        MARGIN_LEFT, plot_top, plot_width, PLOT_HEIGHT))

    def y_position(value):
        return plot_bottom - PLOT_HEIGHT * min(value, y_max) / y_max

    for fraction in (0, 0.5, 1):
        y = y_position(y_max * fraction)
        elements.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" class="grid"/>' % (
            MARGIN_LEFT, y, MARGIN_LEFT + plot_width, y))
        elements.append('<text x="%d" y="%.1f" class="tick" text-anchor="end">%s</text>' % (
            MARGIN_LEFT - 6, y + 4, escape(axis_number(y_max * fraction))))
    for index, text in time_labels(times):
        x = x_position(index, len(times), plot_width)
        elements.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="grid"/>' % (x, plot_top, x, plot_bottom))
        elements.append('<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>' % (
            x, plot_bottom + 15, escape(text)))
    if threshold:
        y = y_position(threshold["value"])
        elements.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-dasharray="2 3" '
                        'stroke-width="1"><title>%s</title></line>' % (
                            MARGIN_LEFT, y, MARGIN_LEFT + plot_width, y, THRESHOLD_COLOUR,
                            escape(threshold["label"])))
        elements.append('<text x="%d" y="%.1f" class="tick" text-anchor="end" fill="%s">%s</text>' % (
            MARGIN_LEFT + plot_width - 4, y - 4, THRESHOLD_COLOUR, escape(threshold["label"])))
    legend_top = plot_bottom + AXIS_LABEL_HEIGHT
    column_width = plot_width / float(LEGEND_COLUMNS)
    for number, series in enumerate(panel["series"]):
        colour = PALETTE[number % len(PALETTE)]
        dash = ' stroke-dasharray="6 3"' if series.get("dashed") else ""
        points = " ".join("%.1f,%.1f" % (x_position(index, len(series["values"]), plot_width), y_position(value))
                          for index, value in enumerate(series["values"]))
        elements.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="1.6"%s><title>%s</title>'
                        '</polyline>' % (points, colour, dash, escape(series["label"])))
        column, row = number % LEGEND_COLUMNS, number // LEGEND_COLUMNS
        x = MARGIN_LEFT + column * column_width
        y = legend_top + row * LEGEND_ROW_HEIGHT + 8
        elements.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="2"%s/>' % (
            x, y - 4, x + 18, y - 4, colour, dash))
        elements.append('<text x="%.1f" y="%d" class="legend">%s</text>' % (x + 24, y, escape(series["label"])))
    if not panel["series"]:
        elements.append('<text x="%d" y="%d" class="legend">no data in the window</text>' % (
            MARGIN_LEFT, legend_top + 8))
    return elements


def render_svg(title, subtitle, times, panels):
    """The whole chart as an SVG 1.1 document (UTF-8 text)."""
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    height = HEADER_HEIGHT + sum(panel_height(panel) for panel in panels)
    elements = [
        '<text x="%d" y="20" class="title">%s</text>' % (MARGIN_LEFT, escape(title)),
        '<text x="%d" y="38" class="legend">%s</text>' % (MARGIN_LEFT, escape(subtitle)),
    ]
    top = HEADER_HEIGHT
    for panel in panels:
        elements.extend(render_panel(panel, times, top, plot_width))
        top += panel_height(panel)
    style = ("text{font-family:sans-serif;fill:#222}.title{font-size:15px;font-weight:bold}"
             ".panel{font-size:13px;font-weight:bold}.tick{font-size:10px;fill:#555}.legend{font-size:11px}"
             ".plot{fill:#fff;stroke:#bbb}.grid{stroke:#e5e5e5;stroke-width:1}")
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" viewBox="0 0 %d %d">' % (
            WIDTH, height, WIDTH, height),
        '<title>%s</title>' % escape(title),
        '<style>%s</style>' % style,
        '<rect x="0" y="0" width="%d" height="%d" fill="#fafafa"/>' % (WIDTH, height),
    ] + elements + ["</svg>", ""])
