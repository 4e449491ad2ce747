# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk


class PsaCustomerPortalHelpdesk(CustomerPortalHelpdesk):
    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        """The close buttons only for the ticket's customer (not for a
        visitor with the link nor a follower of another company), for the
        stages ``/ticket/close`` accepts, with the resolution asked where
        the stage needs one."""
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        # the user's own rights, not those of the page's ticket (sudo)
        mine = request.env["helpdesk.ticket"].browse(ticket.id)
        stages = request.env["helpdesk.ticket.stage"]
        if mine._psa_portal_can_close():
            stages = mine._psa_portal_close_stages()
        values.update(
            closed_stages=stages,
            psa_resolution_stage_ids=[
                stage.id for stage in stages if mine._psa_portal_needs_resolution(stage)
            ],
            psa_close_error=kwargs.get("psa_close_error") == "resolution",
        )
        return values
