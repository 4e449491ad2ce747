# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Chat to ticket (SPEC §9, seed 05): an operator turns a live chat or a
Discuss conversation with a customer into a ticket with the ``/ticket``
command: the transcript is the description, the customer's contact the
ticket's, the conversation is linked. The ticket goes through the same
pipeline (installed base, entitlement, priority, clocks) as any channel."""

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

TICKET_COMMAND = "/ticket"


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    psa_ticket_ids = fields.One2many(
        "helpdesk.ticket",
        "psa_chat_channel_id",
        string="Tickets",
        groups="base.group_user",
    )

    def _psa_chat_customer(self):
        """The customer contact of the conversation: its only member who is
        not an internal user (portal user or plain contact), other than the
        operator. Raises ``UserError`` when there is none (anonymous
        visitor, internal conversation) or several."""
        self.ensure_one()
        operator = self.env.user.partner_id
        customers = self.with_context(active_test=False).channel_partner_ids.filtered(
            lambda p: p != operator and p.partner_share and not p.is_public
        )
        if len(customers) != 1:
            raise UserError(
                self.env._(
                    "A ticket is opened for one customer contact: this "
                    "conversation has %(count)s. Invite the customer's contact "
                    "(or identify the visitor) first.",
                    count=len(customers),
                )
            )
        return customers

    def _psa_create_ticket(self, title=None):
        """Open a ticket from the conversation, as the current (internal)
        user: ``title`` (plain text; default: "Chat with <customer>"), the
        transcript (author: text, oldest first) as description, the
        customer's contact, the conversation linked, the "Chat" channel.

        :return: the ``helpdesk.ticket``
        :raises AccessError: for a user who is not internal
        :raises UserError: see ``_psa_chat_customer``"""
        self.ensure_one()
        if not self.env.user._is_internal():
            raise AccessError(
                self.env._("Only the support staff may open tickets from a chat.")
            )
        customer = self._psa_chat_customer()
        title = (title or "").strip() or self.env._(
            "Chat with %(customer)s", customer=customer.name
        )
        channel = self.env.ref(
            "psa_helpdesk_livechat.helpdesk_ticket_channel_chat",
            raise_if_not_found=False,
        )
        return self.env["helpdesk.ticket"].create(
            {
                "name": title,
                "description": self._get_channel_history(),
                "partner_id": customer.id,
                "partner_name": customer.name,
                "partner_email": customer.email,
                "psa_chat_channel_id": self.id,
                "channel_id": channel.id if channel else False,
            }
        )

    def execute_command_ticket(self, **kwargs):
        """The ``/ticket [title]`` command of the conversation: opens the
        ticket and tells the operator (only) its number, or why not."""
        body = html2plaintext(kwargs.get("body") or "").strip()
        title = (
            body[len(TICKET_COMMAND) :].strip()
            if body.startswith(TICKET_COMMAND)
            else body
        )
        try:
            ticket = self._psa_create_ticket(title)
        except (UserError, AccessError) as exc:
            message = str(exc)
        else:
            message = self.env._(
                "Ticket %(ticket)s opened from this conversation.",
                ticket=ticket._get_html_link(title=ticket.number),
            )
        self.env.user._bus_send_transient_message(self, message)
