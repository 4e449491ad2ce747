# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every email that leaves about a ticket carries ``[#NUMBER]`` once in its
subject, whatever path made it; every automatic email carries
``Auto-Submitted``; automatic answers are limited per address and ticket; a
closing stage that asks for the resolution summary sends it; the mail gateway
and the record rules search indexed columns."""

import ast
import re

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.mail.tests.common import MailCase

from .common_development import PsaDevelopmentCommon
from .test_sla_alerts import PsaSlaAlertCommon


class MailOutgoingCase(MailCase):
    """Assertions on the emails made during ``mock_mail_gateway``."""

    def _ticket_mails(self, ticket, model="helpdesk.ticket", res_id=None):
        return self._new_mails.filtered(
            lambda m: m.model == model and m.res_id == (res_id or ticket.id)
        )

    def _headers(self, mail):
        return ast.literal_eval(mail.headers) if mail.headers else {}

    def assertTaggedOnce(self, subject, ticket):
        """``subject`` holds the ticket tag once, written ``[#NUMBER]``, and
        no other form of it (another case, without ``#``)."""
        tag = f"[#{ticket.number}]"
        any_form = re.compile(
            rf"\[\s*#?\s*{re.escape(ticket.number)}\s*\]", flags=re.IGNORECASE
        )
        self.assertEqual(len(any_form.findall(subject or "")), 1, subject)
        self.assertIn(tag, subject)

    def assertMailsTagged(self, mails, ticket):
        """Each of ``mails`` (stored, and as sent when it was sent) holds the
        tag once."""
        self.assertTrue(mails, "an email was made")
        for mail in mails:
            self.assertTaggedOnce(mail.subject, ticket)
        for sent in self._mails:
            if sent.get("object_id") in {
                f"{mail.res_id}-{mail.model}" for mail in mails
            }:
                self.assertTaggedOnce(sent["subject"], ticket)

    def assertAutoSubmitted(self, mails, kind):
        self.assertTrue(mails, "an email was made")
        for mail in mails:
            headers = self._headers(mail)
            self.assertEqual(headers.get("Auto-Submitted"), kind, mail.subject)
            self.assertIn("AutoReply", headers.get("X-Auto-Response-Suppress", ""))

    def assertNotAutoSubmitted(self, mails):
        self.assertTrue(mails, "an email was made")
        for mail in mails:
            self.assertNotIn("Auto-Submitted", self._headers(mail), mail.subject)


@tagged("post_install", "-at_install")
class TestMailOutgoing(PsaSlaAlertCommon, MailOutgoingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # stage templates and the closing email are sent by the tracking
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls._init_mail_gateway()
        cls.other_contact.email = "otto@other.example"
        for user in (cls.agent, cls.leader, cls.manager):
            user.notification_type = "email"
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Ticket news (test)",
                "model_id": cls.env["ir.model"]._get_id("helpdesk.ticket"),
                "subject": "News about {{ object.name }}",
                "partner_to": "{{ object.partner_id.id }}",
                "body_html": "<p>We are working on it.</p>",
            }
        )

    def setUp(self):
        super().setUp()
        with freeze_time("2026-03-02 08:00:00"):
            self.ticket = self._new(request_type="incident")
        self._flush_tracking()

    def _flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    # ------------------------------------------------------------------
    # [#NUMBER] once, whatever the path
    # ------------------------------------------------------------------

    def test_reply_to_customer(self):
        """A reply written by an agent: tagged once, whatever the subject the
        agent gives (none, the tag in another case, without #, twice); not
        automatic."""
        number = self.ticket.number
        ticket = self.ticket.with_user(self.agent)
        subjects = {
            None: f"[#{number}] It does not work",
            f"Re: [#{number.lower()}] It does not work": f"Re: [#{number}] It does "
            "not work",
            f"[{number}] About your call": f"[#{number}] About your call",
            f"[#{number}] Re: [#{number}] again": f"[#{number}] Re: again",
            f"RE: [# {number} ] fine": f"RE: [#{number}] fine",
        }
        for subject, expected in subjects.items():
            with self.subTest(subject=subject), self.mock_mail_gateway():
                ticket.message_post(
                    body="We are on it.",
                    subject=subject,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=self.contact.ids,
                )
                mails = self._ticket_mails(self.ticket)
                self.assertMailsTagged(mails, self.ticket)
                self.assertEqual(mails.mapped("subject"), [expected])
                self.assertNotAutoSubmitted(mails)

    def test_composer_with_template(self):
        """The composer, in both modes, with a template whose subject has no
        tag."""
        for mode in ("comment", "mass_mail"):
            with self.subTest(mode=mode), self.mock_mail_gateway():
                composer = (
                    self.env["mail.compose.message"]
                    .with_user(self.agent)
                    .with_context(
                        default_model="helpdesk.ticket",
                        default_res_ids=self.ticket.ids,
                        default_template_id=self.template.id,
                        default_composition_mode=mode,
                    )
                    .create({})
                )
                composer.action_send_mail()
                mails = self._ticket_mails(self.ticket)
                self.assertMailsTagged(mails, self.ticket)
                self.assertNotAutoSubmitted(mails)

    def test_template_send_mail(self):
        """``mail.template.send_mail``, with and without the tag in the
        template's subject."""
        template = self.template.with_user(self.agent)
        with self.mock_mail_gateway():
            template.send_mail(self.ticket.id)
            self.template.subject = "[#{{ object.number }}] News"
            template.send_mail(self.ticket.id)
        mails = self._ticket_mails(self.ticket)
        self.assertEqual(len(mails), 2)
        self.assertMailsTagged(mails, self.ticket)
        self.assertIn(f"[#{self.ticket.number}] News", mails.mapped("subject"))

    def test_server_action_send_email(self):
        """The "Send email" of a server action (what an automated action
        runs), by email and as a message."""
        for method in ("email", "comment"):
            action = self.env["ir.actions.server"].create(
                {
                    "name": f"Send news ({method})",
                    "model_id": self.env["ir.model"]._get_id("helpdesk.ticket"),
                    "state": "mail_post",
                    "template_id": self.template.id,
                    "mail_post_method": method,
                }
            )
            with self.subTest(method=method), self.mock_mail_gateway():
                action.with_context(
                    active_model="helpdesk.ticket", active_id=self.ticket.id
                ).run()
                self.assertMailsTagged(self._ticket_mails(self.ticket), self.ticket)

    def test_mail_mail_created_directly(self):
        message = self.ticket.message_post(body="Logged", subtype_xmlid="mail.mt_note")
        with self.mock_mail_gateway():
            mails = self.env["mail.mail"].create(
                [
                    {
                        "model": "helpdesk.ticket",
                        "res_id": self.ticket.id,
                        "subject": "Hello",
                        "email_to": self.contact.email,
                        "body_html": "<p>Hello</p>",
                    },
                    {
                        "model": "helpdesk.ticket",
                        "res_id": self.ticket.id,
                        "subject": f"[#{self.ticket.number.lower()}] Hello",
                        "email_to": self.contact.email,
                        "body_html": "<p>Hello</p>",
                    },
                    # a notification of an existing message: its record
                    {"mail_message_id": message.id, "email_to": self.contact.email},
                ]
            )
        self.assertMailsTagged(mails, self.ticket)
        self.assertEqual(mails[0].subject, f"[#{self.ticket.number}] Hello")
        self.assertEqual(mails[1].subject, f"[#{self.ticket.number}] Hello")
        # an email about something else is left alone
        with self.mock_mail_gateway():
            other = self.env["mail.mail"].create(
                {
                    "model": "res.partner",
                    "res_id": self.contact.id,
                    "subject": "Hello",
                    "email_to": self.contact.email,
                }
            )
        self.assertEqual(other.subject, "Hello")
        self.assertNotIn("Auto-Submitted", self._headers(other))

    # ------------------------------------------------------------------
    # Automatic emails
    # ------------------------------------------------------------------

    def test_sla_alert_email(self):
        self.policy.alert_by_email = True
        clock = self._clock(self.ticket, "response")
        with self.mock_mail_gateway(), freeze_time("2026-03-02 09:35:00"):
            self.Sla._cron_refresh_status()  # the response at 75 %
        mails = self._ticket_mails(self.ticket, "psa.ticket.sla", clock.id)
        self.assertEqual(len(mails), 1)
        self.assertMailsTagged(mails, self.ticket)
        self.assertEqual(
            mails.subject,
            f"[#{self.ticket.number}] SLA first warning: It does not work",
        )
        self.assertAutoSubmitted(mails, "auto-generated")

    def test_p1_alert_email(self):
        """A P1 alert is emailed when the policy sends alerts by email (as
        the SLA alerts), tagged and automatic; else the leader has the
        activity and the note, no email."""
        with self.mock_mail_gateway():
            ticket = self._new(severity="1")
        self.assertEqual(ticket.psa_priority, "1")
        self.assertIn(self.leader, ticket.activity_ids.user_id)
        self.assertFalse(
            self._ticket_mails(ticket).filtered(
                lambda m: self.leader.partner_id in m.recipient_ids
            )
        )
        self.policy.alert_by_email = True
        with self.mock_mail_gateway():
            ticket = self._new(severity="1")
        mails = self._ticket_mails(ticket).filtered(
            lambda m: self.leader.partner_id in m.recipient_ids
        )
        self.assertMailsTagged(mails, ticket)
        self.assertAutoSubmitted(mails, "auto-generated")

    def test_not_entitled_answer(self):
        """The answer to a customer without contract: tagged once (not
        ``[#N] [N]``), an automatic answer, once per address and day whatever
        the ticket."""

        def answers(ticket):
            return self._ticket_mails(ticket).filtered(
                lambda m: "We received your request" in (m.subject or "")
            )

        with self.mock_mail_gateway(), freeze_time("2026-03-02 10:00:00"):
            first = self._ticket(user=self.agent, partner_id=self.other_contact.id)
        self.assertFalse(first.psa_entitled)
        mails = answers(first)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.other_contact)
        self.assertEqual(
            mails.subject,
            f"[#{first.number}] We received your request: It does not work",
        )
        self.assertMailsTagged(mails, first)
        self.assertAutoSubmitted(mails, "auto-replied")
        self.assertEqual(first.psa_auto_answer_email, "otto@other.example")

        # the same address later that day, on another ticket (another
        # system's acknowledgement of our answer, under a subject of its own,
        # by the mail gateway): no answer, the agents' note still says why the
        # ticket is not entitled
        with self.mock_mail_gateway(), freeze_time("2026-03-02 17:00:00"):
            second = self.env["helpdesk.ticket"].message_new(
                {
                    "subject": "Ticket 4711 opened",
                    "body": "<p>Your request was registered.</p>",
                    "author_id": self.other_contact.id,
                    "email_from": "Otto <OTTO@other.example>",
                }
            )
        self.assertNotEqual(second, first)
        self.assertFalse(answers(second))
        self.assertFalse(second.psa_auto_answer_date)
        self.assertTrue(
            second.message_ids.filtered(
                lambda m: (
                    "is not entitled" in (m.body or "")
                    and m.subtype_id == self.env.ref("mail.mt_note")
                )
            )
        )
        # another address the same day: answered
        colleague = self.env["res.partner"].create(
            {
                "name": "Olga Other",
                "parent_id": self.other_customer.id,
                "email": "olga@other.example",
            }
        )
        with self.mock_mail_gateway(), freeze_time("2026-03-02 17:05:00"):
            third = self._ticket(user=self.agent, partner_id=colleague.id)
        self.assertEqual(len(answers(third)), 1)
        # the next day: answered again
        with self.mock_mail_gateway(), freeze_time("2026-03-03 10:30:00"):
            fourth = self._ticket(user=self.agent, partner_id=self.other_contact.id)
        self.assertEqual(len(answers(fourth)), 1)
        self.assertEqual(fourth.psa_auto_answer_email, "otto@other.example")

    # ------------------------------------------------------------------
    # Closing email of every closing stage that asks for the resolution
    # ------------------------------------------------------------------

    def test_closing_email_of_custom_stage(self):
        resuelto = (
            self.env["helpdesk.ticket.stage"]
            .with_user(self.manager)
            .create({"name": "Resuelto", "sequence": 10, "closed": True})
        )
        self.assertEqual(resuelto.psa_close_kind, "solved", "solves by default")
        ticket = self.ticket.with_user(self.agent)
        with self.assertRaises(UserError) as refused:
            ticket.stage_id = resuelto
        self.assertIn("closing email", str(refused.exception))
        with self.mock_mail_gateway():
            ticket.write(
                {"stage_id": resuelto.id, "psa_resolution": "<p>Index rebuilt.</p>"}
            )
            self._flush_tracking()
        mails = self._ticket_mails(self.ticket).filtered(
            lambda m: "Index rebuilt." in (m.body_html or "")
        )
        self.assertEqual(len(mails), 1, "the promised closing email")
        self.assertEqual(mails.recipient_ids, self.contact)
        self.assertEqual(
            mails.subject, f"[#{self.ticket.number}] Resolved: It does not work"
        )
        self.assertMailsTagged(mails, self.ticket)
        self.assertAutoSubmitted(mails, "auto-generated")

    def test_closing_email_template_of_the_stage(self):
        """A stage's own template is its closing email, if it shows the
        resolution; one that does not is refused, unless the stage does not
        ask for the resolution."""
        Stage = self.env["helpdesk.ticket.stage"].with_user(self.manager)
        own = self.env["mail.template"].create(
            {
                "name": "Resuelto (test)",
                "model_id": self.env["ir.model"]._get_id("helpdesk.ticket"),
                "subject": "Resuelto: {{ object.name }}",
                "body_html": '<p>Solución: <t t-out="object.psa_resolution"/></p>',
            }
        )
        generic = self.env.ref("helpdesk_mgmt.closed_ticket_template")
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            Stage.create(
                {"name": "Cerrado", "closed": True, "mail_template_id": generic.id}
            )
        quiet = Stage.create(
            {
                "name": "Descartado",
                "closed": True,
                "psa_close_kind": "not_solved",
                "mail_template_id": generic.id,
            }
        )
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            quiet.psa_close_kind = "solved"
        stage = Stage.create(
            {"name": "Resuelto", "closed": True, "mail_template_id": own.id}
        )
        with self.mock_mail_gateway():
            self.ticket.with_user(self.agent).write(
                {"stage_id": stage.id, "psa_resolution": "<p>Patched.</p>"}
            )
            self._flush_tracking()
        mails = self._ticket_mails(self.ticket)
        self.assertEqual(len(mails), 1)
        self.assertEqual(
            mails.subject, f"[#{self.ticket.number}] Resuelto: It does not work"
        )
        self.assertIn("Patched.", mails.body_html)
        self.assertAutoSubmitted(mails, "auto-generated")
        # a stage that does not ask: no resolution, no closing email of ours,
        # its template as helpdesk_mgmt sends it (automatic as well)
        ticket = self._new(request_type="incident")
        self._flush_tracking()
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).stage_id = quiet
            self._flush_tracking()
        mails = self._ticket_mails(ticket)
        self.assertEqual(len(mails), 1)
        self.assertIn("has been closed", mails.subject)
        self.assertMailsTagged(mails, ticket)
        self.assertAutoSubmitted(mails, "auto-generated")

    # ------------------------------------------------------------------
    # Indexes
    # ------------------------------------------------------------------

    def test_indexes_for_gateway_and_rules(self):
        rows = self.env.execute_query(
            SQL(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s",
                "helpdesk_ticket",
            )
        )
        definitions = [row[0] for row in rows]

        def index_on(column):
            return [d for d in definitions if re.search(rf"\(\s*{column}\s*\)", d)]

        # the tag of an inbound subject is looked up by number
        self.assertTrue(index_on("number"))
        # helpdesk_mgmt's rules (internal users, portal) on the contact
        self.assertTrue(index_on("partner_id"))
        # the developers' rule and the task's notes to its tickets: sparse
        task = index_on("task_id")
        self.assertTrue(task)
        self.assertIn("IS NOT NULL", task[0])
        for column in ("psa_auto_answer_email", "psa_problem_id"):
            with self.subTest(column=column):
                self.assertTrue(index_on(column))


