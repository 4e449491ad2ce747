# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Workarounds for faults of the OCA helpdesk addons psa_helpdesk is tested
with (``make test-compat``, README "Works with other OCA helpdesk addons").
Each names the addon, the version it was seen in and its fault; each does
nothing in a database without that addon. psa_helpdesk depends on none of
them: they are recognised by the fields they add.

Both faults are a read, as the current user, of a record that user may not
read, in code of the sibling that the user's action runs. The workaround
reads the same value first as superuser, so that the sibling's read finds
it in the transaction's cache: nothing else is read or written with more
rights than the user has."""

from odoo import models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def _validate_fields(self, field_names, excluded_names=()):
        # helpdesk_mgmt_timesheet (18.0.1.x): its constraint on project_id
        # (_constrains_project_timesheets) reads the ticket's timesheets as
        # the user, who may have no right on timesheets (a support agent
        # escalating to development, any user setting a project): an
        # AccessError on account.analytic.line refused the ticket. Its
        # timesheets are read here as superuser; the constraint then moves
        # them to the new project as the user, as that addon means to.
        # (field_names may be a generator: read once)
        field_names = set(field_names)
        if (
            "project_id" in field_names
            and "timesheet_ids" in self._fields
            and not self.env.su
        ):
            self.sudo().mapped("timesheet_ids")
        return super()._validate_fields(field_names, excluded_names)

    def _psa_compat_before_message_hook(self):
        """Before the message hooks of the ticket's addons run for a message
        posted on ``self`` by the current user.

        helpdesk_ticket_partner_response (18.0.1.3.1): its
        ``_message_post_after_hook`` reads the partner of the public user
        (``base.public_user``) as the user posting; a portal customer of
        another company than the public user's may not read that user, and
        could not post on their ticket (AccessError on res.users). The
        partner is read here as superuser. psa_helpdesk's hook runs before
        that addon's: psa_helpdesk is loaded after it (it depends on
        helpdesk_mgmt_project, that addon on helpdesk_mgmt only)."""
        if (
            self.env.su
            or "autoupdate_ticket_stage" not in self.env["helpdesk.ticket.team"]._fields
        ):
            return
        public = self.env.ref("base.public_user", raise_if_not_found=False)
        if public:
            public.sudo().partner_id  # noqa: B018 (read into the cache)
