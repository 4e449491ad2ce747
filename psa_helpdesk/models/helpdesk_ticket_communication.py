# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Ticket history, closing, customer communication and duplicate detection
(SPEC §6): time segments per stage/team/assignee/..., the resolution summary
required to close, the closing email, the ``[#NUMBER]`` subject tag on every
outgoing email and on inbound routing, and possible duplicates."""

import json
import logging
import re
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import (
    SQL,
    email_normalize,
    format_duration,
    is_html_empty,
)

from ..const import HISTORY_DIMENSIONS, RESOLUTION_REQUEST_TYPES
from .helpdesk_ticket import PRIORITY_INPUTS

_logger = logging.getLogger(__name__)

# "[#HT00012]" as the support handbook asks for in subjects
TICKET_TAG_RE = re.compile(r"\[#\s*([A-Za-z0-9][\w./-]*)\s*\]")
# Ticket fields whose change may move a segment dimension (directly or through
# helpdesk_mgmt's computes: a new team resets the assignee and the stage)
# (and the inputs of the derived priority, which moves the OCA star)
SEGMENT_TRIGGER_FIELDS = {"stage_id", "team_id", "user_id"} | PRIORITY_INPUTS
DUPLICATE_SIMILARITY = 0.3  # pg_trgm similarity() threshold
DUPLICATE_WORD_OVERLAP = 0.5  # fallback without pg_trgm
DUPLICATE_LIMIT = 5


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # Full history in the chatter: helpdesk_mgmt tracks stage and assignee only
    team_id = fields.Many2one(tracking=True)
    priority = fields.Selection(tracking=True)

    psa_resolution = fields.Html(
        string="Resolution",
        copy=False,
        sanitize_style=True,
        help="What was done to solve the request. Required to close a ticket "
        "about an installed product; sent to the customer in the closing email.",
    )
    psa_segment_ids = fields.One2many(
        "psa.ticket.segment",
        "ticket_id",
        string="History",
        readonly=True,
        groups="psa_helpdesk.group_psa_agent",
    )
    psa_segment_since = fields.Json(
        string="Current stretches since",
        copy=False,
        readonly=True,
        help="Technical: {dimension: UTC time} when the ticket got its "
        "current value of each history dimension.",
    )
    psa_history_current = fields.Html(
        string="Current stretches",
        compute="_compute_psa_history_current",
        sanitize=False,
        help="Since when the ticket is in its stage, with its team, assignee, "
        "priority, level and severity.",
    )
    psa_duplicate_candidate_ids = fields.Many2many(
        "helpdesk.ticket",
        string="Possible duplicates",
        compute="_compute_psa_duplicate_candidate_ids",
        help="Open tickets of the same customer about the same product or "
        "modules, with a similar subject.",
    )
    psa_duplicate_candidate_count = fields.Integer(
        compute="_compute_psa_duplicate_candidate_ids"
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
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # The history starts now, for every dimension: written with the
        # ticket itself, no segment yet (see psa.ticket.segment)
        since = self._psa_since_all(fields.Datetime.now())
        for vals in vals_list:
            vals.setdefault("psa_segment_since", since)
        tickets = super().create(vals_list)
        tickets.filtered(
            lambda t: t.stage_id.closed and t.stage_id.psa_resolution_required
        )._psa_check_resolution()
        return tickets

    def write(self, vals):
        if vals.get("stage_id"):
            stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
            if stage.closed and stage.psa_resolution_required:
                self.filtered(lambda t: t.stage_id != stage)._psa_check_resolution(vals)
        dimensions = self._psa_segment_dimensions()
        if not (SEGMENT_TRIGGER_FIELDS | set(dimensions.values())) & vals.keys():
            return super().write(vals)
        now = fields.Datetime.now()
        before = self._psa_segment_keys(dimensions)
        old_since = {
            ticket.id: {
                dimension: ticket._psa_segment_start(dimension)
                for dimension in dimensions
            }
            for ticket in self
        }
        expected = self._psa_segment_expected(vals, dimensions, before)
        if expected:
            # One ticket whose dimensions visibly change: their new start is
            # written with the change itself (one UPDATE, no second write)
            vals = dict(
                vals,
                psa_segment_since=self._psa_since_stamp(
                    dict(old_since[self.id], **dict.fromkeys(expected, now))
                ),
            )
        res = super().write(vals)
        after = self._psa_segment_keys(dimensions)
        changed = {}
        for (ticket_id, dimension), key in after.items():
            if before.get((ticket_id, dimension)) != key:
                changed.setdefault(dimension, []).append(ticket_id)
        if changed or expected:
            self._psa_segment_shift(
                changed, dimensions, before, old_since, now, set(expected)
            )
        return res

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

    def action_psa_open_history(self):
        """The ticket's time segments as a pivot (time per stage, team, ...)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "psa_helpdesk.psa_ticket_segment_action"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"search_default_group_dimension": 1}
        return action

    # ------------------------------------------------------------------
    # History segments
    # ------------------------------------------------------------------

    @api.model
    def _psa_segment_dimensions(self):
        """{dimension: ticket field} for the dimensions this database has."""
        return {
            dimension: fname
            for dimension, (fname, _label) in HISTORY_DIMENSIONS.items()
            if fname in self._fields
        }

    def _psa_segment_keys(self, dimensions):
        """{(ticket id, dimension): current value} to compare before/after
        (a record for a many2one: its id compares, its name labels the
        finished stretch)."""
        return {
            (ticket.id, dimension): ticket[fname]
            for ticket in self
            for dimension, fname in dimensions.items()
        }

    @api.model
    def _psa_since_stamp(self, since):
        """``{dimension: datetime}`` as stored in ``psa_segment_since``."""
        return {
            dimension: fields.Datetime.to_string(date)
            for dimension, date in since.items()
        }

    @api.model
    def _psa_since_all(self, date):
        """``psa_segment_since`` of a ticket whose every dimension starts at
        ``date``."""
        return self._psa_since_stamp(
            dict.fromkeys(self._psa_segment_dimensions(), date)
        )

    def _psa_segment_start(self, dimension):
        """When the ticket got its current value of ``dimension``: from
        ``psa_segment_since``, else its creation."""
        self.ensure_one()
        since = (self.psa_segment_since or {}).get(dimension)
        return fields.Datetime.to_datetime(since) if since else self.create_date

    def _psa_segment_expected(self, vals, dimensions, before):
        """The dimensions that ``vals`` visibly changes, when ``self`` is one
        ticket that does not write its history starts itself; else []."""
        if len(self) != 1 or "psa_segment_since" in vals:
            return []
        expected = []
        for dimension, fname in dimensions.items():
            if fname not in vals:
                continue
            old = before[self.id, dimension]
            if self._fields[fname].type == "many2one":
                moved = (vals[fname] or False) != (old.id or False)
            else:
                moved = (vals[fname] or False) != (old or False)
            if moved:
                expected.append(dimension)
        return expected

    def _psa_segment_shift(self, changed, dimensions, before, old_since, now, done):
        """Write the finished stretch of each changed dimension and start the
        new one ``now``. ``changed``: {dimension: [ticket ids]}; ``before``
        and ``old_since``: values and starts before the change, per ticket;
        ``done``: the dimensions whose new start the change itself wrote (on
        the one ticket of ``self``)."""
        stretches = []
        moved = defaultdict(set)  # ticket → dimensions that start now
        for dimension, ticket_ids in changed.items():
            for ticket in self.browse(ticket_ids):
                stretches.append(
                    (
                        ticket,
                        dimension,
                        dimensions[dimension],
                        before[ticket.id, dimension],
                        old_since[ticket.id][dimension],
                    )
                )
                moved[ticket].add(dimension)
        # sudo: the history is kept by the system whatever the rights of the
        # user changing the ticket; users only read it
        if stretches:
            self.env["psa.ticket.segment"].sudo()._psa_record(stretches, now)
        # The new starts, when the change did not write them already (several
        # tickets, or a dimension moved by a compute): one write per
        # resulting value, so a bulk change of similar tickets is one write.
        by_since = defaultdict(lambda: self.browse())
        for ticket in self:
            if moved.get(ticket, set()) == (done if ticket == self[:1] else set()):
                continue
            since = dict(old_since[ticket.id])
            since.update(dict.fromkeys(moved.get(ticket, ()), now))
            by_since[tuple(sorted(self._psa_since_stamp(since).items()))] |= ticket
        for key, tickets in by_since.items():
            # sudo: as above, the history's own bookkeeping
            tickets.sudo().write({"psa_segment_since": dict(key)})

    @api.model
    def _psa_init_segment_since(self):
        """Tickets that existed before this module start their history now.
        Called once, at installation."""
        self.env.cr.execute(
            SQL(
                "UPDATE helpdesk_ticket SET psa_segment_since = %s "
                "WHERE psa_segment_since IS NULL",
                json.dumps(self._psa_since_all(fields.Datetime.now())),
            )
        )
        self.invalidate_model(["psa_segment_since"])

    @api.model
    def _psa_demo_history(self, history):
        """Demo data only: give tickets a past. ``history`` maps ticket ids to
        ``(hours open, [(earlier stage id, hours in it), ...])``: every
        dimension's current stretch starts ``hours open`` ago, except the
        stage, which went through the earlier stages first; their finished
        stretches are recorded and their business hours counted."""
        now = fields.Datetime.now()
        dimensions = self._psa_segment_dimensions()
        Stage = self.env["helpdesk.ticket.stage"]
        stretches = []
        for ticket_id, (hours_open, stages) in history.items():
            ticket = self.browse(ticket_id)
            start = now - timedelta(hours=hours_open)
            since = dict.fromkeys(dimensions, start)
            for stage_id, hours in stages:
                end = start + timedelta(hours=hours)
                stretches.append((ticket, Stage.browse(stage_id), start, end))
                start = end
            since["stage"] = start
            ticket.write({"psa_segment_since": self._psa_since_stamp(since)})
        Segment = self.env["psa.ticket.segment"]
        for ticket, stage, start, end in stretches:
            Segment._psa_record([(ticket, "stage", "stage_id", stage, start)], end)
        Segment.with_context(psa_cron_no_commit=True)._cron_business_hours()

    @api.depends(
        "psa_segment_since",
        *(fname for fname, _label in HISTORY_DIMENSIONS.values()),
    )
    @api.depends_context("tz", "lang")
    def _compute_psa_history_current(self):
        """A small table: each dimension, its current value, since when and
        for how long (wall clock, up to now)."""
        dimensions = self._psa_segment_dimensions()
        Segment = self.env["psa.ticket.segment"]
        names = dict(Segment._fields["dimension"]._description_selection(self.env))
        now = fields.Datetime.now()
        labels = {}
        # the user's date and time format, as in the lists
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        date_format = (
            f"{lang.date_format or '%m/%d/%Y'} {lang.short_time_format or '%H:%M'}"
        )
        for ticket in self:
            if not ticket.id:
                ticket.psa_history_current = False
                continue
            rows = []
            for dimension, fname in dimensions.items():
                _key, label, _rec_id = Segment._psa_value_of(ticket, fname, labels)
                start = ticket._psa_segment_start(dimension)
                rows.append(
                    Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
                    % (
                        names.get(dimension, dimension),
                        label or "",
                        fields.Datetime.context_timestamp(ticket, start).strftime(
                            date_format
                        )
                        if start
                        else "",
                        format_duration(
                            max((now - start).total_seconds(), 0.0) / 3600.0
                        )
                        if start
                        else "",
                    )
                )
            ticket.psa_history_current = Markup(
                '<table class="table table-sm o_psa_history_current">'
                "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
                "</thead><tbody>%s</tbody></table>"
            ) % (
                self.env._("Dimension"),
                self.env._("Now"),
                self.env._("Since"),
                self.env._("For (wall clock)"),
                Markup("").join(rows),
            )

    # ------------------------------------------------------------------
    # Resolution and closing email
    # ------------------------------------------------------------------

    def _psa_requires_resolution(self):
        """The tickets of ``self`` that need a resolution summary to be closed
        (into a stage flagged "Resolution required").

        Incidents and change requests need one (SPEC §6); other requests,
        duplicates (their resolution is their original's) and tickets closed
        by the customer from the portal do not."""
        if self.env.user.share:
            return self.browse()
        return self.filtered(
            lambda t: t.request_type in RESOLUTION_REQUEST_TYPES and not t.duplicate_id
        )

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

    @api.model
    def _psa_closing_template(self):
        return self.env.ref(
            "psa_helpdesk.mail_template_ticket_closed", raise_if_not_found=False
        )

    def _psa_customer_recipients(self):
        """The customer side of the ticket: its contact and the followers who
        are not internal users, with an email address."""
        self.ensure_one()
        partners = self.partner_id | self.message_partner_ids.filtered("partner_share")
        return partners.filtered("email")

    def _track_template(self, changes):
        res = super()._track_template(changes)
        template = res.get("stage_id", (None,))[0]
        if template and template == self._psa_closing_template():
            # sent by _message_track_post_template to every customer recipient
            # in their language instead of as one mass mail to the contact
            del res["stage_id"]
        return res

    def _message_track_post_template(self, changes):
        res = super()._message_track_post_template(changes)
        template = self._psa_closing_template()
        if changes and "stage_id" in changes and template:
            self.filtered(
                lambda t: t.stage_id.closed and t.stage_id.mail_template_id == template
            )._psa_send_closing_email(template)
        return res

    def _psa_send_closing_email(self, template):
        """Post the closing email to the customer recipients, rendered once per
        language: the recipient's, else the template's (the ticket contact's)."""
        for ticket in self:
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
    # Subject tag [#NUMBER] on outgoing emails
    # ------------------------------------------------------------------

    def _psa_subject_tag(self):
        self.ensure_one()
        return f"[#{self.number}]" if self.number and self.number != "/" else ""

    def _psa_tag_subject(self, subject):
        """``subject`` with the ticket tag in front, unless already there."""
        self.ensure_one()
        tag = self._psa_subject_tag()
        if not tag or tag in (subject or ""):
            return subject
        return f"{tag} {subject or self.name}"

    def _message_compute_subject(self):
        self.ensure_one()
        return self._psa_tag_subject(self.name) or super()._message_compute_subject()

    def _notify_by_email_get_base_mail_values(self, message, additional_values=None):
        values = super()._notify_by_email_get_base_mail_values(
            message, additional_values=additional_values
        )
        if len(self) == 1:
            subject = self._psa_tag_subject(values.get("subject", message.subject))
            if subject != message.subject:
                values["subject"] = subject
        return values

    # ------------------------------------------------------------------
    # Inbound email: find the ticket by its tag when threading headers are lost
    # ------------------------------------------------------------------

    @api.model
    def _psa_tickets_from_subject(self, subject):
        """Tickets whose tag ``[#NUMBER]`` appears in ``subject``, unchecked:
        callers must only use a ticket the sender owns (``_psa_sender_owns``).
        """
        numbers = TICKET_TAG_RE.findall(subject or "")
        if not numbers:
            return self.browse()
        # sudo: like the lookup of threading headers, routing must find the
        # ticket whatever the gateway user may read; nothing of it is used or
        # disclosed unless the sender is the ticket's customer
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("number", "in", numbers)])
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
    def _psa_route_by_subject_tag(self, message_dict, routes):
        """Turn the routes that would create a ticket into an update of the
        ticket tagged in the subject, when the sender is its customer. Never
        more than one route to that ticket."""
        tagged = self._psa_tickets_from_subject(message_dict.get("subject"))
        if not tagged:
            return routes
        author = self.env["res.partner"].browse(message_dict.get("author_id") or [])
        email_from = message_dict.get("email_from")
        ticket = tagged.filtered(
            lambda t: self._psa_sender_owns(t, author, email_from)
        )[:1]
        if not ticket:
            return routes
        result, attached = [], False
        for route in routes:
            model, thread_id = route[0], route[1]
            if model == self._name and (not thread_id or thread_id == ticket.id):
                if attached:
                    continue
                attached = True
                route = (model, ticket.id, *route[2:])
            result.append(route)
        _logger.info(
            "Routing mail with Message-Id %s to ticket %s by the tag in its subject",
            message_dict.get("message_id"),
            ticket.id,
        )
        return result

    @api.model
    def message_new(self, msg, custom_values=None):
        ticket = super().message_new(msg, custom_values=custom_values)
        tagged = self._psa_tickets_from_subject(msg.get("subject")) - ticket
        author = ticket.partner_id
        if tagged and not any(
            self._psa_sender_owns(t, author, msg.get("email_from")) for t in tagged
        ):
            # The routing did not attach the email to the tagged ticket because
            # the sender is not its customer: say so, without naming the other
            # ticket's customer or linking it.
            ticket._message_log(
                body=self.env._(
                    "The subject of this email names ticket %(tags)s, which does "
                    "not belong to the sender's customer: it was not attached "
                    "there and this ticket was opened instead.",
                    tags=", ".join(f"[#{n}]" for n in tagged.mapped("number")),
                )
            )
        return ticket

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
        ``self`` (saved or still new): same customer, same product or a shared
        module (when the ticket has a product), similar subject.
        One query for all of ``self``; returns {index in self: tickets}."""
        rows = []
        for index, ticket in enumerate(self):
            customer = ticket.partner_id.commercial_partner_id
            if not customer or not ticket.name:
                continue
            rows.append(
                SQL(
                    "(%s::int, %s::int, %s::int, %s::int[], %s::varchar, %s::int)",
                    index,
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
            WITH src(idx, partner_id, product_id, module_ids, name, self_id)
                 AS (VALUES %(rows)s)
            SELECT src.idx, c.id, c.name, src.name
              FROM src
              JOIN helpdesk_ticket c ON c.commercial_partner_id = src.partner_id
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
