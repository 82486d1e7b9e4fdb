"""Tests for dataprotect.backup._retention (restic ``forget`` semantics)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
import subprocess

from dataclasses import dataclass
from pathlib import Path

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from dataprotect.backup._retention import RetentionPlan, RetentionPolicy
from dataprotect.errors import ConfigurationError
from helpers import require_binary


def d(text: str) -> dt.datetime:
    """A naive datetime from ISO text."""
    return dt.datetime.fromisoformat(text)


@dataclass
class Snap:
    """A stand-in backup listing entry."""

    name: str
    when: dt.datetime


class TestCountingRules:
    def test_keep_last(self):
        """keep_last keeps the n newest items, whatever their periods."""
        items = [d(f"2024-01-01T00:0{i}") for i in range(5)]
        plan = RetentionPolicy(keep_last=3).select(items)
        assert plan.keep == tuple(reversed(items))[:3]
        assert plan.remove == tuple(reversed(items))[3:]
        assert plan.reasons == (("last",),) * 3

    def test_newest_of_each_day_is_kept(self):
        """keep_daily keeps the newest item of each day."""
        items = [
            d("2024-01-01T08:00"),
            d("2024-01-01T20:00"),
            d("2024-01-02T01:00"),
            d("2024-01-02T23:59"),
            d("2024-01-03T12:00"),
        ]
        plan = RetentionPolicy(keep_daily=2).select(items)
        assert plan.keep == (d("2024-01-03T12:00"), d("2024-01-02T23:59"))

    def test_only_periods_with_items_count(self):
        """Empty days between items use up no count."""
        items = [d("2024-01-01T00:00"), d("2024-01-10T00:00"), d("2024-02-01")]
        plan = RetentionPolicy(keep_daily=3).select(items)
        assert plan.keep == tuple(sorted(items, reverse=True))
        assert plan.remove == ()

    def test_iso_weeks(self):
        """Weeks are ISO weeks: 30 Dec 2024 and 1 Jan 2025 share one."""
        items = [d("2024-12-29T12:00"), d("2024-12-30"), d("2025-01-01")]
        plan = RetentionPolicy(keep_weekly=5).select(items)
        assert plan.keep == (d("2025-01-01"), d("2024-12-29T12:00"))

    def test_hourly_monthly_yearly(self):
        """Each counting rule buckets by its own period."""
        items = [
            d("2023-05-01T10:10"),
            d("2024-05-01T10:10"),
            d("2024-05-01T10:50"),
            d("2024-06-01T09:00"),
            d("2024-06-01T11:00"),
        ]
        hourly = RetentionPolicy(keep_hourly=10).select(items)
        assert d("2024-05-01T10:10") not in hourly.keep
        assert len(hourly.keep) == 4
        monthly = RetentionPolicy(keep_monthly=2).select(items)
        assert monthly.keep == (d("2024-06-01T11:00"), d("2024-05-01T10:50"))
        yearly = RetentionPolicy(keep_yearly=5).select(items)
        assert yearly.keep == (d("2024-06-01T11:00"), d("2023-05-01T10:10"))

    def test_unlimited(self):
        """-1 keeps every period."""
        items = [
            d(f"2024-01-{day:02}T0{h}:00") for day in (1, 2) for h in (1, 2)
        ]
        plan = RetentionPolicy(keep_daily=-1).select(items)
        assert plan.keep == (d("2024-01-02T02:00"), d("2024-01-01T02:00"))

    def test_several_reasons(self):
        """One item counts for every rule that keeps it."""
        items = [d("2024-01-01T10:00"), d("2024-01-02T10:00")]
        plan = RetentionPolicy(
            keep_last=1, keep_daily=2, keep_within="1d2h"
        ).select(items)
        assert plan.explain() == [
            (d("2024-01-02T10:00"), ("within 1d2h", "last", "daily")),
            (d("2024-01-01T10:00"), ("within 1d2h", "daily")),
        ]

    def test_key_and_objects(self):
        """Any objects are accepted with a key function."""
        snaps = [Snap("a", d("2024-01-01")), Snap("b", d("2024-01-03"))]
        plan = RetentionPolicy(keep_last=1).select(snaps, key=lambda s: s.when)
        assert [s.name for s in plan.keep] == ["b"]
        assert [s.name for s in plan.remove] == ["a"]

    def test_empty_listing(self):
        """Nothing to select gives an empty plan."""
        assert RetentionPolicy(keep_last=1).select([]) == RetentionPlan(
            (), (), ()
        )

    def test_ties_keep_listing_order(self):
        """Equal times keep their listing order, as restic's stable sort."""
        a, b = Snap("a", d("2024-01-01")), Snap("b", d("2024-01-01"))
        plan = RetentionPolicy(keep_daily=1).select(
            [a, b], key=lambda s: s.when
        )
        assert plan.keep == (a,)
        plan = RetentionPolicy(keep_daily=1).select(
            [b, a], key=lambda s: s.when
        )
        assert plan.keep == (b,)

    def test_aware_datetimes_use_their_own_wall_clock(self):
        """Periods come from each datetime's own offset (restic's local time)."""
        plus2 = dt.timezone(dt.timedelta(hours=2))
        items = [
            dt.datetime(2024, 1, 2, 1, 0, tzinfo=plus2),  # 1 Jan 23:00 UTC
            dt.datetime(2024, 1, 1, 22, 0, tzinfo=dt.timezone.utc),
        ]
        plan = RetentionPolicy(keep_daily=5).select(items)
        assert len(plan.keep) == 2


