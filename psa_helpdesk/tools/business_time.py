# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Business-time arithmetic for the SLA clocks, in pure Python (no ORM).

Working time is a sorted list of disjoint ``(start, end)`` spans of *aware*
datetimes (any time zone: they are compared as instants). On it:

* ``BusinessTime.add(start, hours)``: the instant when ``hours`` of working time
  have passed since ``start`` (backwards for negative hours);
* ``BusinessTime.elapsed(start, end)``: working hours between two instants
  (negative when ``end`` is before ``start``);

both optionally excluding paused spans. ``BusinessTime(round_the_clock=True)``
counts every hour of every day (24×7).

A ``BusinessTime`` only knows the working time of its *window*; a computation
that needs more raises ``OutsideWindow``. ``BusinessTimeCache`` hides that: it
keeps one ``BusinessTime`` per calendar, fetched once for a window covering a
whole batch, and fetches a larger window when a deadline falls beyond it.
"""

from bisect import bisect_right
from datetime import timedelta

import pytz

ZERO = timedelta(0)
HOUR = timedelta(hours=1)


# Time zones. The ORM stores naive UTC datetimes; the arithmetic below works on
# aware ones.


def to_aware(value):
    """An ORM datetime (naive UTC) as an aware datetime."""
    return pytz.utc.localize(value)


def to_local(value, tz_name):
    """An ORM datetime (naive UTC) in the time zone ``tz_name``; in UTC when
    the name is unknown (as ``format_datetime`` and ``context_timestamp``)."""
    value = to_aware(value)
    try:
        return value.astimezone(pytz.timezone(tz_name))
    except pytz.UnknownTimeZoneError:
        return value


def to_naive(value):
    """An aware datetime as an ORM datetime (naive UTC, whole seconds)."""
    value = value.astimezone(pytz.utc).replace(tzinfo=None)
    return (value + timedelta(microseconds=500000)).replace(microsecond=0)


class OutsideWindow(Exception):
    """The computation needs working time outside the known window."""


class NoWorkingTime(Exception):
    """The calendar has no working time in a reasonable horizon."""


def merge(spans):
    """Sorted, disjoint, non-empty spans; overlapping or touching spans are
    joined."""
    result = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def subtract(spans, holes):
    """``spans`` minus ``holes``; both merged (see :func:`merge`)."""
    result = []
    holes = list(holes)
    index = 0
    for start, end in spans:
        while index < len(holes) and holes[index][1] <= start:
            index += 1
        cursor = start
        probe = index
        while probe < len(holes) and holes[probe][0] < end:
            hole_start, hole_end = holes[probe]
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            probe += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def to_hours(delta):
    return delta.total_seconds() / 3600.0


class BusinessTime:
    """Working time known on ``window`` (``(start, end)``; by default the span
    of ``intervals``), or every hour when ``round_the_clock``."""

    def __init__(self, intervals=(), window=None, round_the_clock=False):
        self.round_the_clock = round_the_clock
        self.intervals = merge(intervals)
        # the ends, sorted as the spans: where a time falls (bisect)
        self._ends = [span[1] for span in self.intervals]
        if window is None and self.intervals:
            window = (self.intervals[0][0], self.intervals[-1][1])
        self.window = window

    def covers(self, start, end):
        if self.round_the_clock:
            return True
        return bool(self.window) and self.window[0] <= start and end <= self.window[1]

    def _spans(self, start, end, pauses):
        """Working spans overlapping ``[start, end]``, pauses removed."""
        if self.round_the_clock:
            spans = [(start, end)]
        else:
            if not self.covers(start, end):
                raise OutsideWindow(start, end)
            spans = list(self._iter_spans(start, end))
        if pauses:
            spans = subtract(spans, merge(pauses))
        return spans

    def _iter_spans(self, start, end):
        """The working spans overlapping ``[start, end]``, clipped to it, one
        by one from ``start`` (within the window: see ``_spans``)."""
        intervals = self.intervals
        for index in range(bisect_right(self._ends, start), len(intervals)):
            span_start, span_end = intervals[index]
            if span_start >= end:
                break
            yield (max(span_start, start), min(span_end, end))

    def elapsed(self, start, end, pauses=()):
        """Working hours from ``start`` to ``end``, ``pauses`` excluded."""
        if end < start:
            return -self.elapsed(end, start, pauses)
        return to_hours(sum((e - s for s, e in self._spans(start, end, pauses)), ZERO))

    def add(self, start, hours, pauses=()):
        """The instant at which ``hours`` of working time (``pauses``
        excluded) have passed since ``start``; backwards when negative.
        Starting outside working time counts from the next working instant;
        zero hours give ``start`` itself."""
        remaining = timedelta(hours=abs(hours))
        if not remaining:
            return start
        backwards = hours < 0
        if self.round_the_clock:
            window = (start - remaining * 2, start + remaining * 2)
            if pauses:
                # Widen by the paused time so the pauses fit in the window.
                paused = sum((e - s for s, e in merge(pauses)), ZERO)
                window = (window[0] - paused, window[1] + paused)
            spans = self._spans(*window, pauses)
        else:
            if not self.window:
                raise OutsideWindow(start, start)
            if backwards:
                if start > self.window[1]:
                    raise OutsideWindow(start, start)
                spans = self._spans(self.window[0], start, pauses)
            else:
                if start < self.window[0]:
                    raise OutsideWindow(start, start)
                if pauses:
                    spans = self._spans(start, self.window[1], pauses)
                else:
                    # walked lazily: only up to the instant sought
                    spans = self._iter_spans(start, self.window[1])
        if backwards:
            for span_start, span_end in reversed(spans):
                span_end = min(span_end, start)
                if span_end <= span_start:
                    continue
                if span_end - span_start >= remaining:
                    return span_end - remaining
                remaining -= span_end - span_start
        else:
            for span_start, span_end in spans:
                span_start = max(span_start, start)
                if span_end <= span_start:
                    continue
                if span_end - span_start >= remaining:
                    return span_start + remaining
                remaining -= span_end - span_start
        raise OutsideWindow(start, start)


class BusinessTimeCache:
    """One :class:`BusinessTime` per calendar for a batch of computations.

    ``fetch(calendar, start, end)`` returns the working spans of ``calendar``
    between two aware datetimes, or a :class:`BusinessTime` whose window holds
    them (shared: never changed here); a falsy calendar means 24×7. ``prepare`` sets
    the window of a calendar once for a whole batch; ``add`` and ``elapsed``
    fetch a wider window only when they need it.
    """

    #: a calendar with no working time for this long is an error
    HORIZON = timedelta(days=366 * 3)
    MARGIN = timedelta(days=14)

    def __init__(self, fetch):
        self._fetch = fetch
        self._times = {}
        self.fetch_count = 0

    def prepare(self, calendar, start, end):
        """Make sure the working time of ``calendar`` is known on
        ``[start, end]`` (one fetch, whatever was known before)."""
        if not calendar:
            return self.get(calendar, start, end)
        known = self._times.get(calendar)
        if known and known.covers(start, end):
            return known
        if known:
            start = min(start, known.window[0])
            end = max(end, known.window[1])
        start, end = start - self.MARGIN, end + self.MARGIN
        self.fetch_count += 1
        fetched = self._fetch(calendar, start, end)
        if isinstance(fetched, BusinessTime):
            known = fetched
        else:
            known = BusinessTime(fetched, window=(start, end))
        self._times[calendar] = known
        return known

    def get(self, calendar, start, end):
        if not calendar:
            return self._times.setdefault(None, BusinessTime(round_the_clock=True))
        return self.prepare(calendar, start, end)

    def elapsed(self, calendar, start, end, pauses=()):
        low, high = min(start, end), max(start, end)
        return self.get(calendar, low, high).elapsed(start, end, pauses)

    def hours_between(self, calendar, start, end):
        """Working hours of ``calendar`` (falsy: 24×7) from ``start`` to
        ``end``, two ORM datetimes (naive UTC); 0 when ``end`` is not after
        ``start``."""
        if end <= start:
            return 0.0
        return max(self.elapsed(calendar, to_aware(start), to_aware(end)), 0.0)

    def add(self, calendar, start, hours, pauses=()):
        # A first guess of the window: the hours spread over working days
        # of about 8 hours, five days a week.
        reach = timedelta(days=abs(hours) / 8.0 * 7 / 5 + 1)
        while True:
            if hours < 0:
                low, high = start - reach, start
            else:
                low, high = start, start + reach
            if pauses:
                low = min([low] + [p[0] for p in pauses])
                high = max([high] + [p[1] for p in pauses])
            try:
                return self.get(calendar, low, high).add(start, hours, pauses)
            except OutsideWindow:
                if reach > self.HORIZON:
                    raise NoWorkingTime(calendar) from None
                reach *= 2
