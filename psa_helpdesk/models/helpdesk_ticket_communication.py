# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Closing and customer communication on the ticket (SPEC §6): whether a
ticket is closed as solved or not (``_psa_close_kind``, which the SLA clocks
follow too), the resolution summary required to close as solved, the
closing email, automatic answers, the ``[#NUMBER]`` subject tag on outgoing
emails (put there by ``mail.mail``, ``models/mail_mail.py``), inbound email
(routing by the tag, agents' emails, automatic email), and possible
duplicates.

Inbound email: the gateway (``mail_thread.py``) recognises automatic email
and routes; here a ticket decides what an email does to it:

- an automatic email (``mail.message.psa_automatic``) is a note that notifies
  no customer, opens a ticket flagged ``psa_automatic_origin`` when it has
  none, and is never answered (``_psa_auto_answer_allowed``: no
  acknowledgement, no not-entitled answer); the SLA engine ignores it;
- an email of an internal user is the agent's message on the ticket tagged
  in its subject (public when the customer received it, else a note) and
  never makes the agent the customer of a new ticket;
- nobody gets, through the chatter, a copy of an email they received
  directly (``_notify_get_recipients``).

Pipeline steps (called by ``helpdesk_ticket.py``, nowhere else):
``_psa_check_resolution_on_create`` and ``_psa_check_resolution_on_write``."""

import logging
import re
from ast import literal_eval
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, email_normalize, email_split, escape_psql, is_html_empty

from ..const import (
    AUTO_ANSWER_INTERVAL_HOURS,
    AUTO_GENERATED,
    AUTO_REPLIED,
    AUTO_SUBMITTED_CONTEXT,
    MAIL_AUTOMATIC_KINDS,
    RESOLUTION_REQUEST_TYPES,
)

_logger = logging.getLogger(__name__)

# "[#HT00012]" as the support handbook asks for in subjects; any case, spaces
# inside the brackets tolerated
TICKET_TAG_RE = re.compile(r"\[\s*#\s*([A-Za-z0-9][\w./-]*)\s*\]")
TICKET_TAG_LIMIT = 5  # tags of one subject looked up
DUPLICATE_SIMILARITY = 0.3  # pg_trgm similarity() threshold
DUPLICATE_WORD_OVERLAP = 0.5  # fallback without pg_trgm
DUPLICATE_LIMIT = 5


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # Full history in the chatter: helpdesk_mgmt tracks stage and assignee only
    team_id = fields.Many2one(tracking=True)
    # Indexed for the mail gateway (a tagged subject is looked up by number)
    # and for helpdesk_mgmt's record rules on the contact (internal users and
    # portal)
    number = fields.Char(index=True)
    partner_id = fields.Many2one(index=True)

    psa_resolution = fields.Html(
        string="Resolution",
        copy=False,
        sanitize_style=True,
        help="What was done to solve the request. Required to close a ticket "
        "about an installed product; sent to the customer in the closing email.",
    )

    psa_auto_answer_email = fields.Char(
        groups="base.group_user",
        string="Automatic answer sent to",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Address (normalised) that the automatic answer to this ticket "
        "went to. One automatic answer per ticket, and one per address a day "
        "whatever the ticket.",
    )
    psa_auto_answer_date = fields.Datetime(
        groups="base.group_user",
        string="Automatic answer sent on",
        readonly=True,
        copy=False,
    )
    psa_automatic_origin = fields.Selection(
        MAIL_AUTOMATIC_KINDS,
        groups="base.group_user",
        string="Opened by an automatic email",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The ticket was opened by an email sent by a machine (an "
        "out-of-office reply, a delivery status notification, a mailing "
        "list...): nobody was answered. Cancel it if there is nothing to do.",
    )

    psa_duplicate_candidate_ids = fields.Many2many(
        "helpdesk.ticket",
        string="Possible duplicates",
        compute="_compute_psa_duplicate_candidate_ids",
        help="Open tickets of the same customer about the same product or "
        "modules, with a similar subject.",
        groups="base.group_user",
    )

    psa_duplicate_candidate_count = fields.Integer(
        compute="_compute_psa_duplicate_candidate_ids",
        groups="base.group_user",
    )

    @api.depends("partner_id", "name", "psa_product_id", "psa_module_ids")
    def _compute_psa_duplicate_candidate_ids(self):
        candidates = self._psa_find_duplicates()
        for index, ticket in enumerate(self):
            ticket.psa_duplicate_candidate_ids = candidates.get(index, self.browse())
            ticket.psa_duplicate_candidate_count = len(
                ticket.psa_duplicate_candidate_ids
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_psa_mark_duplicate_of(self):
        """Button on a suggested duplicate (``self``) shown on the form of the
        ticket given in the context: open helpdesk_mgmt's "Mark as duplicate"
        wizard for that ticket, prefilled with this one as the original."""
        self.ensure_one()
        ticket = self.browse(self.env.context.get("psa_duplicate_ticket_id")).exists()
        if not ticket:
            raise UserError(self.env._("Save the ticket first."))
        ticket.check_access("write")
        action = ticket.action_open_duplicate_wizard()
        action["context"] = dict(action["context"], default_duplicate_of_id=self.id)
        return action

    # ------------------------------------------------------------------
    # Pipeline steps
    # ------------------------------------------------------------------

    def _psa_check_resolution_on_create(self):
        """Create step (a check, before any effect): tickets created directly
        in a stage that closes them as solved have their resolution summary."""
        kinds = self.env["helpdesk.ticket.stage"]._psa_close_kinds()
        self.filtered(
            lambda t: t._psa_close_kind(kinds=kinds) == "solved"
        )._psa_check_resolution()

    def _psa_check_resolution_on_write(self, vals):
        """Write step (a check, before the update): tickets being closed as
        solved have a resolution summary, or get one in ``vals``."""
        if not vals.get("stage_id"):
            return
        Stage = self.env["helpdesk.ticket.stage"]
        if vals["stage_id"] not in Stage._psa_close_kinds():
            return  # not a closing stage (cached: no read)
        stage = Stage.browse(vals["stage_id"])
        self.filtered(
            lambda t: (
                t.stage_id != stage
                and t._psa_close_kind(
                    stage,
                    bool(vals["duplicate_id"]) if "duplicate_id" in vals else None,
                )
                == "solved"
            )
        )._psa_check_resolution(vals)

    # ------------------------------------------------------------------
    # Closing: solved or not, resolution and closing email
    # ------------------------------------------------------------------

    def _psa_close_kind(self, stage=None, duplicate=None, kinds=None):
        """How the ticket is closed, for the SLA clocks and the resolution
        summary alike: ``"solved"``, ``"not_solved"``, or False while it is
        open. ``stage`` and ``duplicate`` (whether it is marked as a
        duplicate): the values to judge, by default the ticket's own.
        ``kinds``: ``helpdesk.ticket.stage._psa_close_kinds()``, given by
        callers judging many tickets (one cached lookup for all).

        A closing stage says whether it solves the ticket
        (``psa_close_kind``); a ticket marked as a duplicate of another
        (helpdesk_mgmt's duplicate wizard) is closed as not solved whatever
        its stage, open stages included: the original carries the request."""
        self.ensure_one()
        stage = self.stage_id if stage is None else stage
        duplicate = bool(self.duplicate_id) if duplicate is None else duplicate
        if duplicate:
            return "not_solved"
        # the closing stages are cached: no read of the stage
        if kinds is None:
            kinds = self.env["helpdesk.ticket.stage"]._psa_close_kinds()
        return kinds.get(stage._origin.id, False)

    def _psa_requires_resolution(self):
        """The tickets of ``self``, being closed as solved, that need a
        resolution summary.

        Incidents and change requests need one (SPEC §6), whoever closes
        them: a customer closing from the portal writes what solved the
        problem (``_psa_portal_close``). Other requests do not, nor tickets
        closed as not solved (cancelled, rejected, duplicates: see
        ``_psa_close_kind``)."""
        return self.filtered(lambda t: t.request_type in RESOLUTION_REQUEST_TYPES)

    def _psa_check_resolution(self, vals=None):
        """Raise if a ticket of ``self``, being closed, needs a resolution
        summary and has none (``vals``: the values being written, if any)."""
        vals = vals or {}
        missing = self._psa_requires_resolution().filtered(
            lambda t: is_html_empty(vals.get("psa_resolution", t.psa_resolution))
        )
        if missing:
            raise UserError(
                self.env._(
                    "Write the resolution summary before closing %(tickets)s: "
                    "the customer receives it in the closing email.",
                    tickets=", ".join(missing.mapped("display_name")),
                )
            )

    def _psa_customer_recipients(self):
        """The customer side of the ticket: its contact and the followers who
        are not internal users, with an email address."""
        self.ensure_one()
        partners = self.partner_id | self.message_partner_ids.filtered("partner_share")
        return partners.filtered("email")

    def _track_template(self, changes):
        res = super()._track_template(changes)
        if "stage_id" in res and self[:1].stage_id._psa_closing_template():
            # the closing email: sent by _message_track_post_template to every
            # customer recipient in their language, instead of helpdesk_mgmt's
            # one mass mail to the contact
            del res["stage_id"]
        elif "stage_id" in res and not self._psa_auto_answer_allowed():
            # the stage's email (the acknowledgement of a new ticket, a stage
            # change caused by the email) would answer an automatic email
            del res["stage_id"]
        return res

    def _message_track_post_template(self, changes):
        # what a tracked change sends (stage templates, the closing email) is
        # written by no one: automatic
        tickets = self.with_context(**{AUTO_SUBMITTED_CONTEXT: AUTO_GENERATED})
        res = super(HelpdeskTicket, tickets)._message_track_post_template(changes)
        if changes and "stage_id" in changes:
            # Only a solved closing carries a resolution to send: a
            # duplicate moved to a solved stage gets no closing email.
            kinds = self.env["helpdesk.ticket.stage"]._psa_close_kinds()
            for ticket in tickets.filtered(
                lambda t: t._psa_close_kind(kinds=kinds) == "solved"
            ):
                template = ticket.stage_id._psa_closing_template()
                if template:
                    ticket._psa_send_closing_email(template)
        return res

    def _psa_send_closing_email(self, template):
        """Post the closing email to the customer recipients, rendered once per
        language: the recipient's, else the template's (the ticket contact's).
        Which template: ``helpdesk.ticket.stage._psa_closing_template``."""
        tickets = self.with_context(**{AUTO_SUBMITTED_CONTEXT: AUTO_GENERATED})
        for ticket in tickets:
            recipients = ticket._psa_customer_recipients()
            if not recipients:
                continue
            default_lang = template._render_lang(ticket.ids)[ticket.id]
            by_lang = recipients.grouped(lambda p, d=default_lang: p.lang or d)
            for lang, partners in by_lang.items():
                subject = template._render_field("subject", ticket.ids, set_lang=lang)
                body = template._render_field(
                    "body_html",
                    ticket.ids,
                    set_lang=lang,
                    options={"post_process": True},
                )
                ticket.with_context(lang=lang).message_post(
                    body=body[ticket.id],
                    subject=subject[ticket.id],
                    partner_ids=partners.ids,
                    message_type="auto_comment",
                    subtype_xmlid="mail.mt_note",
                    email_layout_xmlid="mail.mail_notification_light",
                )

    # ------------------------------------------------------------------
    # Automatic answers to the customer
    # ------------------------------------------------------------------

    def _psa_auto_answer(self, template):
        """Post ``template`` to the customer of each ticket of ``self`` as an
        automatic answer (``Auto-Submitted: auto-replied``), within the limits
        that keep two automatic systems from answering each other for ever:
        one automatic answer per ticket, and one per address of the contact in
        ``AUTO_ANSWER_INTERVAL_HOURS``, whatever the ticket. A contact without
        address gets the answer in the chatter only (the portal), so no limit.
        The answer is the company's (``_psa_auto_answer_author``), never the
        user's who opened the ticket (the customer, when the mail gateway or
        the portal runs as them), and it notifies the customer.
        Returns the tickets answered."""
        now = fields.Datetime.now()
        emails = {t.id: email_normalize(t.partner_id.email) or False for t in self}
        addresses = {email for email in emails.values() if email}
        answered_recently = set()
        if addresses:
            # sudo: the limit counts the answers sent on every ticket, those
            # the user may not read too; only the addresses are read
            since = now - timedelta(hours=AUTO_ANSWER_INTERVAL_HOURS)
            recent = (
                self.sudo()
                .with_context(active_test=False)
                .search_fetch(
                    [
                        ("psa_auto_answer_email", "in", list(addresses)),
                        ("psa_auto_answer_date", ">", since),
                    ],
                    ["psa_auto_answer_email"],
                )
            )
            answered_recently = set(recent.mapped("psa_auto_answer_email"))
        answered = self.browse()
        for ticket in self.with_context(**{AUTO_SUBMITTED_CONTEXT: AUTO_REPLIED}):
            email = emails[ticket.id]
            if ticket.psa_auto_answer_date or email in answered_recently:
                continue
            author = ticket._psa_auto_answer_author()
            authorship = {"author_id": author.id}
            if author.email:
                authorship["email_from"] = author.email_formatted
            poster = ticket
            if ticket.partner_id and self.env.user.partner_id == ticket.partner_id:
                # the customer's own user (gateway, portal): Odoo never
                # notifies the current user's partner unless told to
                poster = ticket.with_context(mail_notify_author=True)
            poster.message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                message_type="comment",
                partner_ids=ticket.partner_id.ids,
                **authorship,
            )
            # sudo: a system field (FIELD_RIGHTS), the trace of the answer
            ticket.sudo().write(
                {"psa_auto_answer_email": email, "psa_auto_answer_date": now}
            )
            if email:
                answered_recently.add(email)
            answered |= ticket
        return answered

    def _psa_auto_answer_author(self):
        """The author of the automatic answers of the ticket: its company's
        partner when it has an email address, else OdooBot
        (``base.partner_root``); ``res.partner`` record."""
        self.ensure_one()
        # sudo: the company's partner, whoever opened the ticket
        partner = self.sudo().company_id.partner_id
        if partner.email:
            return partner
        return self.env.ref("base.partner_root").sudo()

    # ------------------------------------------------------------------
    # Subject tag [#NUMBER] on outgoing emails
    # ------------------------------------------------------------------

    def _psa_subject_tag(self):
        self.ensure_one()
        return f"[#{self.number}]" if self.number and self.number != "/" else ""

    def _psa_tag_subject(self, subject):
        """``subject`` with the ticket tag ``[#NUMBER]`` exactly once: put in
        front when missing, written so where the subject has it in another
        case or without ``#`` (``[number]``), repeats removed. Every email
        about the ticket goes through here (``mail.mail`` creation)."""
        self.ensure_one()
        tag = self._psa_subject_tag()
        if not tag:
            return subject
        subject = subject or ""
        pattern = re.compile(
            rf"\[\s*#?\s*{re.escape(self.number)}\s*\]", flags=re.IGNORECASE
        )
        found = list(pattern.finditer(subject))
        if not found:
            return f"{tag} {subject or self.name}"
        if len(found) == 1 and found[0].group() == tag:
            return subject
        first = found[0]
        rest = pattern.sub("", subject[first.end() :])
        return " ".join(f"{subject[: first.start()]}{tag}{rest}".split())

    def _message_compute_subject(self):
        self.ensure_one()
        return self._psa_tag_subject(self.name) or super()._message_compute_subject()

    # ------------------------------------------------------------------
    # Inbound email
    # ------------------------------------------------------------------

    @api.model
    def _psa_auto_answer_allowed(self):
        """Whether the helpdesk may send an automatic answer now: not while
        the gateway processes an email that is automatic or asks not to be
        answered automatically (``mail.thread._message_route_process``)."""
        return not self.env.context.get("psa_mail_no_autoreply")

    @api.model
    def _psa_internal_user(self, partner):
        """The active internal user of ``partner``, if any."""
        # sudo: whether a sender is an employee, whoever processes the email
        return partner.sudo().user_ids.filtered(lambda u: not u.share)[:1]

    @api.model
    def _psa_tickets_from_subject(self, subject):
        """Tickets whose tag ``[#NUMBER]`` appears in ``subject``, in any
        case, unchecked: callers must only use a ticket the sender may write
        to (``_psa_sender_may_attach``)."""
        numbers = TICKET_TAG_RE.findall(subject or "")[:TICKET_TAG_LIMIT]
        if not numbers:
            return self.browse()
        # sudo: like the lookup of threading headers, routing must find the
        # ticket whatever the gateway user may read; nothing of it is used or
        # disclosed unless the sender may write to it
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(
                expression.OR(
                    [("number", "=ilike", escape_psql(number))] for number in numbers
                )
            )
        )

    @api.model
    def _psa_sender_owns(self, ticket, author, email_from):
        """Whether the sender (partner ``author`` or address ``email_from``)
        belongs to the ticket's customer."""
        customer = ticket.commercial_partner_id
        if customer and author:
            return author.commercial_partner_id == customer
        if not customer and ticket.partner_email and email_from:
            return email_normalize(email_from) == email_normalize(ticket.partner_email)
        return False

    @api.model
    def _psa_sender_may_attach(self, ticket, author, email_from):
        """Whether an email may go to ``ticket`` by the tag of its subject:
        its sender belongs to the ticket's customer (``_psa_sender_owns``),
        or is an internal user who may read the ticket (an agent writing from
        their own mail client)."""
        if self._psa_sender_owns(ticket, author, email_from):
            return True
        user = self._psa_internal_user(author)
        return bool(user) and ticket.with_user(user).has_access("read")

    @api.model
    def _psa_addressed_to_customer(self, ticket, message_dict):
        """Whether the email (``message_dict`` of the gateway) was sent to the
        customer side of ``ticket``: its contact or email, a contact of its
        customer, or a customer follower."""
        emails = {
            email_normalize(address)
            for address in email_split(message_dict.get("recipients") or "")
        } - {False}
        if not emails:
            return False
        # sudo: the gateway compares addresses, whoever processes the email
        ticket = ticket.sudo()
        known = {email_normalize(ticket.partner_email or "")}
        known.update(ticket._psa_customer_recipients().mapped("email_normalized"))
        if emails & known:
            return True
        customer = ticket.commercial_partner_id
        return bool(customer) and bool(
            self.env["res.partner"]
            .sudo()
            .search_count(
                [
                    ("email_normalized", "in", list(emails)),
                    ("commercial_partner_id", "=", customer.id),
                ],
                limit=1,
            )
        )

    @api.model
    def _psa_customer_from_recipients(self, msg):
        """The customer contact an internal user's email was sent to: its
        first recipient who is not an internal user (To before Cc), when all
        such recipients belong to one customer; else no partner."""
        found = self.env["res.partner"]
        for header in ("to", "cc"):
            partners = self.env["mail.thread"]._mail_find_partner_from_emails(
                email_split(msg.get(header) or "")
            )
            for partner in partners:
                if partner and partner.partner_share:
                    found |= partner
        if len(found.commercial_partner_id) != 1:
            return self.env["res.partner"]
        return found[:1]

    @api.model
    def _psa_route_by_subject_tag(self, message_dict, routes):
        """Turn the routes that would create a ticket into an update of the
        ticket tagged in the subject, when the sender may write to it
        (``_psa_sender_may_attach``) and the alias is of the ticket's company
        (or shared, ``_psa_route_company_is``): an email to the alias of
        another company opens a ticket in that company, the tag does not
        move the case across companies (SPEC §7). Never more than one route
        to that ticket. An internal user's email that the customer did not receive
        is a note on it."""
        tagged = self._psa_tickets_from_subject(message_dict.get("subject"))
        if not tagged:
            return routes
        author = self.env["res.partner"].browse(message_dict.get("author_id") or [])
        email_from = message_dict.get("email_from")
        ticket = tagged.filtered(
            lambda t: self._psa_sender_may_attach(t, author, email_from)
        )[:1]
        if not ticket:
            return routes
        result, attached = [], False
        for route in routes:
            model, thread_id = route[0], route[1]
            if model == self._name and (not thread_id or thread_id == ticket.id):
                if not thread_id and not self._psa_route_company_is(route, ticket):
                    # an alias of another company: a new ticket there
                    result.append(route)
                    continue
                if attached:
                    continue
                attached = True
                route = (model, ticket.id, *route[2:])
            result.append(route)
        if not attached:
            return result
        if self._psa_internal_user(author) and not self._psa_addressed_to_customer(
            ticket, message_dict
        ):
            # written to the team only: for the team, not a reply
            message_dict["is_internal"] = True
        _logger.info(
            "Routing mail with Message-Id %s to ticket %s by the tag in its subject",
            message_dict.get("message_id"),
            ticket.id,
        )
        return result

    @api.model
    def _psa_route_company_is(self, route, ticket):
        """Whether the route creating a ticket (``(model, False,
        custom_values, uid, alias)``) creates it in the company of
        ``ticket``: the company of the alias's team (``team_id`` of the
        custom values), none (shared team, no team) counts as the same."""
        custom_values = route[2] if len(route) > 2 and route[2] else {}
        # sudo: the gateway reads the alias's team and the ticket's company
        team = (
            self.env["helpdesk.ticket.team"]
            .sudo()
            .browse(custom_values.get("team_id") or [])
        )
        company = team.company_id
        return not company or company == ticket.sudo().company_id

    @api.model
    def _psa_route_bounce(self, message, message_dict):
        """Routes of a delivery status notification, which the standard
        gateway only counts on the notifications of the email that bounced:
        a note on the ticket of that email; sent to a ticket alias about an
        email of no ticket, a new ticket (inbound mail is never lost)."""
        bounced = message_dict.get("bounced_message")
        if bounced:
            # sudo: the gateway finds the ticket of the email that bounced
            ticket = (
                self.sudo().browse(bounced.res_id).exists()
                if bounced.model == self._name and bounced.res_id
                else self.browse()
            )
            if not ticket:
                return []
            message_dict["parent_id"] = bounced.id
            return [(self._name, ticket.id, None, self.env.uid, False)]
        addresses = [
            email_normalize(address)
            for address in email_split(message_dict.get("to") or "")
        ]
        # sudo: aliases are configuration the gateway reads
        aliases = (
            self.env["mail.alias"]
            .sudo()
            .search(
                [
                    ("alias_full_name", "in", [a for a in addresses if a]),
                    ("alias_model_id.model", "=", self._name),
                ]
            )
        )
        routes = []
        for alias in aliases:
            user = self._mail_find_user_for_gateway(
                message_dict.get("email_from"), alias=alias
            )
            route = self._routing_check_route(
                message,
                message_dict,
                (
                    self._name,
                    alias.alias_force_thread_id,
                    literal_eval(alias.alias_defaults or "{}"),
                    user.id or self.env.uid,
                    alias,
                ),
                raise_exception=False,
            )
            if route:
                routes.append(route)
        return routes

    @api.model
    def message_new(self, msg, custom_values=None):
        """A ticket opened by email. Flagged when the email was automatic.
        When an internal user wrote it, its customer is the one the email
        was sent to (``_psa_customer_from_recipients``) or none, never the
        agent."""
        custom_values = dict(custom_values or {})
        if msg.get("psa_automatic"):
            custom_values["psa_automatic_origin"] = msg["psa_automatic"]
        sender = self.env["res.partner"].browse(msg.get("author_id") or [])
        agent = self._psa_internal_user(sender)
        ticket_model, values = self, msg
        if agent:
            customer = self._psa_customer_from_recipients(msg)
            values = dict(
                msg,
                author_id=customer.id,
                email_from=customer.email_formatted or False,
            )
            # read by _psa_prepare_entitlement: no customer yet is no reason
            # to route the ticket as without contract
            ticket_model = self.with_context(psa_mail_internal_author=True)
        if custom_values.get("team_id"):
            # read by _psa_prepare_entitlement: the team of the alias is the
            # channel's, not a choice; a ticket without contract is routed
            ticket_model = ticket_model.with_context(
                psa_alias_team_id=custom_values["team_id"]
            )
        ticket = (
            super(HelpdeskTicket, ticket_model)
            .message_new(values, custom_values=custom_values)
            .with_env(self.env)
        )
        if agent:
            ticket._psa_log_opened_by_agent(agent)
        tagged = self._psa_tickets_from_subject(msg.get("subject")) - ticket
        if tagged and not any(
            self._psa_sender_may_attach(t, sender, msg.get("email_from"))
            for t in tagged
        ):
            # The routing did not attach the email to the tagged ticket: say
            # so, without naming the other ticket's customer or linking it.
            tags = ", ".join(f"[#{n}]" for n in tagged.mapped("number"))
            ticket._message_log(
                body=self.env._(
                    "The subject of this email names ticket %(tags)s, which its "
                    "sender, an internal user, may not read: it was not attached "
                    "there and this ticket was opened instead.",
                    tags=tags,
                )
                if agent
                else self.env._(
                    "The subject of this email names ticket %(tags)s, which does "
                    "not belong to the sender's customer: it was not attached "
                    "there and this ticket was opened instead.",
                    tags=tags,
                )
            )
        return ticket

    def _psa_log_opened_by_agent(self, agent):
        """Note on a ticket an internal user's email opened: whose it is."""
        self.ensure_one()
        self._message_log(
            body=self.env._(
                "Opened by an email of %(user)s, an internal user: the customer is "
                "the one the email was sent to, %(customer)s.",
                user=agent.name,
                customer=self.partner_id.display_name,
            )
            if self.partner_id
            else self.env._(
                "Opened by an email of %(user)s, an internal user, sent to no "
                "customer: choose the customer; the contract covering the ticket "
                "is looked up then.",
                user=agent.name,
            )
        )

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        """An automatic email notifies no customer (it is not forwarded as if
        a person wrote it); nobody gets a copy of an inbound email they were
        already a recipient of (an agent writing to the customer from their
        own mail client, with the team's address in copy)."""
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        msg = message.sudo()
        if msg.psa_automatic:
            recipients = [r for r in recipients if not r["share"]]
        message_id, addressed = self.env.context.get("psa_mail_inbound") or (None, ())
        if recipients and addressed and msg.message_id == message_id:
            # sudo: compare the addresses of the recipients found above
            partners = (
                self.env["res.partner"].sudo().browse([r["id"] for r in recipients])
            )
            received = set(
                partners.filtered(lambda p: p.email_normalized in addressed).ids
            )
            recipients = [r for r in recipients if r["id"] not in received]
        return recipients

    # ------------------------------------------------------------------
    # Duplicates
    # ------------------------------------------------------------------

    @api.model
    def _psa_subject_words(self, text):
        return {
            word for word in re.findall(r"\w+", (text or "").lower()) if len(word) > 2
        }

    @api.model
    def _psa_subjects_similar(self, name_a, name_b):
        """Word overlap, used when PostgreSQL has no pg_trgm."""
        words_a, words_b = (
            self._psa_subject_words(name_a),
            self._psa_subject_words(name_b),
        )
        if not words_a or not words_b:
            return False
        overlap = len(words_a & words_b) / min(len(words_a), len(words_b))
        return overlap >= DUPLICATE_WORD_OVERLAP

    def _psa_find_duplicates(self, limit=DUPLICATE_LIMIT):
        """Open tickets that may be the same request as each ticket of
        ``self`` (saved or still new): same company, same customer, same
        product or a shared module (when the ticket has a product), similar
        subject.
        One query for all of ``self``; returns {index in self: tickets}."""
        rows = []
        for index, ticket in enumerate(self):
            customer = ticket.partner_id.commercial_partner_id
            if not customer or not ticket.name:
                continue
            rows.append(
                SQL(
                    "(%s::int, %s::int, %s::int, %s::int, %s::int[], %s::varchar, "
                    "%s::int)",
                    index,
                    (ticket.company_id or self.env.company).id,
                    customer.id,
                    ticket.psa_product_id.id or None,
                    ticket.psa_module_ids._origin.ids,
                    ticket.name,
                    ticket._origin.id or 0,
                )
            )
        if not rows:
            return {}
        self.env["helpdesk.ticket"].flush_model(
            [
                "commercial_partner_id",
                "company_id",
                "psa_product_id",
                "stage_id",
                "name",
                "active",
                "duplicate_id",
                "psa_module_ids",
            ]
        )
        self.env["helpdesk.ticket.stage"].flush_model(["closed"])
        trigram = self.env.registry.has_trigram
        query = SQL(
            """
            WITH src(idx, company_id, partner_id, product_id, module_ids, name,
                     self_id)
                 AS (VALUES %(rows)s)
            SELECT src.idx, c.id, c.name, src.name
              FROM src
              JOIN helpdesk_ticket c ON c.commercial_partner_id = src.partner_id
                                    AND c.company_id = src.company_id
              LEFT JOIN helpdesk_ticket_stage s ON s.id = c.stage_id
             WHERE c.id != src.self_id
               AND c.active
               AND c.duplicate_id IS NULL
               AND NOT COALESCE(s.closed, FALSE)
               AND (src.product_id IS NULL
                    OR c.psa_product_id = src.product_id
                    OR EXISTS (
                        SELECT 1 FROM helpdesk_ticket_psa_module_rel r
                         WHERE r.ticket_id = c.id
                           AND r.module_id = ANY(src.module_ids)))
               %(similar)s
             ORDER BY src.idx, %(score)s DESC, c.id DESC
            """,
            rows=SQL(", ").join(rows),
            similar=SQL("AND similarity(c.name, src.name) >= %s", DUPLICATE_SIMILARITY)
            if trigram
            else SQL(""),
            score=SQL("similarity(c.name, src.name)") if trigram else SQL("c.id"),
        )
        found = {}
        for index, candidate_id, candidate_name, name in self.env.execute_query(query):
            if not trigram and not self._psa_subjects_similar(name, candidate_name):
                continue
            if len(found.setdefault(index, [])) < limit:
                found[index].append(candidate_id)
        # the query ignores record rules: keep what the user may see
        visible = set(
            self.search([("id", "in", [i for ids in found.values() for i in ids])]).ids
        )
        return {
            index: self.browse([i for i in ids if i in visible])
            for index, ids in found.items()
        }
