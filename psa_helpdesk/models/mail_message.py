# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..const import MAIL_AUTOMATIC_KINDS


class MailMessage(models.Model):
    _inherit = "mail.message"

    psa_automatic = fields.Selection(
        MAIL_AUTOMATIC_KINDS,
        string="Automatic email",
        readonly=True,
        help="Set by the mail gateway on an inbound email sent by a machine "
        "(out-of-office and other automatic replies, delivery status "
        "notifications, bulk and list mail): it is never answered "
        "automatically and never counts as a person's reply.",
    )
