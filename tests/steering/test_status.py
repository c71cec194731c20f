"""The status of an indicator against its target, and periods: pure functions, no database."""

from __future__ import annotations

from datetime import date

import pytest

from dialogue.steering.status import PeriodError, Point, Status, assess, parse_period


def pts(*pairs):
    return [Point(date(year, month, 28 if month == 2 else 30 if month in (6, 9) else 31), value)
            for (year, month), value in pairs]


@pytest.mark.parametrize(("points", "kwargs", "expected"), [
    # nothing measured
    ([], {"target": 93, "target_year": 2018}, Status.no_data),
    # the latest reaches the target exactly: met, even if the trend falls
    (pts(((2015, 12), 95), ((2016, 12), 93)), {"target": 93, "target_year": 2018}, Status.met),
    # rising 1.5 a year from 89: 92 at the end of 2017, 93.5 projected for 2018
    (pts(((2015, 12), 89), ((2017, 12), 92)), {"target": 93, "target_year": 2018}, Status.on_track),
    # rising 0.5 a year: 92.5 projected, short of 93
    (pts(((2015, 12), 91), ((2017, 12), 92)), {"target": 93, "target_year": 2018}, Status.off_track),
    # falling away from the target
    (pts(((2015, 12), 92), ((2017, 12), 90)), {"target": 93, "target_year": 2018}, Status.off_track),
    # one value and no baseline: no trend to see
    (pts(((2017, 12), 92)), {"target": 93, "target_year": 2018}, Status.off_track),
    # the target year is over and the target was not reached
    (pts(((2017, 12), 80), ((2018, 12), 90)), {"target": 93, "target_year": 2018}, Status.off_track),
    # lower is better: rank 8 reaches "among the ten best"
    (pts(((2016, 12), 14), ((2017, 12), 8)), {"target": 10, "target_year": 2018, "higher_is_better": False},
     Status.met),
    # lower is better: from 20 to 14 in a year, 8 projected: on track
    (pts(((2016, 12), 20), ((2017, 12), 14)), {"target": 10, "target_year": 2018, "higher_is_better": False},
     Status.on_track),
    # lower is better: 131 to 112 in two years, about 102 projected: off track
    (pts(((2015, 12), 131), ((2017, 12), 112)), {"target": 10, "target_year": 2018, "higher_is_better": False},
     Status.off_track),
    # lower is better, and a higher value is not "met"
    (pts(((2017, 12), 12)), {"target": 10, "target_year": 2018, "higher_is_better": False}, Status.off_track),
])
def test_status_table(points, kwargs, expected):
    assert assess(points, **kwargs).status == expected


def test_the_baseline_starts_the_line_when_given():
    one = pts(((2017, 12), 91))
    # from a baseline of 85 at the end of 2015, 91 two years later: 94 projected for 2018
    assessed = assess(one, target=93, target_year=2018, baseline=Point(date(2015, 12, 31), 85))
    assert assessed.status == Status.on_track
    assert assessed.projected == pytest.approx(94, abs=0.05)
    # a baseline after the latest value gives no line
    late = assess(one, target=93, target_year=2018, baseline=Point(date(2018, 12, 31), 85))
    assert late.status == Status.off_track


def test_measurements_in_any_order():
    points = pts(((2017, 12), 92), ((2015, 12), 89))
    assessed = assess(points, target=93, target_year=2018)
    assert assessed.status == Status.on_track
    assert assessed.latest.value == 92


@pytest.mark.parametrize(("raw", "text", "end"), [
    ("2024", "2024", date(2024, 12, 31)),
    (2024, "2024", date(2024, 12, 31)),
    ("2024H1", "2024H1", date(2024, 6, 30)),
    ("2024-h2", "2024H2", date(2024, 12, 31)),
    (" 2024 Q3 ", "2024Q3", date(2024, 9, 30)),
    ("2024q1", "2024Q1", date(2024, 3, 31)),
    ("2024/Q4", "2024Q4", date(2024, 12, 31)),
])
def test_periods_are_normalised(raw, text, end):
    assert parse_period(raw) == (text, end)


@pytest.mark.parametrize("raw", ["", "24", "2024H3", "2024Q5", "2024-06", "1850", "H1 2024", "2024 H", True, None])
def test_bad_periods(raw):
    with pytest.raises(PeriodError):
        parse_period(raw)
