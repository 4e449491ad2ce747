# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Chat to ticket: the transcript, the customer's contact, the conversation
linked, the same pipeline as any channel; refused to non-internal users and
for conversations without exactly one customer contact."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.psa_helpdesk.tests.common import PsaCommon


@tagged("post_install", "-at_install")
class TestChatToTicket(PsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._entitle([(cls.customer, cls.product)])
        cls.laura = new_test_user(
            cls.env,
            login="psa_chat_laura",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )
        cls.channel = cls.env["discuss.channel"].create(
            {
                "name": "Laura / support",
                "channel_type": "livechat",
                "livechat_operator_id": cls.agent.partner_id.id,
                "channel_member_ids": [
                    (0, 0, {"partner_id": cls.agent.partner_id.id}),
                    (0, 0, {"partner_id": cls.contact.id}),
                ],
            }
        )
        cls.channel.message_post(
            body="Receipts print blank since this morning",
            author_id=cls.contact.id,
            message_type="comment",
        )
        cls.channel.message_post(
            body="Which module, taxes?",
            author_id=cls.agent.partner_id.id,
            message_type="comment",
        )

    def test_chat_becomes_ticket(self):
        channel = self.channel.with_user(self.agent)
        ticket = channel._psa_create_ticket("Blank receipts")
        self.assertEqual(ticket.name, "Blank receipts")
        self.assertEqual(ticket.partner_id, self.contact)
        self.assertEqual(ticket.sudo().psa_chat_channel_id, self.channel)
        self.assertEqual(self.channel.sudo().psa_ticket_ids, ticket)
        self.assertEqual(
            ticket.channel_id,
            self.env.ref("psa_helpdesk_livechat.helpdesk_ticket_channel_chat"),
        )
        description = ticket.description
        self.assertIn("Receipts print blank since this morning", description)
        self.assertIn("Which module, taxes?", description)
        self.assertLess(
            description.index("Receipts print blank"), description.index("Which module")
        )
        self.assertIn(self.contact.name, description)
        # the same pipeline: the customer's installation and contract
        self.assertEqual(ticket.sudo().installation_id, self.installation)
        self.assertTrue(ticket.sudo().contract_id)

    def test_command(self):
        self.channel.with_user(self.agent).execute_command_ticket(
            body="/ticket Receipts blank"
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("psa_chat_channel_id", "=", self.channel.id)]
        )
        self.assertEqual(ticket.name, "Receipts blank")
        # without a title: named after the customer
        self.channel.with_user(self.agent).execute_command_ticket(body="/ticket")
        tickets = self.env["helpdesk.ticket"].search(
            [("psa_chat_channel_id", "=", self.channel.id)]
        )
        self.assertIn(f"Chat with {self.contact.name}", tickets.mapped("name"))

    def test_refused(self):
        # a customer cannot open tickets this way
        with self.assertRaises(AccessError):
            self.channel.with_user(self.laura)._psa_create_ticket("x")
        # a conversation without a customer contact
        internal = self.env["discuss.channel"].create(
            {
                "name": "Staff only",
                "channel_type": "group",
                "channel_member_ids": [
                    (0, 0, {"partner_id": self.agent.partner_id.id}),
                    (0, 0, {"partner_id": self.analyst.partner_id.id}),
                ],
            }
        )
        with self.assertRaises(UserError):
            internal.with_user(self.agent)._psa_create_ticket("x")
        self.assertFalse(self.env["helpdesk.ticket"].search([("name", "=", "x")]))
