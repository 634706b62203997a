"""The recent read rate that `stconfig run` shows in its progress lines."""

from __future__ import annotations

import pytest

from stconfig.server.engine.metrics import METRICS_INTERVAL, ReadRate


def _rate_with_reports(reports: list[tuple[float, int]]) -> ReadRate:
    rate = ReadRate(0.0)
    for when, rows in reports:
        rate.add(when, rows)
    return rate


def test_rate_before_any_report_is_zero() -> None:
    assert ReadRate(0.0).rate(1.0, now=0.3) == 0.0


def test_rate_counts_from_job_start() -> None:
    rate = _rate_with_reports([(0.5, 500)])
    assert rate.rate(1.0, now=0.6) == pytest.approx(1000.0)


def test_rate_covers_recent_window_only() -> None:
    reports = [(0.5 * step, 1000 * step) for step in range(1, 21)]
    reports += [(10.5, 20_100), (11.0, 20_200)]
    rate = _rate_with_reports(reports)
    assert rate.rate(1.0, now=11.1) == pytest.approx(200.0)


def test_rate_is_zero_once_reports_stop() -> None:
    rate = _rate_with_reports([(0.5, 10_000), (1.0, 20_000)])
    assert rate.rate(1.0, now=1.2) == pytest.approx(20_000.0)
    assert rate.rate(1.0, now=1.0 + 2 * METRICS_INTERVAL + 0.01) == 0.0


def test_rate_is_zero_for_idle_reports() -> None:
    rate = _rate_with_reports([(0.5, 10_000), (5.5, 10_000)])
    assert rate.rate(1.0, now=5.6) == 0.0
