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
blocks) and kept in the registry's cache (``tools.ormcache``), merged into a
``BusinessTime`` per range of blocks. Any create,
write or unlink of a calendar, an attendance or a public holiday (a leave
without resource, of any calendar and any company) clears that cache, in
this worker and, at the end of the transaction, in the others (Odoo signals
cache invalidations through the database): see ``psa_config_cache.py``.
"""

from datetime import datetime, timedelta

import pytz

from odoo import api, models, tools

from ..tools.business_time import BusinessTime

#: length of a cached block of working time
BLOCK_DAYS = 32
_EPOCH = datetime(2000, 1, 3, tzinfo=pytz.utc)  # a Monday
_BLOCK = timedelta(days=BLOCK_DAYS)


def _block_index(moment):
    """Index of the block holding the aware datetime ``moment``."""
    return (moment - _EPOCH) // _BLOCK


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _psa_work_spans(self, start, end):
        """Working spans of this calendar between two aware datetimes
        ``start`` and ``end``, as a sorted list of disjoint ``(start, end)``
        pairs of aware datetimes (instants, in UTC), clipped to the window:
        attendances minus public holidays (leaves without a resource,
        ``_psa_holiday_domain``), in the calendar's time zone. Empty when
        ``end`` is not after ``start``.

        Only the holidays of the calendar's company count (SPEC §7): another
        company's public holiday never moves a deadline.

        Served from the cache of ``_psa_business_time``."""
        self.ensure_one()
        if end <= start:
            return []
        return list(self._psa_business_time(start, end)._iter_spans(start, end))

    def _psa_business_time(self, start, end):
        """The working time of this calendar (a ``BusinessTime``, see
        ``tools/business_time.py``) on a window holding ``[start, end]``
        (aware datetimes): the whole cache blocks of ``BLOCK_DAYS`` days
        that cover it.

        Served from the registry's cache, shared by every request of this
        worker, so a request that moves a clock neither reads the calendar
        nor merges its spans again; cleared when a calendar, an attendance or
        a public holiday changes. Read only: never change what it returns."""
        self.ensure_one()
        return self._psa_blocks_business_time(
            self.id, _block_index(start), _block_index(end)
        )

    @api.model
    @tools.ormcache("calendar_id", "first", "last")
    def _psa_blocks_business_time(self, calendar_id, first, last):
        """``BusinessTime`` of calendar ``calendar_id`` on the blocks
        ``first`` to ``last`` (cached; see ``_psa_business_time``)."""
        spans = []
        for index in range(first, last + 1):
            spans.extend(self._psa_block_work_spans(calendar_id, index))
        window = (_EPOCH + _BLOCK * first, _EPOCH + _BLOCK * (last + 1))
        return BusinessTime(spans, window=window)

    @api.model
    @tools.ormcache("calendar_id", "index")
    def _psa_block_work_spans(self, calendar_id, index):
        """Working spans of calendar ``calendar_id`` in block ``index``, as a
        tuple of pairs of aware datetimes in UTC (cached; instants of one
        time zone object compare without converting)."""
        start = _EPOCH + _BLOCK * index
        calendar = self.browse(calendar_id).sudo()
        return tuple(
            (span_start.astimezone(pytz.utc), span_end.astimezone(pytz.utc))
            for span_start, span_end in calendar._psa_compute_work_spans(
                start, start + _BLOCK
            )
        )

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
