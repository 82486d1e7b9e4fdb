"""Retention policies with restic's ``forget`` semantics.

The rules, exactly as ``restic forget`` applies them (``ApplyPolicy`` in
restic's ``internal/restic/snapshot_policy.go``, release 0.14):

- Items are walked newest first (a stable sort: items with equal times keep
  their listing order).
- Each counting rule (``keep_last``, ``keep_hourly`` ... ``keep_yearly``)
  keeps an item when the item's period (hour, day, ISO week, month, year; for
  ``keep_last`` every item is its own period) differs from the period of the
  last item *that rule* kept, and the rule's count is not used up.  So the
  newest item of each period is kept, and only periods that contain an item
  count.  ``-1`` means no limit.
- ``keep_within`` keeps every item strictly newer than the reference time
  minus the duration; ``keep_within_hourly`` ... ``_yearly`` keep the newest
  item of each period strictly inside that span.  The reference time is the
  newest item, or ``now=`` when given.
- One item may be kept by several rules; every rule that kept it is a reason.
- Periods are read from each datetime's own wall-clock fields (local time as
  recorded, as restic does); weeks are ISO weeks.

On top of restic, a policy that keeps nothing is refused and the newest item
is always kept (with the reason ``"newest"`` if no rule kept it, which only
happens when ``now=`` lies past the ``keep_within*`` spans).
"""

from __future__ import annotations

import datetime as dt
import re

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar, overload

from dataprotect.errors import ConfigurationError


__all__ = ["RetentionPlan", "RetentionPolicy"]

T = TypeVar("T")

_DURATION: Final = re.compile(r"(\d+)([ymdh])")
_COUNTS: Final = (
    ("keep_last", "last"),
    ("keep_hourly", "hourly"),
    ("keep_daily", "daily"),
    ("keep_weekly", "weekly"),
    ("keep_monthly", "monthly"),
    ("keep_yearly", "yearly"),
)
_WITHINS: Final = (
    ("keep_within_hourly", "hourly"),
    ("keep_within_daily", "daily"),
    ("keep_within_weekly", "weekly"),
    ("keep_within_monthly", "monthly"),
    ("keep_within_yearly", "yearly"),
)


def _period(kind: str, when: dt.datetime, index: int) -> tuple[int, ...]:
    if kind == "last":
        return (index,)
    if kind == "hourly":
        return (when.year, when.month, when.day, when.hour)
    if kind == "daily":
        return (when.year, when.month, when.day)
    if kind == "weekly":
        iso = when.isocalendar()
        return (iso.year, iso.week)
    if kind == "monthly":
        return (when.year, when.month)
    return (when.year,)


@dataclass(frozen=True, slots=True)
class _Duration:
    """restic's duration: years, months, days and hours, applied in that
    order as Go's ``AddDate`` then ``Add`` do."""

    years: int = 0
    months: int = 0
    days: int = 0
    hours: int = 0
    delta: dt.timedelta | None = None
    text: str = ""

    @classmethod
    def parse(cls, name: str, value: object) -> _Duration | None:
        if isinstance(value, dt.timedelta):
            if value < dt.timedelta(0):
                msg = f"{name} must not be negative"
                raise ConfigurationError(msg)
            if not value:
                return None
            return cls(delta=value, text=str(value))
        if not isinstance(value, str):
            msg = f"{name} must be a str or a timedelta"
            raise TypeError(msg)
        text = value.strip()
        parts: dict[str, int] = {}
        pos = 0
        while pos < len(text):
            match = _DURATION.match(text, pos)
            if match is None or match.group(2) in parts:
                msg = f"{name} must be a duration such as '10d' or '1y6m2h'"
                raise ConfigurationError(msg)
            parts[match.group(2)] = int(match.group(1))
            pos = match.end()
        if not parts:
            msg = f"{name} must be a duration such as '10d' or '1y6m2h'"
            raise ConfigurationError(msg)
        if not any(parts.values()):
            return None
        return cls(
            years=parts.get("y", 0),
            months=parts.get("m", 0),
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            text=text,
        )

    def before(self, ref: dt.datetime) -> dt.datetime | None:
        """The instant this duration before *ref* (Go's AddDate + Add).

        ``None`` when that instant lies before year 1: every item is then
        strictly newer.
        """
        try:
            return self._before(ref)
        except (OverflowError, ValueError):
            return None

    def _before(self, ref: dt.datetime) -> dt.datetime:
        if self.delta is not None:
            return ref - self.delta
        # Go normalises Date(y, m - months, d - days) from the first of the
        # resulting month, so 31 March minus one month is 2 or 3 March.
        month_index = (
            ref.year * 12 + ref.month - 1 - self.years * 12 - self.months
        )
        year, month0 = divmod(month_index, 12)
        first = dt.date(year, month0 + 1, 1)
        day = first + dt.timedelta(days=ref.day - 1 - self.days)
        shifted = ref.replace(year=day.year, month=day.month, day=day.day)
        hours = dt.timedelta(hours=self.hours)
        if shifted.tzinfo is None:
            return shifted - hours
        # An absolute duration, as Go's Time.Add.
        return shifted.astimezone(dt.timezone.utc) - hours


