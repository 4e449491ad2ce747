# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def _message_post_after_hook(self, message, msg_values):
        """Workaround for helpdesk_ticket_partner_response (18.0.1.3.1): its
        ``_message_post_after_hook`` reads the partner of the public user
        (``base.public_user``) as the user who posts, which a portal
        customer may not (an AccessError: the customer could not post on
        their ticket). The value is fetched here as superuser: the ORM cache
        then holds it for the sibling's check; nothing else is read or
        written with these rights."""
        self.env.ref("base.public_user").sudo().fetch(["partner_id"])
        return super()._message_post_after_hook(message, msg_values)
