# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

import pytz

from odoo.tests import BaseCase, TransactionCase, tagged

from ..tools.business_time import (
    BusinessTime,
    BusinessTimeCache,
    OutsideWindow,
    merge,
    subtract,
    to_aware,
    to_naive,
)

BA = pytz.timezone("America/Argentina/Buenos_Aires")


def ba(*args):
    return BA.localize(datetime(*args))


def office_hours(first_day, days, holidays=()):
    """Mon-Fri 9-18 in Buenos Aires, from ``first_day`` for ``days`` days."""
    spans = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if day.weekday() < 5 and day.date() not in holidays:
            spans.append(
                (BA.localize(day.replace(hour=9)), BA.localize(day.replace(hour=18)))
            )
    return spans


@tagged("post_install", "-at_install")
class TestBusinessTimePure(BaseCase):
    """2026-03-02 is a Monday."""

    def setUp(self):
        super().setUp()
        self.time = BusinessTime(office_hours(datetime(2026, 3, 1), 40))

    def test_merge_and_subtract(self):
        a, b, c, d = (ba(2026, 3, 2, h) for h in (9, 10, 11, 12))
        self.assertEqual(merge([(c, d), (a, b), (b, c)]), [(a, d)])
        self.assertEqual(subtract([(a, d)], [(b, c)]), [(a, b), (c, d)])
        self.assertEqual(subtract([(a, b)], [(a, d)]), [])

    def test_across_night(self):
        self.assertEqual(self.time.add(ba(2026, 3, 2, 17), 4), ba(2026, 3, 3, 12))
        self.assertEqual(self.time.elapsed(ba(2026, 3, 2, 17), ba(2026, 3, 3, 12)), 4)

    def test_across_weekend(self):
        self.assertEqual(self.time.add(ba(2026, 3, 6, 16), 4), ba(2026, 3, 9, 11))
        self.assertEqual(self.time.elapsed(ba(2026, 3, 6, 16), ba(2026, 3, 9, 11)), 4)

    def test_start_outside_business_hours(self):
        # Saturday morning counts from Monday 9:00; so does Monday at dawn.
        self.assertEqual(self.time.add(ba(2026, 3, 7, 10), 2), ba(2026, 3, 9, 11))
        self.assertEqual(self.time.add(ba(2026, 3, 9, 7), 1), ba(2026, 3, 9, 10))
        self.assertEqual(self.time.elapsed(ba(2026, 3, 7, 10), ba(2026, 3, 8, 10)), 0)

    def test_negative_and_symmetric(self):
        self.assertEqual(self.time.add(ba(2026, 3, 9, 11), -4), ba(2026, 3, 6, 16))
        self.assertEqual(self.time.elapsed(ba(2026, 3, 9, 11), ba(2026, 3, 6, 16)), -4)
        self.assertEqual(self.time.add(ba(2026, 3, 7, 10), 0), ba(2026, 3, 7, 10))

    def test_pauses_are_excluded(self):
        start = ba(2026, 3, 6, 16)
        pause = (ba(2026, 3, 6, 17), ba(2026, 3, 9, 10))
        paused = self.time.elapsed(*pause)
        self.assertEqual(paused, 2)
        self.assertEqual(self.time.add(start, 4, pauses=[pause]), ba(2026, 3, 9, 13))
        self.assertEqual(
            self.time.add(start, 4, pauses=[pause]), self.time.add(start, 4 + paused)
        )
        self.assertEqual(
            self.time.elapsed(start, ba(2026, 3, 9, 13), pauses=[pause]), 4
        )

    def test_round_the_clock(self):
        time = BusinessTime(round_the_clock=True)
        self.assertEqual(time.add(ba(2026, 3, 6, 16), 10), ba(2026, 3, 7, 2))
        self.assertEqual(time.elapsed(ba(2026, 3, 6, 16), ba(2026, 3, 7, 16)), 24)
        pause = (ba(2026, 3, 6, 17), ba(2026, 3, 6, 19))
        self.assertEqual(
            time.add(ba(2026, 3, 6, 16), 10, pauses=[pause]), ba(2026, 3, 7, 4)
        )
        self.assertEqual(time.add(ba(2026, 3, 7, 2), -10), ba(2026, 3, 6, 16))

    def test_outside_window(self):
        with self.assertRaises(OutsideWindow):
            self.time.add(ba(2026, 4, 1, 9), 100)
        with self.assertRaises(OutsideWindow):
            self.time.elapsed(ba(2026, 2, 1, 9), ba(2026, 3, 2, 10))

    def test_cache_extends_window(self):
        spans = office_hours(datetime(2026, 1, 1), 400)
        fetched = []

        def fetch(calendar, start, end):
            fetched.append((start, end))
            return [s for s in spans if s[1] > start and s[0] < end]

        cache = BusinessTimeCache(fetch)
        # 180 business hours = 20 working days: beyond the first guess.
        deadline = cache.add("calendar", ba(2026, 3, 2, 9), 180)
        self.assertEqual(deadline, ba(2026, 3, 27, 18))
        # Later computations inside the window fetch nothing.
        count = len(fetched)
        self.assertEqual(
            cache.add("calendar", ba(2026, 3, 3, 9), 9), ba(2026, 3, 3, 18)
        )
        self.assertEqual(len(fetched), count)
        # A batch prepared once is served without fetching again.
        cache = BusinessTimeCache(fetch)
        cache.prepare("calendar", ba(2026, 3, 2, 9), ba(2026, 4, 30, 9))
        for day in range(2, 7):
            cache.add("calendar", ba(2026, 3, day, 10), 16)
        self.assertEqual(cache.fetch_count, 1)