class TestWithin:
    def test_strictly_newer(self):
        """An item exactly at the cutoff is not kept."""
        items = [
            d("2024-01-11T00:00"),
            d("2024-01-01T00:00"),
            d("2024-01-01T00:01"),
        ]
        plan = RetentionPolicy(keep_within="10d").select(items)
        assert plan.keep == (d("2024-01-11T00:00"), d("2024-01-01T00:01"))

    def test_months_normalise_like_go(self):
        """31 March minus one month is 2 March in a leap year (Go's AddDate)."""
        ref = d("2024-03-31T12:00")
        items = [
            ref,
            d("2024-03-02T12:00"),
            d("2024-03-02T12:01"),
            d("2024-02-29"),
        ]
        plan = RetentionPolicy(keep_within="1m").select(items)
        assert plan.keep == (ref, d("2024-03-02T12:01"))

    def test_years_months_days_hours(self):
        """ "1y6m2d3h" counts years, months, days, then hours back."""
        ref = d("2024-08-10T12:00")
        cutoff = d("2023-02-08T09:00")
        items = [ref, cutoff, cutoff + dt.timedelta(seconds=1)]
        plan = RetentionPolicy(keep_within="1y6m2d3h").select(items)
        assert plan.keep == (ref, cutoff + dt.timedelta(seconds=1))

    def test_timedelta(self):
        """A timedelta is an exact span."""
        items = [d("2024-01-02T00:00"), d("2024-01-01T00:00:01")]
        plan = RetentionPolicy(keep_within=dt.timedelta(days=1)).select(items)
        assert plan.keep == tuple(items)

    def test_now_replaces_newest(self):
        """now= is the reference time instead of the newest item."""
        items = [d("2024-01-10"), d("2024-01-05"), d("2024-01-01")]
        plan = RetentionPolicy(keep_within="7d").select(
            items, now=d("2024-01-11")
        )
        assert plan.keep == (d("2024-01-10"), d("2024-01-05"))

    def test_newest_always_kept(self):
        """With now= past every span the newest item is still kept."""
        items = [d("2024-01-10"), d("2024-01-05")]
        plan = RetentionPolicy(keep_within="1d").select(
            items, now=d("2030-01-01")
        )
        assert plan.explain() == [(d("2024-01-10"), ("newest",))]

    def test_within_periods(self):
        """keep_within_daily keeps the newest item per day inside the span."""
        items = [
            d("2024-01-10T20:00"),
            d("2024-01-10T08:00"),
            d("2024-01-09T08:00"),
            d("2024-01-07T08:00"),
        ]
        plan = RetentionPolicy(keep_within_daily="2d").select(items)
        assert plan.keep == (d("2024-01-10T20:00"), d("2024-01-09T08:00"))
        assert plan.reasons == (("daily within 2d",),) * 2

    @pytest.mark.parametrize(
        ("items", "within"),
        [
            (["2024-01-01", "1000-01-01", "0001-01-01T00:00:01"], "3000y"),
            (["0001-03-01", "0001-01-10"], "1y"),
            (["0001-01-05", "0001-01-02T12:00"], "10d"),
        ],
        ids=[
            "years-before-year-1",
            "months-before-year-1",
            "days-before-year-1",
        ],
    )
    def test_span_reaching_before_year_one(self, items, within):
        """A span reaching before year 1 keeps everything instead of overflowing."""
        whens = [d(i) for i in items]
        plan = RetentionPolicy(keep_within=within).select(whens)
        assert plan.keep == tuple(whens)
        assert plan.reasons == ((f"within {within}",),) * len(whens)
        aware = [
            w.replace(tzinfo=dt.timezone(dt.timedelta(hours=2))) for w in whens
        ]
        assert RetentionPolicy(keep_within=within).select(aware).keep == tuple(
            aware
        )

    @pytest.mark.parametrize(
        "span", ["1y", "6m", dt.timedelta(days=400), "1y1h"]
    )
    def test_earliest_datetime_inside_a_long_span(self, span):
        """An item at datetime.min is strictly newer than a cutoff before year 1."""
        items = [d("0001-06-01"), d("0001-01-01T00:00")]
        plan = RetentionPolicy(keep_within=span).select(items)
        assert plan.keep == tuple(items)
        plan = RetentionPolicy(keep_within_daily=span).select(items)
        assert plan.keep == tuple(items)

    def test_zero_duration_is_off(self):
        """A zero duration disables its rule, as in restic."""
        with pytest.raises(ConfigurationError):
            RetentionPolicy(keep_within="0d")
        policy = RetentionPolicy(keep_last=1, keep_within=dt.timedelta(0))
        assert len(policy.select([d("2024-01-01"), d("2023-01-01")]).keep) == 1


