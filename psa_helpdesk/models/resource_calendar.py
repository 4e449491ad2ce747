# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _psa_work_spans(self, start, end):
        """Working spans of this calendar between two aware datetimes, as
        ``(start, end)`` pairs in the calendar's time zone: attendances minus
        public holidays (leaves without a resource, ``_psa_holiday_domain``).

        Only the holidays of the calendar's company count (SPEC §7): another
        company's public holiday never moves a deadline."""
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
