# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MailCase

from .common import PsaCommon, enable_mail_gateway

INBOUND_EMAIL = """Return-Path: <{email_from}>
To: {to}
From: {email_from}
Subject: {subject}
Message-ID: {msg_id}
{extra}Date: Mon, 02 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

{body}
"""


@tagged("post_install", "-at_install")
class TestCommunication(PsaCommon, MailCase):
    """Resolution summary on closing, the closing email, the [#NUMBER] tag in
    outgoing subjects and inbound routing by that tag."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        enable_mail_gateway(cls, "support.example.com")
        cls.alias = cls.env["mail.alias"].create(
            {
                "alias_name": "psa-support",
                "alias_model_id": cls.env["ir.model"]._get_id("helpdesk.ticket"),
                "alias_domain_id": cls.alias_domain.id,
                "alias_contact": "everyone",
            }
        )
        cls.stage_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_cancelled = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_cancelled"
        )
        cls.closing_template = cls.env.ref("psa_helpdesk.mail_template_ticket_closed")
        cls.env["res.lang"]._activate_lang("es_AR")
        cls.contact.lang = "en_US"
        cls.colleague = cls.env["res.partner"].create(
            {
                "name": "Carla Colega",
                "parent_id": cls.customer.id,
                "email": "carla@t.example",
                "lang": "es_AR",
            }
        )
        cls.other_contact.email = "otto@other.example"
        cls.agent.email = "agent@psa.example"
        cls.analyst.email = "analyst@psa.example"

    def setUp(self):
        super().setUp()
        self.ticket = self._ticket(
            user=self.agent,
            installation_id=self.installation.id,
            stage_id=self.stage_progress.id,
            request_type="incident",
        )
        self.tag = f"[#{self.ticket.number}]"
        # tracking starts once the creation is committed
        self._flush_tracking()

    def _flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _receive(self, subject, email_from, msg_id, extra="", model=None, to=None):
        email = INBOUND_EMAIL.format(
            to=to or "psa-support@support.example.com",
            email_from=email_from,
            subject=subject,
            msg_id=msg_id,
            extra=extra,
            body="Still happening after the update.",
        )
        # the mail gateway runs with administrative rights
        return self.env["mail.thread"].sudo().message_process(model, email)

    # ------------------------------------------------------------------
    # Resolution required to close
    # ------------------------------------------------------------------

    def test_close_without_resolution_refused(self):
        with self.assertRaises(UserError):
            self.ticket.with_user(self.agent).write({"stage_id": self.stage_done.id})
        self.assertEqual(self.ticket.stage_id, self.stage_progress)
        self.assertFalse(self.ticket.closed_date)
        with self.assertRaises(UserError):
            self.ticket.with_user(self.agent).write(
                {"stage_id": self.stage_done.id, "psa_resolution": "<p><br></p>"}
            )
        self.assertEqual(self.ticket.stage_id, self.stage_progress)

    def test_close_with_resolution(self):
        self.ticket.with_user(self.agent).write(
            {"stage_id": self.stage_done.id, "psa_resolution": "<p>Patched.</p>"}
        )
        self.assertTrue(self.ticket.closed)
        # creating directly in a closing stage follows the same rule
        with self.assertRaises(UserError):
            self._ticket(
                user=self.agent,
                installation_id=self.installation.id,
                stage_id=self.stage_done.id,
                request_type="change",
            )

    def test_close_without_resolution_allowed(self):
        # a stage flagged as not needing it (nothing was solved)
        self.assertEqual(self.stage_cancelled.psa_close_kind, "not_solved")
        self.ticket.with_user(self.agent).stage_id = self.stage_cancelled
        self.assertTrue(self.ticket.closed)
        # a usage question (only incidents and change requests need one)
        question = self._ticket(
            user=self.agent,
            installation_id=self.installation.id,
            request_type="question",
        )
        question.with_user(self.agent).stage_id = self.stage_done
        self.assertTrue(question.closed)

    def test_customer_closing_from_portal(self):
        """A customer closing their own incident from the portal writes what
        solved it (see test_integrity_portal): a write as superuser on their
        behalf does not skip the resolution summary."""
        portal = new_test_user(
            self.env,
            login="psa_portal",
            groups="base.group_portal",
            partner_id=self.colleague.id,
            email=self.colleague.email,
        )
        with self.assertRaises(UserError):
            self.ticket.with_user(portal).sudo().stage_id = self.stage_done
        self.assertFalse(self.ticket.closed)
        self.ticket.with_user(portal)._psa_portal_close(
            self.stage_done, "Restarting the service solved it"
        )
        self.assertTrue(self.ticket.closed)
        self.assertIn("Restarting the service", self.ticket.psa_resolution)

    # ------------------------------------------------------------------
    # Closing email
    # ------------------------------------------------------------------

    def test_closing_email_to_customer_recipients(self):
        self.closing_template.with_context(
            lang="es_AR"
        ).subject = "[#{{ object.number }}] Resuelto: {{ object.name }}"
        self.ticket.message_subscribe(
            partner_ids=(self.colleague | self.analyst.partner_id).ids
        )
        with self.mock_mail_gateway():
            self.ticket.with_user(self.agent).write(
                {
                    "stage_id": self.stage_done.id,
                    "psa_resolution": "<p>Index rebuilt on the tax table.</p>",
                }
            )
            self._flush_tracking()
        closing = self._new_mails.filtered(
            lambda m: "Index rebuilt" in (m.body_html or "")
        )
        by_partner = {
            partner: mail for mail in closing for partner in mail.recipient_ids
        }
        # the contact and the customer follower, not the internal follower
        self.assertEqual(set(by_partner), {self.contact, self.colleague})
        self.assertEqual(
            by_partner[self.contact].subject,
            f"{self.tag} Resolved: It does not work",
        )
        # each in their own language
        self.assertEqual(
            by_partner[self.colleague].subject,
            f"{self.tag} Resuelto: It does not work",
        )
        # helpdesk_mgmt's generic "closed" email is not sent on top of it
        self.assertFalse(
            self._new_mails.filtered(lambda m: "has been closed." in (m.subject or ""))
        )

    def test_closing_email_not_for_cancelled(self):
        with self.mock_mail_gateway():
            self.ticket.with_user(self.agent).stage_id = self.stage_cancelled
            self._flush_tracking()
        self.assertFalse(
            self._new_mails.filtered(lambda m: "Resolved:" in (m.subject or ""))
        )
        # helpdesk_mgmt's template, tagged
        closed = self._new_mails.filtered(lambda m: "has been closed" in m.subject)
        self.assertTrue(closed)
        self.assertTrue(closed[0].subject.startswith(self.tag))

    # ------------------------------------------------------------------
    # Subject tag on outgoing emails
    # ------------------------------------------------------------------

    def test_subject_tag_on_replies(self):
        ticket = self.ticket.with_user(self.agent)
        with self.mock_mail_gateway():
            ticket.message_post(
                body="We are on it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.contact.ids,
            )
            ticket.message_post(
                body="Could you send a screenshot?",
                subject="Re: It does not work",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.contact.ids,
            )
            ticket.message_post(
                body="Thanks.",
                subject=f"Re: {self.tag} It does not work",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.contact.ids,
            )
        subjects = self._new_mails.mapped("subject")
        self.assertEqual(
            subjects,
            [
                f"{self.tag} It does not work",
                f"{self.tag} Re: It does not work",
                f"Re: {self.tag} It does not work",
            ],
        )

    def test_subject_tag_on_stage_template(self):
        self.stage_progress.mail_template_id = self.env.ref(
            "helpdesk_mgmt.changed_stage_template"
        )
        ticket = self._ticket(user=self.agent)
        self._flush_tracking()
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).stage_id = self.stage_progress
            self._flush_tracking()
        mail = self._new_mails.filtered(lambda m: m.res_id == ticket.id)
        self.assertEqual(len(mail), 1)
        self.assertEqual(
            mail.subject,
            f"[#{ticket.number}] The ticket {ticket.number} stage has changed.",
        )

    # ------------------------------------------------------------------
    # Inbound emails
    # ------------------------------------------------------------------

    def test_inbound_new_ticket(self):
        with self.mock_mail_gateway():
            ticket_id = self._receive(
                "Cannot print receipts", self.contact.email, "<new-1@t.example>"
            )
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertEqual(ticket.name, "Cannot print receipts")
        self.assertEqual(ticket.partner_id, self.contact)

    def test_inbound_reply_with_headers(self):
        with self.mock_mail_gateway():
            message = self.ticket.with_user(self.agent).message_post(
                body="Which version?",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.contact.ids,
            )
            count = self.env["helpdesk.ticket"].search_count([])
            thread_id = self._receive(
                "Re: whatever the client wrote",
                self.contact.email,
                "<reply-1@t.example>",
                extra=f"In-Reply-To: {message.message_id}\n",
            )
        self.assertEqual(thread_id, self.ticket.id)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    def test_inbound_reply_without_headers_found_by_tag(self):
        count = self.env["helpdesk.ticket"].search_count([])
        with self.mock_mail_gateway():
            # sent to the alias, by a colleague of the same customer
            thread_id = self._receive(
                f"RE: {self.tag} It does not work",
                self.colleague.email,
                "<reply-2@t.example>",
            )
            # through an incoming mail server creating tickets (no alias)
            thread_id_2 = self._receive(
                f"Fwd: {self.tag}",
                self.contact.email,
                "<reply-3@t.example>",
                model="helpdesk.ticket",
                to="someone@elsewhere.example",
            )
        self.assertEqual(thread_id, self.ticket.id)
        self.assertEqual(thread_id_2, self.ticket.id)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)
        received = self.ticket.message_ids.filtered(
            lambda m: m.message_id in ("<reply-2@t.example>", "<reply-3@t.example>")
        )
        self.assertEqual(len(received), 2)
        self.assertEqual(received.author_id, self.colleague | self.contact)
        self.assertEqual(received.subtype_id, self.env.ref("mail.mt_comment"))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_inbound_tag_of_another_customer(self):
        count = self.env["helpdesk.ticket"].search_count([])
        with self.mock_mail_gateway():
            thread_id = self._receive(
                f"{self.tag} our invoices",
                self.other_contact.email,
                "<other-1@o.example>",
            )
        self.assertNotEqual(thread_id, self.ticket.id)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count + 1)
        self.assertFalse(
            self.ticket.message_ids.filtered(
                lambda m: m.message_id == "<other-1@o.example>"
            )
        )
        new = self.env["helpdesk.ticket"].browse(thread_id)
        self.assertEqual(new.partner_id, self.other_contact)
        note = new.message_ids.filtered(lambda m: "does not belong" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertTrue(note.is_internal or note.subtype_id.internal)
        # nothing of the other ticket is disclosed: no link, no customer name
        self.assertNotIn(self.customer.name, str(note.body))
        self.assertNotIn(f"/web#id={self.ticket.id}", str(note.body))
