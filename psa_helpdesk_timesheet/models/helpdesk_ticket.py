# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def _validate_fields(self, field_names, excluded_names=()):
        """Workaround for helpdesk_mgmt_timesheet (18.0.1.x): its constraint
        on ``project_id`` (``_constrains_project_timesheets``) reads the
        ticket's timesheets as the user, who may have no right on timesheets
        (a support agent escalating to development, any user setting a
        project): an AccessError on ``account.analytic.line`` refused the
        ticket. The timesheets are read here first as superuser, into the
        cache the constraint then reads; it moves them to the new project as
        the user, as that addon means to. Nothing else is read or written
        with these rights."""
        # field_names may be a generator (create): read once
        field_names = set(field_names)
        if "project_id" in field_names and not self.env.su:
            self.sudo().mapped("timesheet_ids")
        return super()._validate_fields(field_names, excluded_names)
