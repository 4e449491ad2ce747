# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _psa_work_spans(self, start, end):
        """Working spans of this calendar between two aware datetimes, as
        ``(start, end)`` pairs in the calendar's time zone: attendances minus
        public holidays (leaves without a resource, of this calendar or of
        every calendar)."""
        self.ensure_one()
        intervals = self._work_intervals_batch(start, end)[False]
        return [(span_start, span_end) for span_start, span_end, _records in intervals]