class TestConfiguration:
    def test_describe(self):
        """describe() states the policy as restic does."""
        policy = RetentionPolicy(
            keep_last=1,
            keep_daily=-1,
            keep_within_weekly="1y",
            keep_within="10d",
        )
        assert policy.describe() == (
            "keep 1 latest, all daily backups, weekly backups within 1y"
            " and all backups within 10d of the newest"
        )
        assert RetentionPolicy(keep_within="2h").describe() == (
            "keep all backups within 2h of the newest"
        )

    def test_describe_without_keep_within(self):
        """describe() of counting and periodic rules alone has no 'of the newest' clause."""
        assert RetentionPolicy(keep_last=3, keep_monthly=6).describe() == (
            "keep 3 latest, 6 monthly backups"
        )
        assert RetentionPolicy(keep_within_daily="7d").describe() == (
            "keep daily backups within 7d"
        )

    @pytest.mark.parametrize(
        "kwargs",
        [
            {},
            {"keep_last": 0},
            {"keep_daily": -2},
            {"keep_within": "10x"},
            {"keep_within": "d"},
            {"keep_within": "1d1d"},
            {"keep_within": ""},
            {"keep_within_daily": "-1d"},
            {"keep_within": dt.timedelta(seconds=-1)},
        ],
    )
    def test_refused(self, kwargs):
        """Policies that keep nothing or are malformed are refused."""
        with pytest.raises(ConfigurationError):
            RetentionPolicy(**kwargs)

    @pytest.mark.parametrize(
        "kwargs", [{"keep_last": True}, {"keep_last": 1.0}, {"keep_within": 3}]
    )
    def test_wrong_types(self, kwargs):
        """Wrong argument types are TypeErrors."""
        with pytest.raises(TypeError):
            RetentionPolicy(**kwargs)

    def test_mixed_naive_aware(self):
        """Mixing naive and aware datetimes is refused."""
        items = [
            d("2024-01-01"),
            dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc),
        ]
        with pytest.raises(ConfigurationError):
            RetentionPolicy(keep_last=1).select(items)

    def test_not_datetimes(self):
        """Items that are not datetimes are a TypeError."""
        with pytest.raises(TypeError):
            RetentionPolicy(keep_last=1).select(["2024-01-01"])  # type: ignore[list-item]

    def test_error_message_hides_value(self):
        """A malformed duration is not echoed in the message."""
        with pytest.raises(ConfigurationError) as info:
            RetentionPolicy(keep_within="secret-ish")
        assert "secret-ish" not in str(info.value)


