# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A customer's reply that moves the stage (helpdesk_ticket_partner_response)
under psa_helpdesk's pause / resume rules (SPEC §4): leaving a waiting stage
resumes the clocks (the deadline moves by the paused business time), an
automatic email moves nothing, and a move psa_helpdesk refuses never loses
the customer's email (SPEC §7)."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MailCase
from odoo.addons.psa_helpdesk.tests.common import (
    PsaSlaTeamCommon,
    enable_mail_gateway,
)

QUESTION_ID = "<question-1772445600@support.example.com>"
GATEWAY_LOGGERS = (
    "odoo.addons.mail.models.mail_thread",
    "odoo.addons.psa_helpdesk.models.mail_thread",
    "odoo.addons.psa_helpdesk.models.helpdesk_ticket_communication",
    "odoo.addons.psa_helpdesk_partner_response.models.mail_thread",
)
REPLY = """From: Laura Test <laura@testville.example>
To: soporte@support.example.com
Subject: Re: Receipts print blank
Message-ID: <{message_id}@testville.example>
In-Reply-To: {in_reply_to}
References: {in_reply_to}
Date: Tue, 3 Mar 2026 10:00:00 +0000
{headers}MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

{body}
"""


def utc(day, hour, minute=0):
    """March 2026, UTC: the 2nd is a Monday."""
    return datetime(2026, 3, day, hour, minute)


