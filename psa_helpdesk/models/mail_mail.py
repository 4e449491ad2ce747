# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every email Odoo sends is a ``mail.mail`` first, whatever made it: the
notifications of a message (replies, notes to partners, the closing email,
the not-entitled answer), the composer in either mode, ``mail.template``'s
``send_mail`` (server and automated actions "Send email", SLA alerts), or code
creating one directly. Its creation is therefore the one place where:

- the subject of an email about a ticket gets the ticket tag ``[#NUMBER]``,
  exactly once (SPEC §6; ``helpdesk.ticket._psa_tag_subject``);
- an email sent without a person writing it gets ``Auto-Submitted``
  (RFC 3834), when the code sending it says so in the context
  (``AUTO_SUBMITTED_CONTEXT``)."""

import ast
from collections import defaultdict

from odoo import api, models

from ..const import (
    AUTO_GENERATED,
    AUTO_REPLIED,
    AUTO_SUBMITTED_CONTEXT,
    AUTO_SUBMITTED_HEADERS,
)

# The models whose emails are about a ticket, and the field of their records
# that gives it ("id": the record is the ticket).
TICKET_OF_MODEL = {
    "helpdesk.ticket": "id",
    "psa.ticket.sla": "ticket_id",
}


class MailMail(models.Model):
    _inherit = "mail.mail"

    @api.model_create_multi
    def create(self, vals_list):
        self._psa_tag_ticket_subjects(vals_list)
        self._psa_add_auto_submitted(vals_list)
        return super().create(vals_list)

    @api.model
    def _psa_tag_ticket_subjects(self, vals_list):
        """Put the ticket tag in the subject of the emails of ``vals_list``
        that are about a ticket (``TICKET_OF_MODEL``). A notification email
        takes its record and, unless given, its subject from its message."""
        # sudo: the tag belongs to the email whoever sends it, and reading
        # the message and the ticket number discloses nothing to the sender
        Message = self.env["mail.message"].sudo()
        message_ids = [
            v["mail_message_id"] for v in vals_list if v.get("mail_message_id")
        ]
        pending = []  # (vals, model, res_id, subject)
        res_ids = defaultdict(set)
        for vals in vals_list:
            message = Message.browse(vals.get("mail_message_id") or [])
            message = message.with_prefetch(message_ids)
            model = vals.get("model", message.model)
            res_id = vals.get("res_id", message.res_id)
            if model not in TICKET_OF_MODEL or not res_id:
                continue
            subject = vals.get("subject", message.subject)
            pending.append((vals, model, res_id, subject))
            res_ids[model].add(res_id)
        if not pending:
            return
        tickets = {}
        for model, ids in res_ids.items():
            field = TICKET_OF_MODEL[model]
            records = self.env[model].sudo().browse(ids)
            # Whether they still exist: the records a notification is about
            # were just read by its message (their field is cached), only
            # the others are looked up.
            known = records._fields["number" if field == "id" else field]
            cached = records.filtered(lambda r, f=known: self.env.cache.contains(r, f))
            records = cached | (records - cached).exists()
            tickets[model] = {
                record.id: record if field == "id" else record[field]
                for record in records
            }
        for vals, model, res_id, subject in pending:
            ticket = tickets[model].get(res_id)
            if not ticket:
                continue
            tagged = ticket._psa_tag_subject(subject)
            if tagged != subject:
                vals["subject"] = tagged

    @api.model
    def _psa_add_auto_submitted(self, vals_list):
        """``Auto-Submitted`` (and the headers that go with it) on every email
        of ``vals_list`` when the context says they are automatic: the value
        of ``AUTO_SUBMITTED_CONTEXT``, ``auto-replied`` or ``auto-generated``.
        Headers the caller gives are kept."""
        kind = self.env.context.get(AUTO_SUBMITTED_CONTEXT)
        if kind not in (AUTO_REPLIED, AUTO_GENERATED):
            return
        for vals in vals_list:
            headers = vals.get("headers") or {}
            if isinstance(headers, str):
                try:
                    headers = ast.literal_eval(headers)
                except (ValueError, SyntaxError):
                    continue  # malformed: mail.mail logs and ignores them
            if not isinstance(headers, dict):
                continue
            headers = {"Auto-Submitted": kind, **AUTO_SUBMITTED_HEADERS, **headers}
            vals["headers"] = repr(headers)
