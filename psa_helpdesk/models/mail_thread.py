# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The mail gateway (SPEC §4, §6, §7).

Automatic email is recognised in one place, ``_psa_mail_automation``; the
gateway then never answers it, not even with its own bounces
(``_routing_create_bounce_email``), so that no auto-responder can loop with
the helpdesk. The routing of tickets (``helpdesk.ticket``) adds two fallbacks
to the standard one: the ``[#NUMBER]`` tag of the subject, and delivery
status notifications, which the standard gateway only counts and drops.
What a ticket does with an inbound email is in
``helpdesk_ticket_communication.py``."""

import email.parser
import email.policy
import logging
import re
import unicodedata
import xmlrpc.client

from odoo import api, models
from odoo.tools import SQL, email_normalize, email_split

_logger = logging.getLogger(__name__)

TICKET_MODEL = "helpdesk.ticket"
# First key of the transaction-level advisory lock that makes the deliveries
# of one inbound email (by Message-Id) wait for one another
INBOUND_LOCK_KEY = 0x50534148  # "PSAH"

# RFC 3834 §5: any value but "no" marks an automatic message
AUTO_SUBMITTED_HEADER = "Auto-Submitted"
# Set by auto-responders that ignore RFC 3834 (Exchange, cPanel, Zimbra...)
AUTOREPLY_HEADERS = (
    "X-Autoreply",
    "X-Autorespond",
    "X-Autoreply-From",
    "X-Mail-Autoreply",
)
# Precedence (RFC 2076, de facto) of responders, list managers and bulk mail
PRECEDENCE_HEADERS = ("Precedence", "X-Precedence")
PRECEDENCE_KINDS = {
    "auto_reply": "auto_reply",
    "bulk": "bulk",
    "junk": "bulk",
    "list": "bulk",
}
# Ask not to be answered automatically, without making the email automatic:
# Exchange's X-Auto-Response-Suppress, and list headers (RFC 3834 §2)
NO_AUTOREPLY_HEADERS = ("X-Auto-Response-Suppress", "List-Id", "List-Unsubscribe")
# Header values that say "no"
NO_VALUES = {"", "no", "false", "0", "none"}
# Subjects auto-responders put before the original one when they set no
# header (Exchange's out-of-office sets only X-Auto-Response-Suppress):
# lower case, without accents
AUTOREPLY_SUBJECTS = re.compile(
    r"^\s*(respuesta automatica|fuera de (la )?oficina|"
    r"automatic reply|auto[- ]?reply|autoresponse|auto[- ]?response|"
    r"out of (the )?office|reponse automatique|"
    r"abwesenheitsnotiz|automatische antwort)\b.*:",
)


def _plain(value):
    """``value`` (a header) in lower case, without accents."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _psa_mail_automation(self, message, message_dict=None):
        """Whether an inbound email was sent by a machine, and whether it may
        be answered automatically: the one place that decides it.

        Automatic: ``Auto-Submitted`` other than ``no`` (RFC 3834),
        ``X-Autoreply`` and similar headers of auto-responders, ``Precedence``
        ``auto_reply``/``bulk``/``junk``/``list``, reports (delivery status
        notifications, RFC 3464, and read receipts) and the bounces the
        standard gateway recognises, and an empty ``Return-Path`` (``<>``,
        the null sender of notifications), and a subject that auto-responders
        set ("Respuesta automática: ...", "Out of office: ...",
        ``AUTOREPLY_SUBJECTS``) when they set none of these headers.
        Not automatic, but not to be answered automatically:
        ``X-Auto-Response-Suppress`` (Exchange puts it on persons' mail too)
        and mailing-list headers.

        :param message: the inbound email (``email.message.EmailMessage``)
        :param message_dict: its values from ``message_parse``, if known
        :return: ``(kind, no_autoreply)``: ``kind`` is a key of
            ``MAIL_AUTOMATIC_KINDS`` or False for a person's email;
            ``no_autoreply`` is True when nothing may answer it automatically
            (every automatic email, and those that ask for it)
        """

        def header(name):
            value = str(message.get(name) or "")
            return value.split(";", 1)[0].strip().lower()

        is_report = message.get_content_type() == "multipart/report"
        report_type = str(message.get_param("report-type") or "").lower()
        auto_submitted = header(AUTO_SUBMITTED_HEADER)
        precedence = next(
            (header(h) for h in PRECEDENCE_HEADERS if header(h) in PRECEDENCE_KINDS),
            "",
        )
        kind = False
        if is_report and report_type not in ("", "delivery-status"):
            kind = "auto_generated"  # read receipts and other reports
        elif (
            is_report
            or message.get("X-Failed-Recipients")
            or (message_dict or {}).get("is_bounce")
        ):
            kind = "bounce"
        elif auto_submitted not in NO_VALUES:
            kind = (
                "auto_reply" if auto_submitted == "auto-replied" else "auto_generated"
            )
        elif any(header(h) not in NO_VALUES for h in AUTOREPLY_HEADERS):
            kind = "auto_reply"
        elif precedence:
            kind = PRECEDENCE_KINDS[precedence]
        elif header("Return-Path") == "<>":
            kind = "auto_generated"
        elif AUTOREPLY_SUBJECTS.match(_plain(message.get("Subject"))):
            kind = "auto_reply"
        no_autoreply = bool(kind) or any(
            header(h) not in NO_VALUES for h in NO_AUTOREPLY_HEADERS
        )
        return kind, no_autoreply

    def _get_message_create_valid_field_names(self):
        # the mark of an automatic email, given by the gateway's message_post
        return super()._get_message_create_valid_field_names() | {"psa_automatic"}

    # ------------------------------------------------------------------
    # One email, processed once
    # ------------------------------------------------------------------

    @api.model
    def message_process(
        self,
        model,
        message,
        custom_values=None,
        save_original=False,
        strip_attachments=False,
        thread_id=None,
    ):
        """One inbound email is processed once, however often it is
        delivered: the standard gateway skips an email whose Message-Id it
        already stored, but two deliveries at the same time (the mail
        gateway script called twice by the mail server, two Odoo servers
        fetching the same mailbox, a fetchmail retry while the first
        delivery is still being committed) both miss the other and open two
        tickets. The deliveries of one Message-Id take a transaction-level
        lock in turn (``_psa_inbound_seen``); a delivery that finds the email
        stored once it has the lock skips it, as the standard check does.

        :return: as the standard ``message_process`` (the id of the record
            the email went to), False for an email already processed"""
        message_id = self._psa_inbound_message_id(message)
        if message_id and self._psa_inbound_seen(message_id):
            _logger.info(
                "Ignored mail with Message-Id %s: already processed by a "
                "concurrent delivery",
                message_id,
            )
            return False
        return super().message_process(
            model,
            message,
            custom_values=custom_values,
            save_original=save_original,
            strip_attachments=strip_attachments,
            thread_id=thread_id,
        )

    @api.model
    def _psa_inbound_message_id(self, message):
        """The Message-Id of the raw email ``message`` (bytes, str or
        ``xmlrpc.client.Binary``, as ``message_process`` takes it), as
        ``message_parse`` stores it; None when it has none (the gateway
        then makes one up, and nothing can tell two deliveries apart)."""
        if isinstance(message, xmlrpc.client.Binary):
            message = bytes(message.data)
        if isinstance(message, str):
            message = message.encode("utf-8")
        if not isinstance(message, bytes):
            return None
        headers = email.parser.BytesHeaderParser(policy=email.policy.SMTP).parsebytes(
            message
        )
        message_id = str(headers.get("Message-Id") or "").strip()
        return message_id or None

    @api.model
    def _psa_inbound_seen(self, message_id):
        """Wait until no other transaction processes an email of
        ``message_id`` (advisory lock, held until this transaction ends),
        then tell whether one was stored meanwhile. Read on a cursor of its
        own: this transaction's snapshot may predate the other's commit."""
        self.env.cr.execute(
            SQL(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                INBOUND_LOCK_KEY,
                message_id,
            )
        )
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT 1 FROM mail_message WHERE message_id = %s LIMIT 1",
                    message_id,
                )
            )
            return bool(cr.fetchone())

    # ------------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------------

    @api.model
    def message_route(
        self, message, message_dict, model=None, thread_id=None, custom_values=None
    ):
        """Two fallbacks for tickets, after the standard routing (so they
        cover both aliases and incoming mail servers set to create tickets):

        - an email that would open a ticket but carries the tag ``[#NUMBER]``
          of a ticket its sender may write to (a customer reply or an agent's
          email that lost its threading headers) goes to that ticket;
        - a delivery status notification, which the standard gateway counts
          on the notifications and drops, is logged on the ticket of the
          email that bounced (or opens one when sent to a ticket alias)."""
        routes = super().message_route(
            message,
            message_dict,
            model=model,
            thread_id=thread_id,
            custom_values=custom_values,
        )
        Ticket = self.env[TICKET_MODEL]
        if message_dict.get("is_bounce"):
            return routes or Ticket._psa_route_bounce(message, message_dict)
        if routes and any(
            route[0] == TICKET_MODEL and not route[1] for route in routes
        ):
            routes = Ticket._psa_route_by_subject_tag(message_dict, routes)
        return routes

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """Mark what ``_psa_mail_automation`` found, for what follows:

        - an automatic email is marked on its message (``psa_automatic``)
          and, on tickets, logged as a note: it never notifies customers nor
          counts as anybody's reply;
        - while the email is processed, the context says whether it may be
          answered automatically (``psa_mail_no_autoreply``) and which
          addresses already received it (``psa_mail_inbound``: its
          Message-Id and recipients)."""
        kind, no_autoreply = self._psa_mail_automation(message, message_dict)
        if kind:
            message_dict["psa_automatic"] = kind
            if any(route[0] == TICKET_MODEL for route in routes or ()):
                message_dict["is_internal"] = True
        recipients = {
            email_normalize(address)
            for address in email_split(message_dict.get("recipients") or "")
        }
        context = {
            "psa_mail_inbound": (
                message_dict.get("message_id"),
                tuple(sorted(filter(None, recipients))),
            )
        }
        if no_autoreply:
            context["psa_mail_no_autoreply"] = True
        return super(MailThread, self.with_context(**context))._message_route_process(
            message, message_dict, routes
        )

    @api.model
    def _routing_create_bounce_email(
        self, email_from, body_html, message, **mail_values
    ):
        """The gateway's own answers (alias refusals, loop and catchall
        warnings) are never sent to an automatic email, nor to one that asks
        not to be answered automatically: two machines answering each other
        is how mail loops start (RFC 3834 §2)."""
        kind, no_autoreply = self._psa_mail_automation(message)
        if no_autoreply:
            _logger.info(
                "Not answering mail with Message-Id %s from %s: %s",
                message.get("Message-Id"),
                email_from,
                f"automatic ({kind})" if kind else "asks for no automatic answer",
            )
            return
        return super()._routing_create_bounce_email(
            email_from, body_html, message, **mail_values
        )
