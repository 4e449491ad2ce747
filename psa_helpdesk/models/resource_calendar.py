# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Working time of a calendar for the business-time arithmetic
(``tools/business_time.py``), cached across requests.

A request that moves a clock (a stage change, a public reply) needs the
working spans of one calendar around now. Reading the attendances and the
public holidays again at every request costs about six queries; the spans
only change when the calendar, its attendances or the public holidays
change. So the spans are computed per calendar and per *block* of
``BLOCK_DAYS`` days (aligned in UTC, so every request asks for the same
blocks) and kept in the registry's cache (``tools.ormcache``). Any create,
write or unlink of a calendar, an attendance or a public holiday (a leave
without resource, of any calendar and any company) clears that cache, in
this worker and, at the end of the transaction, in the others (Odoo signals
cache invalidations through the database).
"""

from datetime import datetime, timedelta

import pytz

from odoo import api, models, tools

from ..tools.business_time import merge

#: length of a cached block of working time
BLOCK_DAYS = 32
_EPOCH = datetime(2000, 1, 3, tzinfo=pytz.utc)  # a Monday
_BLOCK = timedelta(days=BLOCK_DAYS)


def _block_index(moment):
    """Index of the block holding the aware datetime ``moment``."""
    return (moment - _EPOCH) // _BLOCK


def _clear_work_spans_cache(env):
    """Forget the cached working time of every calendar (see module doc)."""
    env.registry.clear_cache()


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _psa_work_spans(self, start, end):
        """Working spans of this calendar between two aware datetimes
        ``start`` and ``end``, as a sorted list of disjoint ``(start, end)``
        pairs of aware datetimes (instants; compare them, do not read their
        time zone): attendances minus public holidays (leaves without a
        resource, ``_psa_holiday_domain``), in the calendar's time zone.
        Empty when ``end`` is not after ``start``.

        Only the holidays of the calendar's company count (SPEC §7): another
        company's public holiday never moves a deadline.

        Served from a cache per calendar and block of ``BLOCK_DAYS`` days,
        cleared when a calendar, an attendance or a public holiday changes;
        the spans themselves come from ``_psa_compute_work_spans``.
        """
        self.ensure_one()
        if end <= start:
            return []
        spans = []
        for index in range(_block_index(start), _block_index(end) + 1):
            spans.extend(self._psa_block_work_spans(self.id, index))
        return [
            (max(span_start, start), min(span_end, end))
            for span_start, span_end in merge(spans)
            if span_start < end and span_end > start
        ]

    @api.model
    @tools.ormcache("calendar_id", "index")
    def _psa_block_work_spans(self, calendar_id, index):
        """Working spans of calendar ``calendar_id`` in block ``index``, as a
        tuple (cached: shared by every request of this worker)."""
        start = _EPOCH + _BLOCK * index
        calendar = self.browse(calendar_id).sudo()
        return tuple(calendar._psa_compute_work_spans(start, start + _BLOCK))

    def _psa_compute_work_spans(self, start, end):
        """Working spans of this calendar between two aware datetimes, read
        from its attendances and the public holidays (not cached; see
        ``_psa_work_spans``)."""
        self.ensure_one()
        intervals = self._work_intervals_batch(
            start, end, domain=self._psa_holiday_domain()
        )[False]
        return [(span_start, span_end) for span_start, span_end, _records in intervals]

    def _psa_holiday_domain(self):
        """Domain of the leaves (``resource.calendar.leaves``) that take
        working time off this calendar, on top of the standard filter of
        ``_leave_intervals_batch`` (no resource; this calendar or none):

        - the leaves of this calendar;
        - the leaves without calendar (public holidays) of the calendar's
          company only. A calendar without company (shared by companies)
          cannot tell whose public holidays apply: it counts only its own
          leaves (and company-less ones); give a shared calendar its holidays
          as leaves of the calendar itself.

        Depends on the calendar alone (not on the ticket or the user), so a
        calendar's working time may be cached per calendar."""
        self.ensure_one()
        return [
            ("time_type", "=", "leave"),
            "|",
            ("calendar_id", "=", self.id),
            ("company_id", "=", self.company_id.id or False),
        ]

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        _clear_work_spans_cache(self.env)
        return records

    def write(self, vals):
        res = super().write(vals)
        _clear_work_spans_cache(self.env)
        return res

    def unlink(self):
        res = super().unlink()
        _clear_work_spans_cache(self.env)
        return res


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        _clear_work_spans_cache(self.env)
        return records

    def write(self, vals):
        res = super().write(vals)
        _clear_work_spans_cache(self.env)
        return res

    def unlink(self):
        res = super().unlink()
        _clear_work_spans_cache(self.env)
        return res


class ResourceCalendarLeaves(models.Model):
    """Public holidays (leaves without a resource) count in the working time
    of the calendars of their company (``_psa_holiday_domain``); a person's
    leave (with a resource) in none of the SLA clocks, so changing it keeps
    the cache. Any public holiday of any company clears the cache of every
    calendar."""

    _inherit = "resource.calendar.leaves"

    def _psa_public(self):
        # sudo: whether a leave is a public holiday, whoever changes it
        return any(not leave.resource_id for leave in self.sudo())

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        if leaves._psa_public():
            _clear_work_spans_cache(self.env)
        return leaves

    def write(self, vals):
        public = self._psa_public()
        res = super().write(vals)
        if public or self._psa_public():
            _clear_work_spans_cache(self.env)
        return res

    def unlink(self):
        public = self._psa_public()
        res = super().unlink()
        if public:
            _clear_work_spans_cache(self.env)
        return res