@tagged("post_install", "-at_install")
class TestMailOutgoingDevelopment(PsaDevelopmentCommon, MailOutgoingCase):
    """What a development task tells its tickets and the customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the closing email is sent by the tracking
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls._init_mail_gateway()
        cls.customer.email = "it@testville.example"
        cls.agent.notification_type = "email"
        cls.ticket = cls._ticket(user_id=cls.agent.id)
        cls._escalate(cls.ticket, user=cls.agent)
        cls.task = cls.ticket.task_id
        cls.task.user_ids = cls.developer

    def test_fix_notification(self):
        self.task.psa_fix_version_id = self.v40
        with self.mock_mail_gateway():
            self.task.with_user(self.analyst).action_psa_notify_affected_customers()
        mails = self._new_mails.filtered(
            lambda m: m.model == "psa.installation" and m.res_id == self.installation.id
        )
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.customer)
        self.assertAutoSubmitted(mails, "auto-generated")

    def test_finished_task_asks_to_inform_the_customer(self):
        with self.mock_mail_gateway():
            self.task.with_user(self.developer).write({"state": "1_done"})
        mails = self._ticket_mails(self.ticket).filtered(
            lambda m: self.agent.partner_id in m.recipient_ids
        )
        self.assertEqual(len(mails), 1, "the activity assigned to the agent")
        self.assertMailsTagged(mails, self.ticket)
        self.assertAutoSubmitted(mails, "auto-generated")

    def test_problem_closes_its_incidents(self):
        """The problem's resolution posted on its incidents is automatic; so
        is the closing email that follows."""
        problem = self._ticket(user=self.agent, name="Root cause")
        problem.with_user(self.agent).write(
            {"psa_is_problem": True, "psa_problem_resolution": "Patch 3.9.4"}
        )
        self.ticket.psa_problem_id = problem
        # the customer follows the incident: the resolution is emailed too
        self.ticket.message_subscribe(partner_ids=self.contact.ids)
        with self.mock_mail_gateway():
            problem.with_user(self.agent).action_psa_resolve_incidents()
            self.env.flush_all()
            self.env.cr.precommit.run()
        mails = self._ticket_mails(self.ticket).filtered(
            lambda m: self.contact in m.recipient_ids
        )
        self.assertEqual(len(mails), 2, "the resolution, and the closing email")
        self.assertTrue(mails.filtered(lambda m: "Resolved:" in m.subject))
        self.assertMailsTagged(mails, self.ticket)
        self.assertAutoSubmitted(mails, "auto-generated")
        self.assertTrue(self.ticket.closed)