def _inside(when: dt.datetime, cutoff: dt.datetime | None) -> bool:
    """Whether *when* is strictly newer than *cutoff* (``None``: year 0)."""
    return cutoff is None or when > cutoff


@dataclass(frozen=True, slots=True)
class RetentionPlan(Generic[T]):
    """What a :class:`RetentionPolicy` keeps and removes.

    Attributes:
        keep: The items to keep, newest first.
        remove: The items to remove, newest first.
        reasons: For each item of :attr:`keep` (same order), the rules that
            kept it, such as ``("last", "daily", "within 10d")``.

    .. versionadded:: 0.1.0
    """

    keep: tuple[T, ...]
    remove: tuple[T, ...]
    reasons: tuple[tuple[str, ...], ...]

    def explain(self) -> list[tuple[T, tuple[str, ...]]]:
        """Return ``(item, reasons)`` for every kept item, newest first.

        .. versionadded:: 0.1.0
        """
        return list(zip(self.keep, self.reasons, strict=True))


def _check_time(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        msg = "items (or key results) and now must be datetimes"
        raise TypeError(msg)
    return value


def _check_count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{name} must be an int"
        raise TypeError(msg)
    if value < -1:
        msg = f"{name} must be -1 (unlimited), 0 (off) or positive"
        raise ConfigurationError(msg)
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionPolicy:
    """Which backups to keep, with the semantics of ``restic forget``.

    Counting rules take the number of periods to keep (``-1``: all of them,
    ``0``: off).  Duration rules take restic's duration syntax (``"10d"``,
    ``"1y6m"``, ``"2h"``: years, months, days, hours) or a
    :class:`~datetime.timedelta`, and count back from the newest item.

    Args:
        keep_last: Keep the newest *n* items.
        keep_hourly: Keep the newest item of each of the last *n* hours
            that have one.
        keep_daily: Likewise per day.
        keep_weekly: Likewise per ISO week.
        keep_monthly: Likewise per month.
        keep_yearly: Likewise per year.
        keep_within: Keep every item strictly newer than the reference time
            minus this duration.
        keep_within_hourly: Keep the newest item of each hour inside the
            span.
        keep_within_daily: Likewise per day.
        keep_within_weekly: Likewise per ISO week.
        keep_within_monthly: Likewise per month.
        keep_within_yearly: Likewise per year.

    Raises:
        dataprotect.errors.ConfigurationError: A count below ``-1``, a
            malformed or negative duration, or a policy that keeps nothing.
        TypeError: A count that is not an ``int`` or a duration that is
            neither ``str`` nor ``timedelta``.

    .. versionadded:: 0.1.0
    """

    keep_last: int = 0
    keep_hourly: int = 0
    keep_daily: int = 0
    keep_weekly: int = 0
    keep_monthly: int = 0
    keep_yearly: int = 0
    keep_within: str | dt.timedelta | None = None
    keep_within_hourly: str | dt.timedelta | None = None
    keep_within_daily: str | dt.timedelta | None = None
    keep_within_weekly: str | dt.timedelta | None = None
    keep_within_monthly: str | dt.timedelta | None = None
    keep_within_yearly: str | dt.timedelta | None = None
    _durations: dict[str, _Duration] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for name, _ in _COUNTS:
            _check_count(name, getattr(self, name))
        durations: dict[str, _Duration] = {}
        for name in ("keep_within", *(n for n, _ in _WITHINS)):
            value = getattr(self, name)
            if value is not None:
                parsed = _Duration.parse(name, value)
                if parsed is not None:
                    durations[name] = parsed
        object.__setattr__(self, "_durations", durations)
        if not durations and not any(getattr(self, n) for n, _ in _COUNTS):
            msg = "a retention policy must keep something"
            raise ConfigurationError(msg)

    def describe(self) -> str:
        """Describe the policy in words, as ``restic forget`` prints it.

        .. versionadded:: 0.1.0
        """
        labels = {"last": "latest"}
        counts = [
            f"{'all' if n == -1 else n} {labels.get(kind, kind)}"
            for name, kind in _COUNTS
            if (n := getattr(self, name))
        ]
        parts = [f"{', '.join(counts)} backups"] if counts else []
        parts += [
            f"{kind} backups within {self._durations[name].text}"
            for name, kind in _WITHINS
            if name in self._durations
        ]
        text = ", ".join(parts)
        if "keep_within" in self._durations:
            within = self._durations["keep_within"].text
            text += f"{' and ' if text else ''}all backups within {within}"
            text += " of the newest"
        return f"keep {text}"

    @overload
    def select(
        self,
        items: Iterable[dt.datetime],
        *,
        key: None = None,
        now: dt.datetime | None = None,
    ) -> RetentionPlan[dt.datetime]: ...

    @overload
    def select(
        self,
        items: Iterable[T],
        *,
        key: Callable[[T], dt.datetime],
        now: dt.datetime | None = None,
    ) -> RetentionPlan[T]: ...

    def select(
        self,
        items: Iterable[Any],
        *,
        key: Callable[[Any], dt.datetime] | None = None,
        now: dt.datetime | None = None,
    ) -> RetentionPlan[Any]:
        """Decide which *items* to keep and which to remove.

        Args:
            items: Datetimes, or any objects when *key* is given.  The
                order does not matter (ties keep their listing order).
            key: Returns each item's datetime.
            now: The reference time of the ``keep_within*`` rules instead
                of the newest item's time.

        Returns:
            A :class:`RetentionPlan` with the kept and the removed items,
            newest first, and the reasons for each kept item.

        Raises:
            dataprotect.errors.ConfigurationError: Naive and aware datetimes
                are mixed.
            TypeError: An item (or *key*'s result) is not a datetime.
        """
        listed = list(items)
        times = [_check_time(i if key is None else key(i)) for i in listed]
        if now is not None:
            now = _check_time(now)
        aware = {t.tzinfo is not None for t in times}
        if now is not None:
            aware.add(now.tzinfo is not None)
        if len(aware) > 1:
            msg = "datetimes must be all naive or all timezone-aware"
            raise ConfigurationError(msg)
        if not listed:
            return RetentionPlan((), (), ())
        # Stable: equal times keep their listing order, as Go's sort.Stable.
        order = sorted(range(len(listed)), key=times.__getitem__, reverse=True)
        kept, reasons = self._walk([times[i] for i in order], now)
        keep = tuple(listed[order[i]] for i in kept)
        kept_set = set(kept)
        remove = tuple(
            listed[order[i]] for i in range(len(order)) if i not in kept_set
        )
        return RetentionPlan(keep, remove, tuple(reasons))

    def _walk(
        self, times: Sequence[dt.datetime], now: dt.datetime | None
    ) -> tuple[list[int], list[tuple[str, ...]]]:
        reference = now if now is not None else times[0]
        counts = {kind: getattr(self, name) for name, kind in _COUNTS}
        last_count: dict[str, tuple[int, ...] | None] = dict.fromkeys(counts)
        cutoffs = {
            name: d.before(reference) for name, d in self._durations.items()
        }
        last_within: dict[str, tuple[int, ...] | None] = {}
        kept: list[int] = []
        reasons: list[tuple[str, ...]] = []
        for index, when in enumerate(times):
            why: list[str] = []
            if "keep_within" in cutoffs and _inside(
                when, cutoffs["keep_within"]
            ):
                why.append(f"within {self._durations['keep_within'].text}")
            for kind, left in counts.items():
                period = _period(kind, when, index)
                if left != 0 and period != last_count[kind]:
                    last_count[kind] = period
                    counts[kind] = left - 1 if left > 0 else left
                    why.append(kind)
            for name, kind in _WITHINS:
                if name not in cutoffs:
                    continue
                period = _period(kind, when, index)
                if _inside(when, cutoffs[name]) and period != last_within.get(
                    name
                ):
                    last_within[name] = period
                    why.append(f"{kind} within {self._durations[name].text}")
            if index == 0 and not why:
                why.append("newest")
            if why:
                kept.append(index)
                reasons.append(tuple(why))
        return kept, reasons
