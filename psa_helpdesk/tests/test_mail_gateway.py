# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Real inbound email through the mail gateway (SPEC §4, §6, §7).

The raw messages of ``tests/data/`` are shaped like the traffic of the support
address: replies from Gmail, Outlook (``RE:``, ``RV:``) and Thunderbird,
auto-responders (Exchange, Gmail), a delivery status notification, a mailing
list, an agent writing from his own mail client. Each goes through
``mail.thread.message_process`` to the team's alias, and the tests check the
ticket, the message, the SLA clocks and the emails the helpdesk sends back.
"""

import email
import email.policy

from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import file_open, mute_logger

from odoo.addons.mail.tests.common import MailCase

from .common import (
    PsaContractCommon,
    enable_mail_gateway,
    new_company_user,
    open_team_alias,
)

DATA = "psa_helpdesk/tests/data/"
# Message-Ids of emails the helpdesk sent, which the corpus answers or bounces
QUESTION_ID = (
    "<1772449200.318472951.602118-openerp-42-helpdesk.ticket@support.example.com>"
)
BOUNCED_ID = (
    "<1772463600.504918337.240117-openerp-42-helpdesk.ticket@support.example.com>"
)
# the agent's email: to the customer with the team in copy, or to the team
TO_CUSTOMER_CC_TEAM = (
    "To: =?utf-8?B?TGF1cmEgR8OzbWV6?= <laura.gomez@testville.gob.ar>\n"
    "CC: Soporte <soporte@support.example.com>"
)
TO_TEAM = "To: Soporte <soporte@support.example.com>"
LAURA_FROM = "=?UTF-8?Q?Laura_G=C3=B3mez?= <laura.gomez@testville.gob.ar>"
GATEWAY_LOGGERS = (
    "odoo.addons.mail.models.mail_thread",
    "odoo.addons.psa_helpdesk.models.mail_thread",
    "odoo.addons.psa_helpdesk.models.helpdesk_ticket_communication",
)


def eml(name, replace=()):
    """The raw email ``tests/data/<name>``, with ``(old, new)`` replacements
    for the variants a test needs."""
    with file_open(DATA + name, "rb") as raw_file:
        raw = raw_file.read().decode()
    for old, new in replace:
        assert old in raw, f"{old!r} not in {name}"
        raw = raw.replace(old, new)
    return raw


@tagged("post_install", "-at_install")
class TestMailGateway(PsaContractCommon, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        enable_mail_gateway(cls, "support.example.com")
        open_team_alias(cls.team_l1, "soporte", cls.alias_domain)
        # tickets opened by email are numbered apart from the tagged ones
        cls.env["ir.sequence"].search(
            [("code", "=", "helpdesk.ticket.sequence")]
        ).prefix = "GW"
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        cls.stage_waiting = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.policy.write(
            {
                "pause_stage_ids": [Command.set(cls.stage_waiting.ids)],
                "target_ids": [
                    Command.create(
                        {
                            "priority": priority,
                            "response_hours": 8,
                            "resolution_hours": 40,
                            "update_hours": 16,
                        }
                    )
                    for priority in ("1", "2", "3")
                ],
            }
        )
        cls.contact.write(
            {"name": "Laura Gómez", "email": "laura.gomez@testville.gob.ar"}
        )
        cls.colleague = cls.env["res.partner"].create(
            {
                "name": "Carla Pérez",
                "parent_id": cls.customer.id,
                "email": "carla.perez@testville.gob.ar",
            }
        )
        # a company without contract
        cls.other_contact.email = "otto.other@gmail.com"
        cls.agent.write({"name": "Ana Agente", "email": "ana.agente@psa.example"})
        cls.customer_side = cls.contact | cls.colleague | cls.other_contact
        Ticket = cls.env["helpdesk.ticket"].with_context(active_test=False)
        assert not Ticket.search_count([("number", "in", ("HT00042", "HT00298"))])

    def setUp(self):
        super().setUp()
        with freeze_time("2026-03-02 09:00:00"):  # Monday
            self.ticket = self._new_ticket("HT00042", "Facturas rechazadas por AFIP")
            self.other_ticket = self._new_ticket("HT00298", "Still failing")
            self._flush_tracking()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _new_ticket(self, number, name):
        return self._ticket(
            user=self.agent,
            name=name,
            number=number,
            team_id=self.team_l1.id,
            user_id=self.agent.id,
            installation_id=self.installation.id,
            stage_id=self.stage_progress.id,
            request_type="incident",
            severity="3",
        )

    def _flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    @mute_logger(*GATEWAY_LOGGERS)
    def _process(self, raw):
        """``raw`` through the mail gateway, as the incoming mail server and
        the mail gateway script run it (administrative rights); returns the
        record it went to."""
        thread_id = self.env["mail.thread"].sudo().message_process(None, raw)
        self._flush_tracking()
        return self.env["helpdesk.ticket"].browse(thread_id or [])

    def _received(self, raw):
        """The message the gateway made of the raw email ``raw``."""
        message_id = email.message_from_string(raw, policy=email.policy.SMTP)[
            "Message-ID"
        ]
        return self.env["mail.message"].search(
            [("message_id", "=", message_id.strip())]
        )

    def _clock(self, ticket, metric):
        clocks = ticket.psa_sla_ids.filtered(lambda c: c.metric == metric)
        return clocks.sorted("id")[-1:]

    def _mails_to(self, partners):
        """The emails created for any of ``partners`` (records or addresses)."""
        emails = {p if isinstance(p, str) else p.email_normalized for p in partners}
        return self._new_mails.filtered(
            lambda m: (
                set(m.recipient_ids.mapped("email_normalized")) & emails
                or any(e in (m.email_to or "") for e in emails)
            )
        )

    def _ask_and_wait(self):
        """Monday 10:00 the agent asks the customer (the email the corpus
        answers), 10:05 the ticket waits for the customer."""
        with freeze_time("2026-03-02 10:00:00"):
            self.ticket.with_user(self.agent).message_post(
                body="¿Podría indicarnos el número del comprobante rechazado?",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.contact.ids,
                message_id=QUESTION_ID,
            )
        with freeze_time("2026-03-02 10:05:00"):
            self.ticket.with_user(self.agent).stage_id = self.stage_waiting
            self._flush_tracking()
        self.assertEqual(self._clock(self.ticket, "resolution").status, "paused")

    # ------------------------------------------------------------------
    # Detection (one helper)
    # ------------------------------------------------------------------

    def test_automation_detection(self):
        """``_psa_mail_automation`` on the headers seen in real traffic."""
        cases = {
            "Auto-Submitted: auto-replied": ("auto_reply", True),
            "Auto-Submitted: auto-generated": ("auto_generated", True),
            "Auto-Submitted: auto-notified": ("auto_generated", True),
            "Auto-Submitted: No": (False, False),
            "X-Autoreply: yes": ("auto_reply", True),
            "X-Autorespond: Out of office": ("auto_reply", True),
            "Precedence: bulk": ("bulk", True),
            "Precedence: junk": ("bulk", True),
            "Precedence: list": ("bulk", True),
            "Precedence: auto_reply": ("auto_reply", True),
            "Return-Path: <>": ("auto_generated", True),
            "X-Failed-Recipients: carla.perez@testville.gob.ar": ("bounce", True),
            # only asks not to be answered: a person may have written it
            "X-Auto-Response-Suppress: All": (False, True),
            "X-Auto-Response-Suppress: None": (False, False),
            "List-Id: <clientes.testville.gob.ar>": (False, True),
            "Content-Type: multipart/report; report-type=delivery-status;"
            ' boundary="b"': ("bounce", True),
            "Content-Type: multipart/report;"
            ' report-type=disposition-notification; boundary="b"': (
                "auto_generated",
                True,
            ),
            "Return-Path: <laura.gomez@testville.gob.ar>": (False, False),
        }
        Thread = self.env["mail.thread"]
        for header, expected in cases.items():
            with self.subTest(header=header):
                message = email.message_from_string(
                    f"From: x@testville.gob.ar\n{header}\nSubject: s\n\nbody\n",
                    policy=email.policy.SMTP,
                )
                self.assertEqual(Thread._psa_mail_automation(message), expected)
        # out-of-office replies of responders that set no header but
        # Exchange's X-Auto-Response-Suppress: known by their subject
        subjects = {
            "Respuesta automática: Re: [#HT23] Recibo": ("auto_reply", True),
            "Fuera de la oficina: Re: [#HT23] Recibo": ("auto_reply", True),
            "Automatic reply: Re: [#HT23] Receipt": ("auto_reply", True),
            "Out of Office: Re: [#HT23] Receipt": ("auto_reply", True),
            "Re: [#HT23] Respuesta automática del sistema: falla": (False, True),
            "Ausencia de datos: informe": (False, True),
        }
        for subject, expected in subjects.items():
            with self.subTest(subject=subject):
                message = email.message_from_string(
                    "From: x@testville.gob.ar\nX-Auto-Response-Suppress: All\n"
                    f"Subject: {subject}\n\nNo estoy en la oficina hasta el lunes.\n",
                    policy=email.policy.SMTP,
                )
                self.assertEqual(Thread._psa_mail_automation(message), expected)
        corpus = {
            "gmail_reply.eml": (False, False),
            "outlook_reply_es.eml": (False, False),
            "outlook_forward_es.eml": (False, False),
            "thunderbird_reply_no_headers.eml": (False, False),
            "agent_reply_own_client.eml": (False, False),
            "exchange_request_suppress.eml": (False, True),
            "exchange_out_of_office.eml": ("auto_reply", True),
            "agent_out_of_office.eml": ("auto_reply", True),
            "gmail_vacation.eml": ("auto_reply", True),
            "dsn_mailer_daemon.eml": ("bounce", True),
            "mailing_list.eml": ("bulk", True),
        }
        for name, expected in corpus.items():
            with self.subTest(eml=name):
                message = email.message_from_string(eml(name), policy=email.policy.SMTP)
                self.assertEqual(Thread._psa_mail_automation(message), expected)

    # ------------------------------------------------------------------
    # Persons' replies
    # ------------------------------------------------------------------

    def test_gmail_reply_resumes_waiting_ticket(self):
        self._ask_and_wait()
        resolution = self._clock(self.ticket, "resolution")
        with freeze_time("2026-03-02 15:12:31"), self.mock_mail_gateway():
            ticket = self._process(raw := eml("gmail_reply.eml"))
        self.assertEqual(ticket, self.ticket)
        message = self._received(raw)
        self.assertEqual(message.res_id, ticket.id)
        self.assertEqual(message.author_id, self.contact)
        self.assertEqual(message.message_type, "email")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertFalse(message.psa_automatic)
        self.assertIn("código 10016", str(message.body))
        # a customer reply: back to work, the clocks run again
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertEqual(resolution.status, "running")
        # paused 10:05-12:00 and 13:00-15:12:31
        self.assertAlmostEqual(resolution.paused_hours, 4 + 7 / 60 + 31 / 3600)
        # the agent hears of it; nothing goes back to the customer
        self.assertTrue(self._mails_to(self.agent.partner_id))
        self.assertFalse(self._mails_to(self.customer_side))

    def test_outlook_reply_and_forward_found_by_tag(self):
        """A colleague's ``RE:`` whose threading headers name the customer's
        own thread, and the contact's ``RV:`` with extra spaces, go to the
        tagged ticket."""
        count = self.env["helpdesk.ticket"].search_count([])
        with freeze_time("2026-03-02 15:31:08"), self.mock_mail_gateway():
            reply = self._process(reply_raw := eml("outlook_reply_es.eml"))
        with freeze_time("2026-03-03 12:20:44"), self.mock_mail_gateway():
            forward = self._process(forward_raw := eml("outlook_forward_es.eml"))
        self.assertEqual(reply, self.ticket)
        self.assertEqual(forward, self.ticket)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)
        reply_message = self._received(reply_raw)
        forward_message = self._received(forward_raw)
        self.assertEqual(reply_message.author_id, self.colleague)
        self.assertIn("Delegación Norte", str(reply_message.body))
        self.assertEqual(forward_message.author_id, self.contact)
        self.assertIn("certificado de AFIP", str(forward_message.body))
        for message in reply_message | forward_message:
            self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))

    def test_thunderbird_reply_lower_case_tag(self):
        """``re:  [#ht00298]  still failing`` without threading headers: the
        tag is found whatever its case, never for another customer."""
        with freeze_time("2026-03-03 13:05:12"), self.mock_mail_gateway():
            ticket = self._process(raw := eml("thunderbird_reply_no_headers.eml"))
        self.assertEqual(ticket, self.other_ticket)
        message = self._received(raw)
        self.assertEqual(message.res_id, ticket.id)
        self.assertEqual(message.author_id, self.contact)
        self.assertIn("libro IVA sale vacío", str(message.body))
        # the same subject from another customer opens its own ticket
        with freeze_time("2026-03-03 13:06:00"), self.mock_mail_gateway():
            new = self._process(
                eml(
                    "thunderbird_reply_no_headers.eml",
                    [
                        (LAURA_FROM, "Otto Other <otto.other@gmail.com>"),
                        ("5e0c2b1a-93f4", "6f1d3c2b-04a5"),
                    ],
                )
            )
        self.assertNotEqual(new, self.other_ticket)
        self.assertEqual(new.partner_id, self.other_contact)
        self.assertEqual(
            self.other_ticket.message_ids.filtered(lambda m: m.message_type == "email"),
            message,
        )

    def test_reply_asking_for_no_auto_answer_is_a_reply(self):
        """``X-Auto-Response-Suppress`` (Exchange) on a person's reply: it
        is the customer's reply all the same."""
        self._ask_and_wait()
        with freeze_time("2026-03-02 15:12:31"), self.mock_mail_gateway():
            ticket = self._process(
                raw := eml(
                    "gmail_reply.eml",
                    [
                        (
                            "MIME-Version: 1.0\n",
                            "MIME-Version: 1.0\nX-Auto-Response-Suppress: All\n",
                        )
                    ],
                )
            )
        self.assertEqual(ticket, self.ticket)
        self.assertEqual(self._received(raw).author_id, self.contact)
        self.assertFalse(self._received(raw).psa_automatic)
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertEqual(self._clock(ticket, "resolution").status, "running")

    def test_request_asking_for_no_auto_answer(self):
        """A new request of a company without contract, from Exchange with
        ``X-Auto-Response-Suppress``: a person's ticket, not flagged, noted
        as not entitled, but no automatic answer goes back."""
        with freeze_time("2026-03-02 17:10:22"), self.mock_mail_gateway():
            ticket = self._process(raw := eml("exchange_request_suppress.eml"))
        self.assertEqual(ticket.partner_id, self.other_contact)
        self.assertFalse(ticket.psa_automatic_origin)
        self.assertFalse(ticket.psa_entitled)
        self.assertEqual(ticket.team_id, self.team_commercial)
        first = self._received(raw)
        self.assertEqual(first.res_id, ticket.id)
        self.assertEqual(first.author_id, self.other_contact)
        self.assertFalse(first.psa_automatic)
        note = ticket.message_ids.filtered(
            lambda m: "No answer was sent" in str(m.body)
        )
        self.assertEqual(len(note), 1)
        self.assertFalse(self._mails_to(self.other_contact))

    # ------------------------------------------------------------------
    # Automatic email on a ticket
    # ------------------------------------------------------------------

    def test_customer_out_of_office_is_no_reply(self):
        """The Exchange out-of-office of the contact answering the agent's
        question: logged on the ticket as a note, the ticket keeps waiting,
        its clocks stay paused, nobody is answered."""
        self._ask_and_wait()
        self.ticket.message_subscribe(partner_ids=self.colleague.ids)
        resolution = self._clock(self.ticket, "resolution")
        with freeze_time("2026-03-03 15:40:03"), self.mock_mail_gateway():
            ticket = self._process(raw := eml("exchange_out_of_office.eml"))
        self.assertEqual(ticket, self.ticket)
        message = self._received(raw)
        self.assertEqual(message.author_id, self.contact)
        self.assertEqual(message.psa_automatic, "auto_reply")
        self.assertTrue(message.is_internal)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        self.assertEqual(resolution.status, "paused")
        # the agent it answers hears of it, no customer does
        self.assertFalse(self._mails_to(self.customer_side))
        self.assertEqual(
            self._new_mails.recipient_ids, self.agent.partner_id, "internal only"
        )
        # the agents see it, the customer's portal does not
        self.assertIn(message, ticket.with_user(self.agent).message_ids)

    def test_agent_out_of_office_not_forwarded(self):
        """The agent's out-of-office answering the notification of the
        customer's email: a note on the ticket, not forwarded to the
        customer, and not the first response."""
        response = self._clock(self.ticket, "response")
        self.ticket.message_subscribe(partner_ids=self.colleague.ids)
        with freeze_time("2026-03-02 15:12:31"), self.mock_mail_gateway():
            self._process(eml("gmail_reply.eml"))  # by its tag
        self.assertTrue(self._mails_to(self.agent.partner_id))
        with freeze_time("2026-03-03 15:41:20"), self.mock_mail_gateway():
            ticket = self._process(raw := eml("agent_out_of_office.eml"))
        self.assertEqual(ticket, self.ticket)
        message = self._received(raw)
        self.assertEqual(message.author_id, self.agent.partner_id)
        self.assertEqual(message.psa_automatic, "auto_reply")
        self.assertTrue(message.is_internal)
        self.assertFalse(self._mails_to(self.customer_side))
        self.assertEqual(response.status, "running")
        self.assertFalse(self._clock(ticket, "update"))

    # ------------------------------------------------------------------
    # Automatic email opening a ticket: never answered
    # ------------------------------------------------------------------

    def test_vacation_responder_without_contract(self):
        """Fault 1: an auto-responder of a company without contract, without
        threading headers. It opens a ticket flagged as opened by an
        automatic email, not entitled, and no answer goes back; the same
        email written by a person is answered (the test would see a loop)."""
        with freeze_time("2026-03-02 16:03:47"), self.mock_mail_gateway():
            ticket = self._process(raw := eml("gmail_vacation.eml"))
        self.assertEqual(ticket.partner_id, self.other_contact)
        self.assertEqual(ticket.psa_automatic_origin, "auto_reply")
        self.assertFalse(ticket.psa_entitled)
        self.assertEqual(ticket.team_id, self.team_commercial)
        self.assertEqual(self._received(raw).psa_automatic, "auto_reply")
        self.assertEqual(self._received(raw).res_id, ticket.id)
        note = ticket.message_ids.filtered(
            lambda m: "No answer was sent" in str(m.body)
        )
        self.assertEqual(len(note), 1)
        self.assertFalse(self._new_mails)
        # control: a person's email, same sender and text
        with freeze_time("2026-03-02 16:10:00"), self.mock_mail_gateway():
            person = self._process(self._person_email(1))
        self.assertFalse(person.psa_automatic_origin)
        self.assertEqual(len(self._mails_to(self.other_contact)), 1)

    def _person_email(self, turn):
        """The vacation email as a person would write it (no automatic
        header), with its own Message-Id."""
        return eml(
            "gmail_vacation.eml",
            [
                ("Auto-Submitted: auto-replied\n", ""),
                ("Precedence: bulk\n", ""),
                ("X-Autoreply: yes\n", ""),
                ("CAKq2zV1vacation", f"CAKq2zV1person{turn:02d}"),
                ("Vacaciones: Consulta por licencias", "Consulta por licencias"),
            ],
        )

    def test_acknowledgement_not_sent_to_automatic_email(self):
        """Where the first stage sends an acknowledgement, a person's new
        email gets it, an automatic one does not."""
        self.stage_new.mail_template_id = self.env["mail.template"].create(
            {
                "name": "Acknowledgement (test)",
                "model_id": self.env["ir.model"]._get_id("helpdesk.ticket"),
                "subject": "Recibimos su consulta {{ object.number }}",
                "partner_to": "{{ object.partner_id.id }}",
                "body_html": "<p>Recibimos su consulta.</p>",
            }
        )
        new_request = [
            ("re:  [#ht00298]  still failing", "Cannot print receipts"),
            ("5e0c2b1a-93f4", "7a2e4d3c-15b6"),
        ]
        with freeze_time("2026-03-03 13:05:12"), self.mock_mail_gateway():
            person = self._process(eml("thunderbird_reply_no_headers.eml", new_request))
        self.assertEqual(person.stage_id, self.stage_new)
        self.assertEqual(len(self._mails_to(self.contact)), 1)
        with freeze_time("2026-03-03 13:06:00"), self.mock_mail_gateway():
            robot = self._process(
                eml(
                    "thunderbird_reply_no_headers.eml",
                    [
                        *new_request,
                        ("MIME-Version", "Auto-Submitted: auto-replied\nMIME-Version"),
                        ("7a2e4d3c-15b6", "8b3f5e4d-26c7"),
                    ],
                )
            )
        self.assertNotEqual(robot, person)
        self.assertEqual(robot.psa_automatic_origin, "auto_reply")
        self.assertTrue(robot.psa_entitled)
        self.assertFalse(self._new_mails)

    def test_mailing_list_opens_flagged_ticket(self):
        with freeze_time("2026-03-02 17:00:12"), self.mock_mail_gateway():
            ticket = self._process(eml("mailing_list.eml"))
        self.assertEqual(ticket.psa_automatic_origin, "bulk")
        self.assertEqual(ticket.name, "[Novedades] Boletín fiscal de marzo")
        self.assertFalse(ticket.partner_id)
        self.assertFalse(self._new_mails)

    # ------------------------------------------------------------------
    # Delivery status notifications
    # ------------------------------------------------------------------

    def test_bounce_logged_on_ticket(self):
        """A notification of the ticket bounced at the colleague's server:
        the report is a note on the ticket, under the email that bounced,
        and the colleague's notification is marked bounced."""
        with freeze_time("2026-03-03 16:00:00"), self.mock_mail_gateway():
            sent = self.ticket.with_user(self.agent).message_post(
                body="Carla, ¿podría enviarnos el lote rechazado?",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.colleague.ids,
                message_id=BOUNCED_ID,
            )
        with freeze_time("2026-03-03 16:00:05"), self.mock_mail_gateway():
            ticket = self._process(raw := eml("dsn_mailer_daemon.eml"))
        self.assertEqual(ticket, self.ticket)
        report = self._received(raw)
        self.assertEqual(report.res_id, ticket.id)
        self.assertEqual(report.psa_automatic, "bounce")
        self.assertTrue(report.is_internal)
        self.assertIn("User unknown", str(report.body))
        notification = sent.notification_ids.filtered(
            lambda n: n.res_partner_id == self.colleague
        )
        self.assertEqual(notification.notification_status, "bounce")
        self.assertFalse(self._mails_to(self.customer_side | self.colleague))
        self.assertFalse(self._mails_to(["mailer-daemon@mx.support.example.com"]))

    def test_bounce_to_team_alias_opens_ticket(self):
        """A report sent to the team's address about an email no ticket
        knows is not lost: it opens a ticket, flagged, and nobody is
        answered."""
        with freeze_time("2026-03-03 16:00:05"), self.mock_mail_gateway():
            ticket = self._process(
                eml(
                    "dsn_mailer_daemon.eml",
                    [
                        ("Delivered-To: bounce@", "Delivered-To: soporte@"),
                        ("To: bounce@", "To: soporte@"),
                        ("1772463600.504918337", "1772463600.999999999"),
                    ],
                )
            )
        self.assertTrue(ticket)
        self.assertEqual(ticket.psa_automatic_origin, "bounce")
        self.assertEqual(ticket.name, "Undelivered Mail Returned to Sender")
        self.assertFalse(self._new_mails)

    # ------------------------------------------------------------------
    # An agent's email from his own mail client
    # ------------------------------------------------------------------

    def test_agent_reply_from_own_client(self):
        """Fault 2: ``RE: [#HT00042]`` from the agent to the customer, the
        team's address in copy, no threading headers: the agent's public
        reply on that ticket, the first response, not sent again to the
        customer (who has it); customer followers not in copy get it."""
        self.ticket.message_subscribe(partner_ids=self.colleague.ids)
        response = self._clock(self.ticket, "response")
        count = self.env["helpdesk.ticket"].search_count([])
        with freeze_time("2026-03-02 16:30:40"), self.mock_mail_gateway():
            ticket = self._process(raw := eml("agent_reply_own_client.eml"))
        self.assertEqual(ticket, self.ticket)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)
        message = self._received(raw)
        self.assertEqual(message.author_id, self.agent.partner_id)
        self.assertEqual(message.message_type, "email")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertFalse(message.is_internal)
        self.assertEqual(response.status, "met")
        self.assertEqual(str(response.reached_date), "2026-03-02 16:30:40")
        self.assertEqual(self._clock(ticket, "update").status, "running")
        self.assertFalse(self._mails_to(self.contact))
        self.assertTrue(self._mails_to(self.colleague))
        self.assertEqual(ticket.partner_id, self.contact)

    def test_agent_email_to_team_only_is_a_note(self):
        """The same email sent to the team's address only: the customer did
        not receive it, so it is a note, not the first response."""
        response = self._clock(self.ticket, "response")
        with freeze_time("2026-03-02 16:30:40"), self.mock_mail_gateway():
            ticket = self._process(
                raw := eml(
                    "agent_reply_own_client.eml",
                    [(TO_CUSTOMER_CC_TEAM, TO_TEAM)],
                )
            )
        self.assertEqual(ticket, self.ticket)
        message = self._received(raw)
        self.assertEqual(message.author_id, self.agent.partner_id)
        self.assertTrue(message.is_internal)
        self.assertEqual(response.status, "running")
        self.assertFalse(self._mails_to(self.customer_side))

    def test_agent_email_never_makes_the_agent_customer(self):
        """Without a tag, an agent's email opens a ticket for the customer it
        was sent to; sent to the team only, a ticket without customer that
        waits for the agent to choose one (not routed as without contract)."""
        untagged = [("RE: [#HT00042] Invoices rejected", "Invoices rejected")]
        with freeze_time("2026-03-02 16:30:40"), self.mock_mail_gateway():
            ticket = self._process(raw := eml("agent_reply_own_client.eml", untagged))
        self.assertNotEqual(ticket, self.ticket)
        self.assertEqual(ticket.partner_id, self.contact)
        self.assertTrue(ticket.psa_entitled)
        self.assertEqual(self._received(raw).author_id, self.agent.partner_id)
        self.assertEqual(self._received(raw).res_id, ticket.id)
        with freeze_time("2026-03-02 16:40:00"), self.mock_mail_gateway():
            ticket = self._process(
                eml(
                    "agent_reply_own_client.eml",
                    [
                        *untagged,
                        (TO_CUSTOMER_CC_TEAM, TO_TEAM),
                        ("A4B5C@", "A4B5D@"),
                    ],
                )
            )
        self.assertFalse(ticket.partner_id)
        self.assertFalse(ticket.partner_email)
        self.assertEqual(ticket.team_id, self.team_l1, "not routed to commercial")
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: "choose the customer" in str(m.body))
        )
        self.assertFalse(
            ticket.message_ids.filtered(lambda m: "No active contract" in str(m.body))
        )
        self.assertFalse(self._new_mails.filtered(lambda m: m.res_id == ticket.id))

    def test_agent_email_never_reaches_a_ticket_he_cannot_read(self):
        """An internal user of another company tagging the ticket: not
        attached there (a note says why, naming no customer); the email opens
        a ticket for the customer it was sent to."""
        __, outsider = new_company_user(
            self.env,
            "Other vendor (test)",
            "psa_gateway_outsider",
            "psa_helpdesk.group_psa_agent",
        )
        outsider.email = "otro.agente@otro.example"
        self.assertFalse(self.ticket.with_user(outsider).has_access("read"))
        with freeze_time("2026-03-02 16:30:40"), self.mock_mail_gateway():
            ticket = self._process(
                raw := eml(
                    "agent_reply_own_client.eml",
                    [
                        (
                            "From: Ana Agente <ana.agente@psa.example>",
                            f"From: {outsider.email}",
                        )
                    ],
                )
            )
        self.assertNotEqual(ticket, self.ticket)
        self.assertNotEqual(self._received(raw).res_id, self.ticket.id)
        self.assertEqual(ticket.partner_id, self.contact)
        note = ticket.message_ids.filtered(lambda m: "may not read" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertIn("[#HT00042]", str(note.body))

    # ------------------------------------------------------------------
    # Loops
    # ------------------------------------------------------------------

    def _auto_reply(self, answered, turn):
        """What the auto-responder of the company without contract sends back
        to ``answered`` (an email of the helpdesk): a vacation reply without
        threading headers, the subject of the email it answers."""
        return eml(
            "gmail_vacation.eml",
            [
                ("CAKq2zV1vacation", f"CAKq2zV1vacation{turn:02d}"),
                (
                    "Vacaciones: Consulta por licencias",
                    f"Vacaciones: {answered.subject}",
                ),
            ],
        )

    def _ping_pong(self, first, rounds=24):
        """Play the auto-responder against the helpdesk, starting with the
        raw email ``first``: every email the helpdesk sends to the responder
        gets an automatic reply, up to ``rounds``. Returns the emails the
        helpdesk sent to the responder and the tickets of the responder."""
        sent = self.env["mail.mail"]
        raw = first
        for turn in range(rounds):
            with freeze_time(f"2026-03-02 16:{turn:02d}:00"), self.mock_mail_gateway():
                self._process(raw)
            answers = self._mails_to(self.other_contact)
            if not answers:
                break
            sent |= answers
            raw = self._auto_reply(answers[0], turn)
        tickets = self.env["helpdesk.ticket"].search(
            [("partner_id", "=", self.other_contact.id)]
        )
        return sent, tickets

    def test_auto_responders_cannot_loop(self):
        """Fault 1, end to end: the helpdesk never answers an automatic
        email, so an auto-responder and the helpdesk's not-entitled answer
        cannot ping-pong."""
        # the responder writes first: nothing goes back
        sent, tickets = self._ping_pong(eml("gmail_vacation.eml"))
        self.assertFalse(sent)
        self.assertEqual(len(tickets), 1)
        # a person writes first: one answer, whose automatic reply is logged
        # on the same ticket (its tag) and not answered
        sent, tickets = self._ping_pong(self._person_email(1))
        self.assertEqual(len(sent), 1)
        self.assertEqual(len(tickets), 2)
        person_ticket = tickets.filtered(lambda t: not t.psa_automatic_origin)
        self.assertEqual(
            person_ticket.message_ids.mapped("psa_automatic").count("auto_reply"), 1
        )
        # a flood of automatic emails (24 responders' replies): no email out;
        # Odoo's own loop guard stops opening tickets after 20 of one sender
        with self.mock_mail_gateway():
            for turn in range(24):
                with freeze_time(f"2026-03-02 17:{turn:02d}:00"):
                    self._process(self._auto_reply(self.env["mail.mail"], 30 + turn))
        self.assertFalse(self._new_mails)
        flooded = self.env["helpdesk.ticket"].search_count(
            [
                ("partner_id", "=", self.other_contact.id),
                ("psa_automatic_origin", "!=", False),
            ]
        )
        self.assertLessEqual(flooded, 20)

    def test_restricted_alias_never_bounces_automatic_email(self):
        """The gateway's own refusal (an alias open to known partners only)
        goes to a person, never to an automatic email."""
        self.team_l1.alias_contact = "partners"
        stranger = [
            ("Return-Path: <otto.other@", "Return-Path: <nadie.otto.other@"),
            ("Otto Other <otto.other@gmail.com>", "Nadie <nadie@desconocido.example>"),
        ]
        with freeze_time("2026-03-02 16:03:47"), self.mock_mail_gateway():
            self.assertFalse(self._process(eml("gmail_vacation.eml", stranger)))
        self.assertFalse(self._new_mails)
        with freeze_time("2026-03-02 16:04:47"), self.mock_mail_gateway():
            self.assertFalse(
                self._process(
                    eml(
                        "gmail_vacation.eml",
                        [
                            *stranger,
                            ("Auto-Submitted: auto-replied\n", ""),
                            ("Precedence: bulk\n", ""),
                            ("X-Autoreply: yes\n", ""),
                            ("CAKq2zV1vacation", "CAKq2zV1stranger"),
                        ],
                    )
                )
            )
        self.assertEqual(len(self._mails_to(["nadie.otto.other@gmail.com"])), 1)
