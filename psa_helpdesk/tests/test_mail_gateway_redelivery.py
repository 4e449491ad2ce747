# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The same inbound email delivered twice (SPEC §6): a fetchmail retry after
a failed commit, the mail server calling the gateway script twice, two Odoo
servers fetching one mailbox. One ticket, one message.

Two deliveries at the same moment on two servers are raced by
``bench/load.py --servers 2 --mail-twice`` (real transactions); here, the
retry in one transaction and the lock that serialises the deliveries."""

import xmlrpc.client

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MailCase

from .common import PsaContractCommon, enable_mail_gateway, open_team_alias

MESSAGE_ID = "<CAHx7=retry-0001@mail.customer.example.com>"
RAW = f"""From: Laura Gomez <laura.gomez@testville.gob.ar>
To: Soporte <soporte@support.example.com>
Subject: Invoices do not print
Message-Id: {MESSAGE_ID}
Date: Mon, 02 Mar 2026 09:00:00 -0300
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Since this morning no invoice prints.
"""


@tagged("post_install", "-at_install")
class TestMailGatewayRedelivery(PsaContractCommon, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        enable_mail_gateway(cls, "support.example.com")
        open_team_alias(cls.team_l1, "soporte", cls.alias_domain)
        cls.contact.email = "laura.gomez@testville.gob.ar"

    @mute_logger(
        "odoo.addons.mail.models.mail_thread",
        "odoo.addons.psa_helpdesk.models.mail_thread",
    )
    def _deliver(self, raw):
        """As the mail gateway script delivers: administrative rights, the
        email as XML-RPC binary."""
        return (
            self.env["mail.thread"]
            .sudo()
            .message_process(False, xmlrpc.client.Binary(raw.encode()))
        )

    def _tickets(self):
        return self.env["helpdesk.ticket"].search(
            [("name", "=", "Invoices do not print")]
        )

    def test_same_email_twice_one_ticket_one_message(self):
        """The retry of a delivery already processed opens nothing: one
        ticket, one message, and the retry says it went nowhere."""
        first = self._deliver(RAW)
        ticket = self._tickets()
        self.assertEqual(len(ticket), 1)
        self.assertEqual(first, ticket.id)
        self.assertFalse(self._deliver(RAW))
        self.assertEqual(self._tickets(), ticket)
        self.assertEqual(
            self.env["mail.message"].search_count([("message_id", "=", MESSAGE_ID)]), 1
        )

    def test_deliveries_of_one_email_wait_for_one_another(self):
        """A delivery holds, until its transaction ends, the lock every
        other delivery of the same Message-Id waits for; another email's
        delivery does not wait for it."""
        self._deliver(RAW)
        self.env.cr.execute(
            """
            SELECT count(*) FROM pg_locks
             WHERE locktype = 'advisory' AND pid = pg_backend_pid()
               AND classid = %s::oid AND objid = hashtext(%s)::oid
            """,
            [0x50534148, MESSAGE_ID],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 1)
        self.assertEqual(
            self.env["mail.thread"]._psa_inbound_message_id(RAW.encode()), MESSAGE_ID
        )
        self.assertIsNone(
            self.env["mail.thread"]._psa_inbound_message_id(
                RAW.replace(f"Message-Id: {MESSAGE_ID}\n", "")
            )
        )
