# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _prepare_mail_values(self, res_ids):
        """Emails composed on tickets (stage templates sent as mass mail
        included) carry the ticket tag ``[#NUMBER]`` in their subject."""
        values_all = super()._prepare_mail_values(res_ids)
        if self.model == "helpdesk.ticket":
            tickets = self.env["helpdesk.ticket"].browse(res_ids)
            for ticket in tickets:
                values = values_all.get(ticket.id)
                if values and values.get("subject"):
                    values["subject"] = ticket._psa_tag_subject(values["subject"])
        return values_all