# --- properties -------------------------------------------------------------

times = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2026, 12, 31),  # noqa: DTZ001
)
listings = st.lists(times, min_size=1, max_size=40, unique=True)
counts = st.one_of(st.just(-1), st.integers(0, 6))
spans = st.one_of(
    st.none(),
    st.builds(
        lambda y, m, days, h: f"{y}y{m}m{days}d{h}h",
        st.integers(0, 2),
        st.integers(0, 12),
        st.integers(0, 40),
        st.integers(0, 48),
    ),
)
COUNT_NAMES = (
    "keep_last",
    "keep_hourly",
    "keep_daily",
    "keep_weekly",
    "keep_monthly",
    "keep_yearly",
)
SPAN_NAMES = (
    "keep_within",
    "keep_within_hourly",
    "keep_within_daily",
    "keep_within_weekly",
    "keep_within_monthly",
    "keep_within_yearly",
)


@st.composite
def policies(draw):
    """Keyword arguments of a valid policy."""
    kwargs = {n: draw(counts) for n in COUNT_NAMES}
    kwargs |= {n: draw(spans) for n in SPAN_NAMES}
    if not any(kwargs[n] for n in COUNT_NAMES):
        kwargs["keep_last"] = 1
    return kwargs


def _grow(kwargs, draw):
    """A policy that keeps at least as much as *kwargs*."""
    bigger = dict(kwargs)
    for name in COUNT_NAMES:
        if bigger[name] != -1:
            bigger[name] = draw(
                st.sampled_from([-1, bigger[name], bigger[name] + 2])
            )
    for name in SPAN_NAMES:
        extra = draw(st.integers(0, 30))
        if bigger[name] is None:
            bigger[name] = draw(spans)
        else:
            y, rest = kwargs[name].split("y")
            m, rest = rest.split("m")
            days, rest = rest.split("d")
            hours = rest.rstrip("h")
            bigger[name] = f"{y}y{m}m{int(days) + extra}d{hours}h"
    return bigger


class TestProperties:
    @settings(max_examples=150, deadline=None)
    @given(items=listings, kwargs=policies(), now_shift=st.integers(-50, 50))
    def test_newest_always_kept(self, items, kwargs, now_shift):
        """The newest item is kept by every policy, whatever now= is."""
        now = max(items) + dt.timedelta(days=now_shift)
        plan = RetentionPolicy(**kwargs).select(items, now=now)
        assert plan.keep[0] == max(items)
        assert set(plan.keep) | set(plan.remove) == set(items)
        assert not set(plan.keep) & set(plan.remove)
        assert list(plan.keep) == sorted(plan.keep, reverse=True)
        assert list(plan.remove) == sorted(plan.remove, reverse=True)
        assert all(plan.reasons)

    @settings(max_examples=150, deadline=None)
    @given(items=listings, kwargs=policies(), data=st.data())
    def test_monotonic(self, items, kwargs, data):
        """A policy that keeps more per rule keeps a superset."""
        bigger = _grow(kwargs, data.draw)
        small = set(RetentionPolicy(**kwargs).select(items).keep)
        large = set(RetentionPolicy(**bigger).select(items).keep)
        assert small <= large

    @settings(max_examples=150, deadline=None)
    @given(items=listings, kwargs=policies(), seed=st.integers(0, 2**32))
    def test_order_independent(self, items, kwargs, seed):
        """Selection does not depend on the listing order."""
        policy = RetentionPolicy(**kwargs)
        shuffled = list(items)
        random.Random(seed).shuffle(shuffled)
        assert policy.select(items) == policy.select(shuffled)

    @settings(max_examples=100, deadline=None)
    @given(
        whens=st.lists(
            st.sampled_from(
                [d("2024-01-01"), d("2024-01-02"), d("2024-02-01")]
            ),
            min_size=1,
            max_size=10,
        ),
        kwargs=policies(),
        seed=st.integers(0, 2**32),
    )
    def test_order_independent_with_ties(self, whens, kwargs, seed):
        """With equal times the kept times are still the same."""
        snaps = [Snap(str(i), w) for i, w in enumerate(whens)]
        shuffled = list(snaps)
        random.Random(seed).shuffle(shuffled)
        policy = RetentionPolicy(**kwargs)
        a = policy.select(snaps, key=lambda s: s.when)
        b = policy.select(shuffled, key=lambda s: s.when)
        assert [s.when for s in a.keep] == [s.when for s in b.keep]
        assert a.reasons == b.reasons