@tagged("post_install", "-at_install")
class TestCalendarBusinessTime(TransactionCase):
    """The adaptor: working spans from a resource.calendar, with public
    holidays, in the calendar's time zone while the ORM stores UTC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        attendances = [
            (
                0,
                0,
                {"name": f"D{d}", "dayofweek": str(d), "hour_from": 9, "hour_to": 18},
            )
            for d in range(5)
        ]
        Calendar = cls.env["resource.calendar"]
        cls.calendar = Calendar.create(
            {
                "name": "BA 9-18",
                "tz": "America/Argentina/Buenos_Aires",
                "attendance_ids": attendances,
            }
        )
        cls.utc_calendar = Calendar.create(
            {"name": "UTC 9-18", "tz": "UTC", "attendance_ids": attendances}
        )
        # Tuesday 2026-03-24 is a public holiday (a leave without resource).
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Día de la Memoria",
                "calendar_id": cls.calendar.id,
                "date_from": datetime(2026, 3, 24, 3),
                "date_to": datetime(2026, 3, 25, 2, 59, 59),
            }
        )
        cls.cache = cls.env["psa.ticket.sla"]._business_time_cache()

    def test_holiday_is_skipped(self):
        # Monday 16:00 + 4h: Monday 2h, Tuesday is a holiday, Wednesday 2h.
        deadline = self.cache.add(self.calendar, ba(2026, 3, 23, 16), 4)
        self.assertEqual(deadline, ba(2026, 3, 25, 11))
        self.assertEqual(
            self.cache.elapsed(self.calendar, ba(2026, 3, 23, 9), ba(2026, 3, 26, 9)),
            18,
        )

    def test_time_zone_of_the_calendar(self):
        # Stored in UTC: Monday 12:00 UTC is 9:00 in Buenos Aires.
        start = to_aware(datetime(2026, 3, 2, 12))
        self.assertEqual(
            to_naive(self.cache.add(self.calendar, start, 9)), datetime(2026, 3, 2, 21)
        )
        # The same hours on a UTC calendar end the next day at 12:00 UTC.
        self.assertEqual(
            to_naive(self.cache.add(self.utc_calendar, start, 9)),
            datetime(2026, 3, 3, 12),
        )

    def test_weekend_and_far_deadline(self):
        self.assertEqual(
            self.cache.add(self.calendar, ba(2026, 3, 20, 16), 12), ba(2026, 3, 25, 10)
        )
        # Far beyond the first window: 40 working days, the holiday skipped.
        self.assertEqual(
            self.cache.add(self.calendar, ba(2026, 3, 2, 9), 40 * 9),
            ba(2026, 4, 27, 18),
        )

    def test_round_the_clock_ignores_holidays(self):
        self.assertEqual(
            self.cache.add(False, ba(2026, 3, 23, 16), 24), ba(2026, 3, 24, 16)
        )
