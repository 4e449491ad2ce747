# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    psa_chat_channel_id = fields.Many2one(
        "discuss.channel",
        string="Chat",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        groups="base.group_user",
        help="The live chat or Discuss conversation the ticket was opened "
        "from (its transcript is the ticket's description).",
    )