# --- against restic -----------------------------------------------------------

RESTIC = json.loads(
    (
        Path(__file__).parents[1]
        / "vectors"
        / "retention"
        / "restic-forget.json"
    ).read_text(encoding="utf-8")
)
REASON_NAMES = {
    "last snapshot": "last",
    "hourly snapshot": "hourly",
    "daily snapshot": "daily",
    "weekly snapshot": "weekly",
    "monthly snapshot": "monthly",
    "yearly snapshot": "yearly",
}


def _generator():
    """The vector generator module (it also builds live repositories)."""
    path = Path(__file__).parents[1] / "vectors" / "make_retention_vectors.py"
    spec = importlib.util.spec_from_file_location(
        "make_retention_vectors", path
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _compare(snapshots, case, decision):
    """Our plan for *case* equals restic's *decision* (ids and reasons)."""
    plan = RetentionPolicy(**case["kwargs"]).select(
        snapshots, key=lambda s: dt.datetime.fromisoformat(s["time"])
    )
    assert [s["id"] for s in plan.keep] == decision["keep"]
    assert [s["id"] for s in plan.remove] == decision["remove"]
    theirs = [
        tuple(REASON_NAMES.get(m, m) for m in r) for r in decision["reasons"]
    ]
    assert [sorted(r) for r in plan.reasons] == [sorted(r) for r in theirs]


def _case_id(case):
    return " ".join(case["flags"])


class TestResticRecorded:
    def test_recorded_with_restic(self):
        """The vectors were recorded from the real restic."""
        assert RESTIC["restic"].startswith("restic 0.14")
        assert len(RESTIC["snapshots"]) == 24

    @pytest.mark.parametrize("case", RESTIC["cases"], ids=_case_id)
    def test_same_decisions(self, case):
        """Keep, remove and reasons match restic's recorded `forget --dry-run`."""
        _compare(RESTIC["snapshots"], case, case)


@pytest.fixture(name="restic_repo", scope="module")
def _restic_repo(tmp_path_factory):
    restic = require_binary("restic")
    root = tmp_path_factory.mktemp("restic")
    gen = _generator()
    gen.make_repository(restic, root)
    return gen, restic, root


@pytest.mark.services
class TestAgainstRestic:
    @pytest.mark.parametrize("case", RESTIC["cases"], ids=_case_id)
    def test_same_decisions(self, restic_repo, case):
        """Keep, remove and reasons match a live `restic forget --dry-run`."""
        gen, restic, root = restic_repo
        snapshots = json.loads(
            subprocess.run(
                [restic, "-q", "snapshots", "--json"],
                env=gen.restic_env(root),
                cwd=root,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        assert len(snapshots) == len(gen.SNAPSHOT_TIMES)
        _compare(snapshots, case, gen.forget(restic, root, case["flags"]))
