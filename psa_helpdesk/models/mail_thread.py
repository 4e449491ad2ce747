# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_route(
        self, message, message_dict, model=None, thread_id=None, custom_values=None
    ):
        """A customer reply that lost its threading headers (no In-Reply-To or
        References) would open a new ticket: attach it to the ticket tagged
        ``[#NUMBER]`` in its subject instead, when the sender is its customer.
        Done here, after the standard routing, so it covers both aliases and
        incoming mail servers set to create tickets."""
        routes = super().message_route(
            message,
            message_dict,
            model=model,
            thread_id=thread_id,
            custom_values=custom_values,
        )
        if routes and any(
            route[0] == "helpdesk.ticket" and not route[1] for route in routes
        ):
            routes = self.env["helpdesk.ticket"]._psa_route_by_subject_tag(
                message_dict, routes
            )
        return routes
