"""One number formatter (report.numbers) for every renderer, one rule per quantity.

The Markdown text and the HTML charts once wrote the same latency two ways (``85ms`` in
the text, ``85.4 ms`` in a chart's data table); both now write it by the same rule.
"""

from __future__ import annotations

import re

import pytest

from portfolio.report import numbers
from portfolio.report.fmt import Fmt
from portfolio.report.model import Report
from portfolio.report.render.html import render_html
from portfolio.report.render.markdown import render_markdown
from tests.report.conftest import SimulatedMonth


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (numbers.ms(85.4, "ja"), "85ms"),
        (numbers.ms(85.5, "en"), "86 ms"),
        (numbers.ms(12.34, "ja", 1), "12.3ms"),
        (numbers.ms(1234.0, "en"), "1,234 ms"),
        (numbers.percent(99.95, 2), "99.95%"),
        (numbers.percent(0.2), "0.2%"),
        (numbers.usd(8.45), "$8.45"),
        (numbers.usd(-1.2), "-$1.20"),
        (numbers.usd(0.0000806, 6), "$0.000081"),
        (numbers.count(36966), "36,966"),
        (numbers.number(2.3456, 3), "2.346"),
        (numbers.change(3.21), "+3.2%"),
        (numbers.change(-0.04), "-0.0%"),
        (numbers.minutes(43.2), "43.2 min"),
        (numbers.minutes(90.0, 0), "90 min"),
        (numbers.data_rate(0.000463), "0.463 KB/s"),
        (numbers.data_rate(0.0463), "46.3 KB/s"),
        (numbers.data_rate(0.463), "463 KB/s"),
        (numbers.data_rate(1.25), "1.25 MB/s"),
    ],
)
def test_each_quantity_has_one_rule(written: str, expected: str) -> None:
    assert written == expected


def test_the_composer_writes_through_the_rules(simulated: SimulatedMonth) -> None:
    for lang in ("ja", "en"):
        f = Fmt(simulated.report, lang)
        assert f.ms(85.4) == numbers.ms(85.4, lang)
        assert f.pct(99.953, 2) == numbers.percent(99.953, 2)
        assert f.usd(8.449) == numbers.usd(8.449)
        assert f.change(-2.25) == numbers.change(-2.25)


def _cells(html: str, figure: str) -> list[list[str]]:
    block = html.split(f'id="fig-{figure}"', 1)[1].split("</figure>", 1)[0]
    body = block.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td>([^<]*)</td>", row) for row in body.split("</tr>") if "<td>" in row]


def _tooltips(html: str, figure: str) -> list[str]:
    block = html.split(f'id="fig-{figure}"', 1)[1].split("</figure>", 1)[0]
    return re.findall(r"<circle[^>]*><title>([^<]*)</title>", block)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_chart_writes_a_latency_as_the_text_does(simulated: SimulatedMonth, lang: str) -> None:
    report: Report = simulated.report
    html = render_html(report, lang)  # type: ignore[arg-type]
    hours = [h for h in report.performance.by_hour if h.p50_ms is not None]
    assert hours
    rows = _cells(html, "hourly")
    for hour, row in zip(report.performance.by_hour, rows, strict=True):
        if hour.p50_ms is not None:
            assert row[2] == numbers.ms(hour.p50_ms, lang)  # type: ignore[arg-type]
    tips = _tooltips(html, "hourly")
    assert tips
    assert all(re.search(r": [\d,]+ ?ms$", tip) for tip in tips), tips[:3]
    # The text's weekly table and the weekly chart's points: one latency, one spelling.
    markdown = render_markdown(report, lang)  # type: ignore[arg-type]
    first = report.performance.weekly[0]
    assert first.avg_ms is not None
    assert numbers.ms(first.avg_ms, lang) in markdown  # type: ignore[arg-type]
    assert any(tip.endswith(numbers.ms(first.avg_ms, lang)) for tip in _tooltips(html, "weekly"))  # type: ignore[arg-type]


def test_a_slow_network_rate_keeps_its_digits(simulated: SimulatedMonth) -> None:
    """A quiet month moves well under 1 MB/s: '0.001 MB/s' said nothing of the figure."""
    rate = simulated.report.services.compute.network_mb_per_s
    assert rate is not None
    assert rate < 0.01
    assert f"{rate:.3g}" == str(rate)  # report.json keeps three significant digits
    written = numbers.data_rate(rate)
    assert written.endswith(" KB/s")
    assert float(written.split()[0]) == pytest.approx(rate * 1000, rel=0.01)
    assert f"**ネットワークI/O**: 平均{written}" in render_markdown(simulated.report, "ja")
    assert f"**Network I/O**: average {written}" in render_markdown(simulated.report, "en")
