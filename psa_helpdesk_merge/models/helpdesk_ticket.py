# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

from ..wizards.helpdesk_ticket_merge import MERGE_NOTICE


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def _psa_sla_message_kind(self, message):
        """A notice of helpdesk_mgmt_merge ("merged to / from") is no reply
        of an agent: it stops no first-response or update clock."""
        if self.env.context.get(MERGE_NOTICE):
            return None
        return super()._psa_sla_message_kind(message)
