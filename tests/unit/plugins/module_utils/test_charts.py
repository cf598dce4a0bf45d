"""charts: a hand-written SVG that any XML parser reads, one polyline per series. Pure functions."""
import datetime
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose import charts

SVG = "{http://www.w3.org/2000/svg}"
UTC = datetime.timezone.utc
TIMES = [datetime.datetime(2026, 11, 25, 8, 0, tzinfo=UTC) + datetime.timedelta(minutes=5 * n) for n in range(36)]


def panel(title, *series, **extra):
    return dict(title=title, series=[dict(label=label, values=values, dashed=dashed)
                                     for label, values, dashed in series], **extra)


class TestNumbers:
    @pytest.mark.parametrize("value, ceiling", [(0, 1), (-3, 1), (0.3, 0.5), (1, 1), (1.2, 2), (7, 10), (12, 20),
                                                (22, 25), (300, 500), (1001, 2000)])
    def test_nice_ceiling(self, value, ceiling):
        assert charts.nice_ceiling(value) == pytest.approx(ceiling)

    @pytest.mark.parametrize("value, text", [(0, "0"), (0.5, "0.5"), (250, "250"), (1500, "1.5k"),
                                             (2000000, "2M")])
    def test_axis_number(self, value, text):
        assert charts.axis_number(value) == text

    def test_time_labels_at_most_eight_and_dated_beyond_a_day(self):
        labels = charts.time_labels(TIMES)
        assert len(labels) <= charts.MAX_X_LABELS and labels[0] == (0, "08:00")
        long_times = [TIMES[0] + datetime.timedelta(hours=n) for n in range(48)]
        assert charts.time_labels(long_times)[0][1] == "11-25 08:00"
        assert charts.time_labels([]) == []


class TestRenderSvg:
    def test_render_svg_parses_with_one_polyline_per_series_and_threshold(self):
        svg = charts.render_svg("DynamoDB stack s", "window", TIMES, [
            panel("t: consumed", ("read", [0.0] * 36, False), ("write", [float(n) for n in range(36)], False)),
            panel("t: throttles", ("WriteThrottleEvents", [0.0] * 35 + [12.0], False),
                  ("gsi WriteThrottleEvents", [1.0] * 36, True), threshold=dict(value=5, label="threshold 5")),
        ])

        root = ET.fromstring(svg.encode("utf-8"))
        assert root.tag == SVG + "svg"
        polylines = root.findall(SVG + "polyline")
        assert len(polylines) == 4
        assert all(len(line.get("points").split()) == 36 for line in polylines)
        assert polylines[3].get("stroke-dasharray") == "6 3"
        texts = [text.text for text in root.iter(SVG + "text")]
        assert "threshold 5" in texts and "t: throttles" in texts

    def test_render_svg_values_inside_the_plot(self):
        svg = charts.render_svg("t", "s", TIMES[:3], [panel("p", ("x", [0.0, 7.0, 3.0], False))])

        points = ET.fromstring(svg).find(SVG + "polyline").get("points").split()
        ys = [float(point.split(",")[1]) for point in points]
        top = charts.HEADER_HEIGHT + charts.PANEL_TITLE_HEIGHT
        assert ys[0] == top + charts.PLOT_HEIGHT  # 0 at the bottom
        assert ys[1] == pytest.approx(top + charts.PLOT_HEIGHT * (1 - 7 / 10.0))  # scale 0..10

    def test_render_svg_escapes_names(self):
        svg = charts.render_svg("a<b & c", "s", TIMES[:2], [panel('t "x" <y>', ("<&>", [1.0, 2.0], False))])

        root = ET.fromstring(svg)
        assert root.find(SVG + "title").text == "a<b & c"
        assert "<&>" in [text.text for text in root.iter(SVG + "text")]

    def test_render_svg_empty_panel_and_single_point(self):
        svg = charts.render_svg("t", "s", TIMES[:1], [panel("empty"), panel("one", ("x", [3.0], False))])

        root = ET.fromstring(svg)
        assert "no data in the window" in [text.text for text in root.iter(SVG + "text")]
        assert len(root.findall(SVG + "polyline")) == 1