@tagged("post_install", "-at_install")
class TestPartnerResponse(PsaSlaTeamCommon, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        enable_mail_gateway(cls, "support.example.com")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_validation = cls.env.ref(
            "psa_helpdesk.helpdesk_ticket_stage_customer_validation"
        )
        # the team moves a ticket waiting for the customer, or new, to In
        # progress when the customer writes
        cls.team.write(
            {
                "alias_name": "soporte",
                "alias_domain_id": cls.alias_domain.id,
                "alias_contact": "everyone",
                "autoupdate_ticket_stage": True,
                "autopupdate_src_stage_ids": [
                    Command.set((cls.stage_waiting | cls.stage_new).ids)
                ],
                "autopupdate_dest_stage_id": cls.stage_progress.id,
            }
        )
        cls.contact.email = "laura@testville.example"

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _waiting_ticket(self, **vals):
        """Monday 10:00 a ticket opens; 11:00 the agent asks the customer
        and the ticket waits for them (its clocks pause after one business
        hour)."""
        with freeze_time(utc(2, 10)):
            ticket = self._ticket(
                user=self.agent,
                team_id=self.team.id,
                installation_id=self.installation.id,
                **vals,
            )
        with freeze_time(utc(2, 11)):
            ticket.with_user(self.agent).message_post(
                body="Which receipt number?",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.contact.ids,
                message_id=QUESTION_ID,
            )
            ticket.with_user(self.agent).stage_id = self.stage_waiting
        self.assertEqual(self._clock(ticket, "resolution").status, "paused")
        return ticket

    @staticmethod
    def _clock(ticket, metric):
        clocks = ticket.sudo().psa_sla_ids.filtered(lambda c: c.metric == metric)
        return clocks.sorted("id")[-1:]

    @mute_logger(*GATEWAY_LOGGERS)
    def _process(self, message_id, headers="", body="Receipt 0001-00004521."):
        raw = REPLY.format(
            message_id=message_id,
            in_reply_to=QUESTION_ID,
            headers=headers,
            body=body,
        )
        # the incoming mail server runs the gateway with administrative rights
        self.env["mail.thread"].sudo().message_process(None, raw)
        self.env.flush_all()
        return self.env["mail.message"].search(
            [("message_id", "=", f"<{message_id}@testville.example>")]
        )

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_email_reply_leaves_waiting_and_resumes(self):
        ticket = self._waiting_ticket()
        resolution = self._clock(ticket, "resolution")
        with freeze_time(utc(3, 10)):  # Tuesday 10:00
            message = self._process("reply-1")
        self.assertEqual(message.res_id, ticket.id)
        # the team's destination stage, not psa's own "stage before waiting"
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertEqual(resolution.status, "running")
        # paused Monday 11-18 and Tuesday 9-10: 8 business hours; 1 of 12
        # consumed, 11 left from Tuesday 10:00: Tuesday 18:00 + 3 h
        self.assertEqual(resolution.paused_hours, 8)
        self.assertEqual(resolution.consumed_hours, 1)
        self.assertEqual(resolution.deadline, utc(4, 12))
        # the customer's reply is no response of the agent
        self.assertEqual(self._clock(ticket, "response").status, "met")

    def test_out_of_office_moves_nothing(self):
        """An automatic reply of the customer's mailbox is no reply
        (SPEC §4): the ticket keeps waiting, its clocks stay paused."""
        ticket = self._waiting_ticket()
        resolution = self._clock(ticket, "resolution")
        with freeze_time(utc(3, 10)):
            message = self._process(
                "ooo-1",
                headers="Auto-Submitted: auto-replied\n",
                body="I am out of the office until Monday.",
            )
        self.assertEqual(message.res_id, ticket.id)
        self.assertEqual(message.psa_automatic, "auto_reply")
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        self.assertEqual(resolution.status, "paused")
        self.assertEqual(resolution.paused_since, utc(2, 11))

    def test_reply_on_new_ticket_keeps_clocks_running(self):
        """A move between two working stages (New → In progress) neither
        pauses nor resumes: the clocks keep running, the response clock
        waits for the agent."""
        with freeze_time(utc(2, 10)):
            ticket = self._ticket(
                user=self.agent,
                team_id=self.team.id,
                installation_id=self.installation.id,
            )
        response = self._clock(ticket, "response")
        deadline = self._clock(ticket, "resolution").deadline
        portal = new_test_user(
            self.env,
            login="psa_pr_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        with freeze_time(utc(2, 11)):
            ticket.with_user(portal).message_post(
                body="Any news?",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertEqual(response.status, "running")
        self.assertFalse(response.end_date)
        self.assertEqual(self._clock(ticket, "resolution").status, "running")
        self.assertEqual(self._clock(ticket, "resolution").deadline, deadline)

    def test_portal_reply_leaves_waiting_and_resumes(self):
        ticket = self._waiting_ticket()
        portal = new_test_user(
            self.env,
            login="psa_pr_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        with freeze_time(utc(3, 10)):
            ticket.with_user(portal).message_post(
                body="Receipt 0001-00004521.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.stage_id, self.stage_progress)
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.status, "running")
        self.assertEqual(resolution.paused_hours, 8)
        self.assertEqual(resolution.deadline, utc(4, 12))

    def test_reply_never_closes(self):
        """A closing stage cannot be the stage a customer's reply moves
        tickets to: the reply would stop the resolution clock as met."""
        with self.assertRaisesRegex(ValidationError, "closing stage"):
            self.team.autopupdate_dest_stage_id = self.stage_done
        self.team.autoupdate_ticket_stage = False
        self.team.autopupdate_dest_stage_id = self.stage_done  # unused: allowed
        with self.assertRaisesRegex(ValidationError, "closing stage"):
            self.team.autoupdate_ticket_stage = True

    def test_reply_never_moves_out_of_customer_validation(self):
        """The customer's answer to a solution sent is psa_helpdesk's to
        read: the validation stage cannot be a stage a reply moves tickets
        out of."""
        with self.assertRaisesRegex(ValidationError, "answer to the solution"):
            self.team.autopupdate_src_stage_ids |= self.stage_validation

    def test_refused_move_keeps_the_email(self):
        """The team sends replies to the customer validation stage, which a
        ticket enters only with a solution sent (psa_helpdesk refuses the
        move): the email is posted, the move is not made (a note says why)
        and psa_helpdesk's own rule applies: the reply puts the ticket back
        to the stage it waited from, which resumes its clocks."""
        self.team.autopupdate_dest_stage_id = self.stage_validation
        ticket = self._waiting_ticket(request_type="incident")
        with freeze_time(utc(3, 10)):
            message = self._process("reply-2")
        self.assertEqual(message.res_id, ticket.id)
        self.assertEqual(ticket.stage_id, self.stage_new)
        self.assertEqual(self._clock(ticket, "resolution").status, "running")
        note = ticket.message_ids.filtered(
            lambda m: "did not move the ticket" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertTrue(note.subtype_id.internal)

    def test_refused_move_on_the_portal(self):
        """On the portal the sibling moves the ticket as the message is
        posted: a move psa_helpdesk refuses refuses the message, with the
        reason, and changes nothing."""
        self.team.autopupdate_dest_stage_id = self.stage_validation
        ticket = self._waiting_ticket(request_type="incident")
        portal = new_test_user(
            self.env,
            login="psa_pr_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        count = len(ticket.message_ids)
        with (
            freeze_time(utc(3, 10)),
            self.assertRaisesRegex(UserError, "apply an article"),
            self.env.cr.savepoint(),
        ):
            ticket.with_user(portal).message_post(
                body="Thanks",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        ticket.invalidate_recordset()
        self.assertEqual(len(ticket.message_ids), count)
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        self.assertEqual(self._clock(ticket, "resolution").status, "paused")
