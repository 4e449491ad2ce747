# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Known solutions on the ticket (SPEC §8, seed 04 §6, seed 01): the affected
module, article suggestions, applying an article, customer validation,
solving without documentation.

Pipeline steps (called by ``helpdesk_ticket.py``, nowhere else):
``_psa_prepare_affected_module`` (create, after the installed base),
``_psa_knowledge_vals`` and ``_psa_check_knowledge_write`` (write, before
the update), ``_psa_knowledge_on_message`` (message hook, before the SLA
step: an accepting reply closes the ticket before the engine would send it
back to work).

Customer validation: applying an article (``psa.apply.article.wizard``)
sends it as a public reply and moves the ticket to its team's *customer
validation* stage (``helpdesk.ticket.stage.psa_customer_validation``), which
pauses the SLA clocks like any pause stage (``psa.sla.policy
._psa_pause_stages``). The customer accepts or rejects by email
(``VALIDATION_ACCEPT_WORDS``/``VALIDATION_REJECT_WORDS``) or with the portal
buttons (``_psa_validation_answer``). Without an answer, the scheduled action
``_cron_psa_validation_timeout`` sends a reminder after the team's
validation days (business days, on the ticket's support calendar), then
closes the ticket as solved after as many again.

One rule, kept by ``_psa_knowledge_vals`` and ``_psa_check_knowledge_write``
for every path (form, RPC and bulk writes, portal, email, cron, problem
closure): a ticket is in a customer validation stage if and only if its
validation is ``pending``/``reminded``, with a deadline. Only applying an
article enters the stage; leaving it otherwise than by an answer or the
timeout ends the validation (closed by an agent: recorded as ``agent``).
A reply that is not clearly an answer (``validation_answer``: in doubt,
None) is a normal reply: the SLA engine sends the ticket back to work and
the validation ends there, for the agent to read it and, if need be, send
the solution again."""

import logging
import re
import unicodedata
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, html2plaintext, is_html_empty

from ..const import (
    ARTICLE_LIMIT,
    ARTICLE_SIMILARITY,
    VALIDATION_ACCEPT_WORDS,
    VALIDATION_COURTESY_WORDS,
    VALIDATION_DAYS,
    VALIDATION_DOUBT_WORDS,
    VALIDATION_FILLER_WORDS,
    VALIDATION_GREETINGS,
    VALIDATION_REJECT_WORDS,
    VALIDATION_STATES,
)
from ..tools.cron import run_in_batches

_logger = logging.getLogger(__name__)

# A reply whose answer (first paragraph) is longer than this (words) is never
# read as an acceptance or a rejection: it is a normal reply
VALIDATION_MAX_WORDS = 8
# Where the quoted original starts in a reply ("El lun, ... escribió:",
# "On Mon, ... wrote:", "-----Original Message-----", "De: ...", "From: ...")
QUOTE_HEADER = re.compile(
    r"^\s*(>|-{2,}|_{5,}|(de|from|enviado|sent)\s*:|(el|on)\s.*(escribio|wrote)\s*:)",
    re.IGNORECASE,
)


def _normalize(text):
    """Lower case, without accents, words separated by one space."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[\w']+", text))


def _reply_paragraphs(text):
    """The paragraphs (lists of lines) the customer wrote in ``text``, up
    to the quoted original (or under it, when the reply starts with it),
    greeting lines ("Hola,", "Buenos días") left out."""
    paragraphs, current = [], []
    for line in (text or "").splitlines():
        plain = unicodedata.normalize("NFKD", line)
        plain = "".join(c for c in plain if not unicodedata.combining(c))
        if QUOTE_HEADER.match(plain):
            if paragraphs or current:
                break
            continue  # the answer written under the quote
        if not line.strip():
            if current:
                paragraphs.append(current)
            current = []
            continue
        words = _normalize(line).split()
        greeting = any(
            " ".join(words[: len(g.split())]) == g for g in VALIDATION_GREETINGS
        )
        if not paragraphs and not current and greeting and len(words) <= 4:
            continue
        current.append(line)
    if current:
        paragraphs.append(current)
    return paragraphs


def validation_answer(text):
    """``"accept"``, ``"reject"`` or None for the plain ``text`` of a
    customer's reply, read from its first paragraph (greeting lines and the
    quoted original left out), if short (at most ``VALIDATION_MAX_WORDS``
    words); Spanish and English, accents and case ignored. In doubt, None:
    a normal reply, for the agent — never a silent closure:

    - a question anywhere in the reply ("?") is a normal reply;
    - a rejection phrase ("no funciona", "sigue igual", "not solved")
      rejects, unless a word of doubt stands in the answer ("no problem");
    - a bare "no", alone or with thanks ("No", "No, gracias"), rejects;
    - an acceptance word ("acepto", "funciona", "funcionó", "solved")
      accepts only when the answer says nothing else than acceptance words
      and fillers (``VALIDATION_FILLER_WORDS``: "sí, ya funciona, gracias"):
      "ok, lo pruebo mañana", "funciona mal", "funciona en test, en
      producción falla" are normal replies.

    Source: SPEC §8, issue 17 and its QA findings."""
    paragraphs = _reply_paragraphs(text)
    if not paragraphs:
        return None
    if any("?" in line or "\u00bf" in line for p in paragraphs for line in p):
        return None
    words = _normalize(" ".join(paragraphs[0])).split()
    if not words or len(words) > VALIDATION_MAX_WORDS:
        return None
    padded = f" {' '.join(words)} "
    doubt = any(w in VALIDATION_DOUBT_WORDS for w in words)
    if not doubt and any(f" {p} " in padded for p in VALIDATION_REJECT_WORDS):
        return "reject"
    if words[0] == "no" and all(w in VALIDATION_COURTESY_WORDS for w in words[1:]):
        return "reject"
    if any(w in VALIDATION_ACCEPT_WORDS for w in words) and all(
        w in VALIDATION_ACCEPT_WORDS or w in VALIDATION_FILLER_WORDS for w in words
    ):
        return "accept"
    return None


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    psa_customer_validation = fields.Boolean(
        string="Customer validation",
        help="Tickets wait here for the customer to accept or reject the "
        "solution sent to them. The SLA clocks are paused, as in any pause "
        "stage; the customer's acceptance closes the ticket as solved, a "
        "rejection sends it back to work.",
    )

    @api.model
    @tools.ormcache()
    def _psa_validation_stage_ids(self):
        """Ids of the customer validation stages (cached)."""
        return tuple(
            self.sudo()
            .with_context(active_test=False)
            .search([("psa_customer_validation", "=", True)])
            .ids
        )

    def write(self, vals):
        res = super().write(vals)
        if {"closed", "psa_close_kind"}.intersection(vals):
            # whether the problems in these stages brought their fix
            # (``helpdesk.ticket._compute_psa_fix_pending``)
            incidents = (
                self.env["helpdesk.ticket"]
                .sudo()
                .with_context(active_test=False)
                .search([("psa_problem_id.stage_id", "in", self.ids)])
            )
            if incidents:
                self.env.add_to_compute(incidents._fields["psa_fix_pending"], incidents)
        return res

    @api.constrains("psa_customer_validation", "closed")
    def _check_psa_customer_validation(self):
        if self.filtered(lambda s: s.psa_customer_validation and s.closed):
            raise ValidationError(
                self.env._(
                    "A customer validation stage waits for the customer: it "
                    "cannot close tickets."
                )
            )


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    psa_validation_days = fields.Integer(
        string="Days to validate",
        default=VALIDATION_DAYS,
        help="Business days (on the ticket's support calendar) the customer "
        "has to accept or reject a solution before a reminder; after as many "
        "again, the ticket is closed as solved.",
    )
    psa_documentation_user_id = fields.Many2one(
        "res.users",
        string="Documentation owner",
        domain="[('share', '=', False)]",
        help="Who writes the article when a ticket is solved without one. "
        "Empty: the team leader.",
    )

    @api.constrains("psa_validation_days")
    def _check_psa_validation_days(self):
        if any(team.psa_validation_days < 1 for team in self):
            raise ValidationError(
                self.env._("Days to validate: at least one business day.")
            )


class PsaSlaPolicy(models.Model):
    _inherit = "psa.sla.policy"

    def _psa_pause_stages(self):
        """The stages that pause the clocks of this policy (one or none):
        its pause stages (the cached terms) and every customer validation
        stage (cached too: comparing a stage with them reads nothing)."""
        Stage = self.env["helpdesk.ticket.stage"]
        return super()._psa_pause_stages() | Stage.browse(
            Stage._psa_validation_stage_ids()
        )


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    affected_module_id = fields.Many2one(
        "psa.product.module",
        string="Affected module",
        index="btree_not_null",
        tracking=True,
        domain="[('id', 'in', psa_module_ids)]",
        help="The module of the installation the request is about (one of the "
        "modules it had when the ticket was opened). Proposed from the "
        "subject and description when they name exactly one.",
        groups="base.group_user",
    )
    psa_article_id = fields.Many2one(
        "document.page",
        string="Article",
        index="btree_not_null",
        tracking=True,
        copy=False,
        readonly=True,
        domain="[('psa_kind', '!=', False)]",
        help="The knowledge article applied to the ticket.",
        groups="base.group_user",
    )
    psa_article_kind = fields.Selection(
        related="psa_article_id.psa_kind",
        store=True,
        string="Article kind",
        groups="base.group_user",
    )
    psa_fix_pending = fields.Boolean(
        string="Permanent fix pending",
        compute="_compute_psa_fix_pending",
        store=True,
        help="Solved with a workaround: the permanent fix comes with its "
        "problem ticket, which is still open.",
        groups="base.group_user",
    )
    psa_validation_state = fields.Selection(
        VALIDATION_STATES,
        string="Customer validation",
        readonly=True,
        copy=False,
        tracking=True,
        index="btree_not_null",
    )
    psa_validation_sent = fields.Datetime(
        string="Solution sent on",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    psa_validation_deadline = fields.Datetime(
        string="Validation due",
        readonly=True,
        copy=False,
        help="When the reminder goes (waiting) or the ticket is closed as "
        "solved (reminder sent), without an answer of the customer (UTC).",
        groups="base.group_user",
    )
    psa_validation_date = fields.Datetime(
        string="Validated on",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    psa_validation_hours = fields.Float(
        string="Hours to validation",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Wall-clock hours from sending the solution to the customer's "
        "answer or the closing without answer.",
        groups="base.group_user",
    )
    psa_no_documentation = fields.Boolean(
        string="Solved without documentation",
        readonly=True,
        copy=False,
        help="Solved with a known solution that no article describes: a "
        "documentation to-do went to the team's documentation owner.",
        groups="base.group_user",
    )
    psa_article_suggestion_ids = fields.Many2many(
        "document.page",
        string="Suggested articles",
        compute="_compute_psa_article_suggestion_ids",
        groups="base.group_user",
    )

    @api.depends("psa_article_kind", "psa_problem_id")
    def _compute_psa_fix_pending(self):
        """Pending until the problem ticket is closed as solved: a problem
        cancelled (closed as not solved) brought no fix.

        The problem's stage is not a declared dependency: through the
        problem link, every stage change of any ticket would read the
        incidents of that ticket (one query per move, for the few tickets
        that are problems). The incidents follow their problem instead when
        a problem's stage may change (``_psa_fix_pending_follow_problems``)
        and when a stage's closing changes (``helpdesk.ticket.stage.write``).
        """
        for ticket in self:
            stage = ticket.sudo().psa_problem_id.stage_id
            ticket.psa_fix_pending = ticket.psa_article_kind == "workaround" and not (
                stage.closed and stage.psa_close_kind == "solved"
            )

    @api.depends(
        "name", "psa_product_id", "psa_version_id", "affected_module_id", "partner_id"
    )
    def _compute_psa_article_suggestion_ids(self):
        found = self._psa_find_articles()
        for index, ticket in enumerate(self):
            ticket.psa_article_suggestion_ids = found.get(
                index, self.env["document.page"]
            )

    @api.model
    def _psa_stage_moved_by(self):
        """Names of the fields whose write may recompute ``stage_id``: the
        stage and, transitively, the stored computed fields of the ticket it
        depends on and their own dependencies on the ticket."""
        moved_by, todo = set(), ["stage_id"]
        while todo:
            name = todo.pop()
            if name in moved_by or name not in self._fields:
                continue
            moved_by.add(name)
            field = self._fields[name]
            if field.compute and field.store:
                todo.extend(dep.split(".")[0] for dep in self.pool.field_depends[field])
        return moved_by

    def _psa_fix_pending_follow_problems(self, vals):
        """Write step, after the update: when ``vals`` may move the stage
        (the stage, or what helpdesk_mgmt recomputes it from, directly or
        not: the team, and the assignee the team is computed from), the
        incidents of the problem tickets of ``self`` compute their
        *permanent fix pending* again (see ``_compute_psa_fix_pending``).
        Tickets that are not problems cost nothing."""
        if not self._psa_stage_moved_by().intersection(vals):
            return
        # sudo: the incidents of the problem, whoever moved it; archived
        # ones too (they keep the value they will show when unarchived)
        problems = self.sudo().filtered("psa_is_problem")
        if problems:
            self.env.add_to_compute(
                self._fields["psa_fix_pending"],
                problems.with_context(active_test=False).psa_incident_ids,
            )

    def unlink(self):
        # a problem deleted: its incidents lose it (ondelete set null, which
        # the ORM does not recompute through) and compute their *permanent
        # fix pending* again (see ``_compute_psa_fix_pending``)
        incidents = (
            self.sudo()
            .filtered("psa_is_problem")
            .with_context(active_test=False)
            .psa_incident_ids
            - self
        )
        res = super().unlink()
        if incidents:
            self.env.add_to_compute(self._fields["psa_fix_pending"], incidents)
        return res

    @api.constrains("affected_module_id", "psa_module_ids")
    def _check_affected_module(self):
        for ticket in self.sudo().filtered("affected_module_id"):
            if ticket.affected_module_id not in ticket.psa_module_ids:
                raise ValidationError(
                    self.env._(
                        "Module %(module)s is not one of the modules of the "
                        "installation of ticket %(ticket)s (%(modules)s).",
                        module=ticket.affected_module_id.display_name,
                        ticket=ticket.display_name,
                        modules=", ".join(ticket.psa_module_ids.mapped("name"))
                        or self.env._("none: choose the installation first"),
                    )
                )

    # ------------------------------------------------------------------
    # Pipeline steps
    # ------------------------------------------------------------------

    @api.model
    def _psa_prepare_affected_module(self, vals_list):
        """Create step, after ``_psa_prepare_installed_base``: propose the
        affected module of the values that name none when the subject or
        the description names exactly one module of the installation (its
        name or code, as whole words, accents and case ignored). One read of
        the modules for all of ``vals_list``. Edits ``vals_list`` in
        place."""
        pending = []
        for vals in vals_list:
            if vals.get("affected_module_id"):
                continue
            module_ids = [
                i
                for command in vals.get("psa_module_ids") or ()
                if command[0] == fields.Command.SET
                for i in command[2]
            ]
            if module_ids:
                pending.append((vals, module_ids))
        if not pending:
            return
        modules = {
            row["id"]: row
            for row in self.env["psa.product.module"]
            .sudo()
            .search_read(
                [("id", "in", list({i for _v, ids in pending for i in ids}))],
                ["name", "code"],
            )
        }
        for vals, module_ids in pending:
            text = f" {_normalize(vals.get('name'))} "
            text += f"{_normalize(html2plaintext(vals.get('description') or ''))} "
            named = [
                module_id
                for module_id in module_ids
                if module_id in modules
                and any(
                    f" {_normalize(modules[module_id][key])} " in text
                    for key in ("name", "code")
                    if _normalize(modules[module_id][key])
                )
            ]
            if len(named) == 1:
                vals["affected_module_id"] = named[0]

    def _psa_knowledge_vals(self, vals):
        """Write step: the values to write, with

        - the affected module cleared when a new installation lacks it (and
          no module is given);
        - the customer validation ended (``psa_validation_state`` and its
          deadline cleared) on the tickets waiting for it that leave the
          validation stage otherwise than by an answer or the timeout
          (which write the state): an agent moved them, or the customer's
          reply was a normal reply (the SLA engine sends the ticket back to
          work). When only some of ``self`` wait (``vals`` is shared), they
          are ended first, on their own. Closed by the agent (a closing
          stage), the validation is recorded as ``agent``, with its date and
          hours, as an answer would be.

        The rule kept (one place): a ticket is in a customer validation
        stage if and only if its validation is ``pending``/``reminded``."""
        if "installation_id" in vals and "affected_module_id" not in vals:
            installation = self.env["psa.installation"].browse(vals["installation_id"])
            if self.affected_module_id - installation.sudo().module_ids:
                vals = dict(vals, affected_module_id=False)
        if vals.get("stage_id") and "psa_validation_state" not in vals:
            stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
            if stage.psa_customer_validation:
                return vals
            ended = {"psa_validation_state": False, "psa_validation_deadline": False}
            waiting = self.sudo().filtered(
                lambda t: t.psa_validation_state in ("pending", "reminded")
            )
            if waiting and stage.closed:
                # closed by the agent while waiting: recorded, as an answer
                now = fields.Datetime.now()
                for ticket in waiting:
                    sent = ticket.psa_validation_sent or now
                    ticket.write(
                        dict(
                            ended,
                            psa_validation_state="agent",
                            psa_validation_date=now,
                            psa_validation_hours=(now - sent).total_seconds() / 3600.0,
                        )
                    )
            elif waiting and waiting == self.sudo():
                vals = dict(vals, **ended)
            elif waiting:
                # sudo: fields the validation owns (readonly on the form)
                waiting.write(ended)
        return vals

    def _psa_check_knowledge_write(self, vals):
        """Write step (a check, before the update, on the values as they
        will be after it):

        - a ticket enters a customer validation stage only with a pending
          validation (applying an article, ``_psa_apply_article``): moved
          there by hand, it would pause its SLA clocks with no deadline nor
          answer to wait for;
        - a ticket solved with a workaround needs its problem ticket (SPEC
          §5, seed 04 §6): solving it without one, or unlinking the problem
          of a ticket solved or waiting for validation with a workaround, is
          refused.

        :raise UserError: naming the tickets refused"""
        stage = self.env["helpdesk.ticket.stage"].browse(vals.get("stage_id") or ())
        if stage.psa_customer_validation and vals.get("psa_validation_state") not in (
            "pending",
            "reminded",
        ):
            moved = self.sudo().filtered(lambda t: t.stage_id != stage)
            if moved:
                raise UserError(
                    self.env._(
                        "%(tickets)s: a ticket waits for the customer's "
                        "validation only once a solution was sent to them: "
                        "apply an article instead of moving it to %(stage)s.",
                        tickets=", ".join(moved.mapped("display_name")),
                        stage=stage.display_name,
                    )
                )
        if not stage and "psa_problem_id" not in vals:
            return
        problem_after = "psa_problem_id" in vals and bool(vals["psa_problem_id"])
        missing = self.sudo().filtered(
            lambda t: (
                t.psa_article_kind == "workaround"
                and not (
                    problem_after
                    if "psa_problem_id" in vals
                    else bool(t.psa_problem_id)
                )
                and (
                    (stage or t.stage_id).closed
                    and (stage or t.stage_id).psa_close_kind == "solved"
                    or (stage or t.stage_id).psa_customer_validation
                )
                and (t.stage_id != stage or "psa_problem_id" in vals)
            )
        )
        if missing:
            raise UserError(
                self.env._(
                    "%(tickets)s were solved with a workaround: link or create "
                    "the problem ticket that will bring the permanent fix before "
                    "solving them.",
                    tickets=", ".join(missing.mapped("display_name")),
                )
            )

    def _psa_check_knowledge_create(self):
        """Create step (a check, after the insert): no ticket is created in
        a customer validation stage (nothing was sent to validate).

        :raise UserError: naming the tickets"""
        waiting = self.sudo().filtered(
            lambda t: (
                t.stage_id.psa_customer_validation
                and t.psa_validation_state not in ("pending", "reminded")
            )
        )
        if waiting:
            raise UserError(
                self.env._(
                    "%(tickets)s: a ticket waits for the customer's validation "
                    "only once a solution was sent to them: create it in "
                    "another stage, then apply an article.",
                    tickets=", ".join(waiting.mapped("display_name")),
                )
            )

    def _psa_knowledge_on_message(self, message):
        """Message step: a customer's reply on a ticket waiting for
        validation that accepts (the ticket is solved) or rejects (back to
        work) the solution. Any other reply is left to the SLA step, and so
        is an answer that cannot be applied (logged; the email is kept)."""
        waiting = self.filtered(
            lambda t: (
                t.psa_validation_state in ("pending", "reminded")
                and t.stage_id.psa_customer_validation
            )
        )
        for ticket in waiting:
            if ticket._psa_sla_message_kind(message) != "customer":
                continue
            answer = validation_answer(html2plaintext(message.body or ""))
            if not answer:
                continue
            try:
                with self.env.cr.savepoint():
                    ticket._psa_validation_answer(answer)
            except UserError as exc:
                # an inbound email is never lost: the answer that cannot be
                # applied stays a normal reply, for the agent
                _logger.warning(
                    "Ticket %s: the customer's answer (%s) could not be applied: %s",
                    ticket.number,
                    answer,
                    exc,
                )

    # ------------------------------------------------------------------
    # Suggestions
    # ------------------------------------------------------------------

    def _psa_find_articles(self, limit=ARTICLE_LIMIT):
        """Articles that may solve each ticket of ``self`` (saved or new):
        same product, the ticket's version within the article's range, the
        affected module among the article's modules (or either has none);
        ranked by the affected module named by the article, then the
        similarity (pg_trgm ``similarity``, as the duplicate suggestions) of
        the ticket's subject with the article's title and symptoms, then how
        many tickets the article solved. Articles neither about the
        affected module nor similar enough (``ARTICLE_SIMILARITY``) are left
        out, and so are drafts under review (unpublished, with an open
        to-do, as ``action_psa_solved_without_documentation`` makes them).
        One query for all of ``self``; record rules apply to the result.

        :return: ``{index in self: document.page records}``, best first"""
        rows = []
        for index, ticket in enumerate(self):
            if not ticket.psa_product_id or not ticket.name:
                continue
            rows.append(
                SQL(
                    "(%s::int, %s::int, %s::varchar, %s::int, %s::varchar)",
                    index,
                    ticket.psa_product_id.id,
                    ticket.psa_version_id.version_key or None,
                    ticket.affected_module_id.id or None,
                    ticket.name,
                )
            )
        if not rows:
            return {}
        self.env["document.page"].flush_model()
        self.env["psa.product.version"].flush_model(["version_key"])
        self.env["helpdesk.ticket"].flush_model(["psa_article_id", "stage_id"])
        self.env["mail.activity"].flush_model(
            ["res_model", "res_id", "activity_type_id", "active"]
        )
        trigram = self.env.registry.has_trigram
        text = SQL("p.name || ' ' || COALESCE(p.psa_symptoms, '')")
        score = (
            SQL("similarity(%s, src.name)", text)
            if trigram
            else SQL("0.0::float")  # word overlap computed below
        )
        query = SQL(
            """
            WITH src(idx, product_id, version_key, module_id, name)
                 AS (VALUES %(rows)s)
            SELECT src.idx, p.id, %(score)s AS score,
                   (src.module_id IS NOT NULL AND EXISTS (
                        SELECT 1 FROM document_page_psa_module_rel r
                         WHERE r.page_id = p.id AND r.module_id = src.module_id
                   )) AS module_match,
                   (SELECT COUNT(*) FROM helpdesk_ticket t
                      JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                     WHERE t.psa_article_id = p.id AND s.closed
                       AND s.psa_close_kind = 'solved') AS used,
                   %(text)s, src.name
              FROM src
              JOIN document_page p ON p.psa_product_id = src.product_id
              LEFT JOIN psa_product_version vf ON vf.id = p.psa_version_from_id
              LEFT JOIN psa_product_version vt ON vt.id = p.psa_version_to_id
             WHERE p.active AND p.psa_kind IS NOT NULL
               AND (p.psa_published OR NOT EXISTS (
                        SELECT 1 FROM mail_activity a
                         WHERE a.res_model = 'document.page'
                           AND a.res_id = p.id
                           AND a.activity_type_id = %(todo)s
                           AND a.active))
               AND (src.version_key IS NULL OR vf.id IS NULL
                    OR vf.version_key <= src.version_key)
               AND (src.version_key IS NULL OR vt.id IS NULL
                    OR vt.version_key >= src.version_key)
               AND (src.module_id IS NULL
                    OR NOT EXISTS (SELECT 1 FROM document_page_psa_module_rel r
                                    WHERE r.page_id = p.id)
                    OR EXISTS (SELECT 1 FROM document_page_psa_module_rel r
                                WHERE r.page_id = p.id
                                  AND r.module_id = src.module_id))
            """,
            rows=SQL(", ").join(rows),
            todo=self.env.ref("mail.mail_activity_data_todo").id,
            score=score,
            text=text,
        )
        candidates = {}
        for (
            index,
            page_id,
            sim,
            module_match,
            used,
            page_text,
            name,
        ) in self.env.execute_query(query):
            if not trigram:
                sim = self._psa_word_overlap(page_text, name)
            if not module_match and sim < ARTICLE_SIMILARITY:
                continue
            candidates.setdefault(index, []).append(
                ((module_match, sim, used, page_id), page_id)
            )
        visible = set(
            self.env["document.page"]
            .search(
                [("id", "in", [p for rows in candidates.values() for _k, p in rows])]
            )
            .ids
        )
        Page = self.env["document.page"]
        return {
            index: Page.browse(
                [p for _k, p in sorted(found, reverse=True) if p in visible][:limit]
            )
            for index, found in candidates.items()
        }

    @api.model
    def _psa_word_overlap(self, text_a, text_b):
        """Share of the words of ``text_b`` found in ``text_a`` (0..1), when
        PostgreSQL has no pg_trgm."""
        words_a = set(self._psa_subject_words(text_a))
        words_b = set(self._psa_subject_words(text_b))
        return len(words_a & words_b) / len(words_b) if words_b else 0.0

    # ------------------------------------------------------------------
    # Applying an article, customer validation
    # ------------------------------------------------------------------

    def _psa_check_not_closed(self):
        """:raise UserError: the ticket is closed (a solution is applied to
        an open ticket; reopening is the agent's decision, not a side
        effect)"""
        self.ensure_one()
        if self.sudo().stage_id.closed:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is closed: reopen it before applying an "
                    "article.",
                    ticket=self.display_name,
                )
            )

    def action_psa_apply_article(self):
        """Open the wizard that applies an article (the one in the context
        key ``psa_article_id``, else the best suggestion) to the ticket.

        :raise UserError: the ticket is closed"""
        self.ensure_one()
        self.check_access("write")
        self._psa_check_not_closed()
        article_id = (
            self.env.context.get("psa_article_id")
            or self.psa_article_suggestion_ids[:1].id
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Apply an article"),
            "res_model": "psa.apply.article.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_ticket_id": self.id,
                "default_article_id": article_id,
            },
        }

    def _psa_validation_stage(self):
        """The customer validation stage of the ticket's team.

        :raise UserError: the team uses none"""
        self.ensure_one()
        stage = (
            self.sudo()
            .team_id._get_applicable_stages()
            .filtered("psa_customer_validation")[:1]
        )
        if not stage:
            raise UserError(
                self.env._(
                    "Team %(team)s has no customer validation stage: add one (a "
                    "stage flagged Customer validation) before sending solutions "
                    "to validate.",
                    team=self.team_id.display_name or "-",
                )
            )
        return self.env["helpdesk.ticket.stage"].browse(stage.id)

    def _psa_solved_stage(self):
        """The first stage of the ticket's team that closes as solved."""
        self.ensure_one()
        stage = (
            self.sudo()
            .team_id._get_applicable_stages()
            .filtered(lambda s: s.closed and s.psa_close_kind == "solved")[:1]
        )
        if not stage:
            raise UserError(
                self.env._(
                    "Team %(team)s has no stage that closes tickets as solved.",
                    team=self.team_id.display_name or "-",
                )
            )
        return stage

    def _psa_validation_deadline(self, start):
        """``start`` (UTC, naive) plus the team's validation days
        (``psa_validation_days``), counted in business days of the ticket's
        support calendar from the day after ``start``, holidays excluded: the
        end of the working time of the last of them (UTC, naive). Without a
        calendar or working time, calendar days."""
        self.ensure_one()
        days = self.team_id.psa_validation_days or VALIDATION_DAYS
        calendar = self.sudo()._psa_support_calendar()
        tz = pytz.timezone(calendar.tz or "UTC") if calendar else pytz.utc
        local_next = pytz.utc.localize(start).astimezone(tz).date() + timedelta(days=1)
        next_day = tz.localize(datetime.combine(local_next, time.min))
        fallback = next_day.astimezone(pytz.utc).replace(tzinfo=None) + timedelta(
            days=days
        )
        if not calendar:
            return fallback
        last = calendar.plan_days(days, next_day, compute_leaves=True)
        if not last:
            return fallback
        day_start = tz.localize(datetime.combine(last.astimezone(tz).date(), time.min))
        intervals = calendar._work_intervals_batch(
            day_start, day_start + timedelta(days=1), compute_leaves=True
        )[False]
        end = max((stop for _start, stop, _meta in intervals), default=last)
        return end.astimezone(pytz.utc).replace(tzinfo=None)

    def _psa_apply_article(self, article, body, problem=None):
        """Apply ``article`` to the ticket (SPEC §8): link it, send ``body``
        (HTML) to the customer as a public reply, move the ticket to its
        team's customer validation stage (which pauses its SLA clocks) and
        start the validation timeout. A workaround needs ``problem`` (the
        problem ticket the permanent fix comes with), linked to the ticket.

        :raise UserError: no body, a workaround without problem, an article
            that is not a support article of the ticket's product, no
            validation stage"""
        self.ensure_one()
        self.check_access("write")
        self._psa_check_not_closed()
        if not article.psa_kind or article.psa_product_id != self.psa_product_id:
            raise UserError(
                self.env._(
                    "%(article)s is not a support article of the product of "
                    "ticket %(ticket)s.",
                    article=article.display_name,
                    ticket=self.display_name,
                )
            )
        if is_html_empty(body):
            raise UserError(self.env._("Write the message to the customer."))
        if article.psa_kind == "workaround" and not (problem or self.psa_problem_id):
            raise UserError(
                self.env._(
                    "%(article)s is a workaround: link or create the problem "
                    "ticket that will bring the permanent fix.",
                    article=article.display_name,
                )
            )
        stage = self._psa_validation_stage()
        now = fields.Datetime.now()
        vals = {}
        if problem and problem != self.psa_problem_id:
            vals["psa_problem_id"] = problem.id
        if is_html_empty(self.psa_resolution):
            vals["psa_resolution"] = body
        if vals:
            self.write(vals)
        # sudo: fields the action owns (readonly on the form); the stage
        # with them, as the only way into a customer validation stage
        self.sudo().write(
            {
                "stage_id": stage.id,
                "psa_article_id": article.id,
                "psa_validation_state": "pending",
                "psa_validation_sent": now,
                "psa_validation_deadline": self._psa_validation_deadline(now),
                "psa_validation_date": False,
                "psa_validation_hours": 0.0,
                "psa_no_documentation": False,
            }
        )
        self.message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
        )
        return True

    def _psa_customer_lang(self):
        self.ensure_one()
        return self.partner_id.lang or self.company_id.partner_id.lang or "en_US"

    def _psa_customer_tz(self):
        """The time zone the customer reads dates in: theirs, else the
        ticket's support calendar's, else UTC."""
        self.ensure_one()
        calendar = self.sudo()._psa_support_calendar()
        return self.partner_id.tz or (calendar and calendar.tz) or "UTC"

    def _psa_validation_request(self, article):
        """The text (HTML) sent with an article, in the customer's language:
        the article (its content when it is published) and how to answer."""
        self.ensure_one()
        env = self.with_context(lang=self._psa_customer_lang()).env
        # sudo: an internal article's content is never sent (the agent writes)
        content = article.sudo().content if article.psa_published else ""
        intro = env._(
            "We believe this solves your request. Please reply “Accept” if it "
            "does, or “Reject” if it does not (you can also use the buttons on "
            "your ticket page)."
        )
        parts = [Markup("<p>%s</p>") % intro]
        if article.psa_published:
            parts.append(Markup("<h4>%s</h4>") % article.name)
            parts.append(Markup(content or ""))
        return Markup("").join(parts)

    def _psa_validation_answer(self, answer):
        """The customer's answer (``"accept"`` or ``"reject"``) to the
        solution sent on the ticket: accepted → closed as solved (the
        resolution clock is met); rejected → back to the stage it waited
        from (its clocks resume). Runs as superuser once the caller was
        checked (email author or portal customer).

        :raise UserError: the ticket waits for no validation"""
        self.ensure_one()
        ticket = self.sudo()
        if (
            ticket.psa_validation_state not in ("pending", "reminded")
            or not ticket.stage_id.psa_customer_validation
        ):
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is not waiting for your validation.",
                    ticket=ticket.number,
                )
            )
        now = fields.Datetime.now()
        done = {
            "psa_validation_deadline": False,
            "psa_validation_date": now,
            "psa_validation_hours": (now - ticket.psa_validation_sent).total_seconds()
            / 3600.0
            if ticket.psa_validation_sent
            else 0.0,
        }
        if answer == "accept":
            ticket.write(
                dict(
                    done,
                    psa_validation_state="accepted",
                    stage_id=ticket._psa_solved_stage().id,
                )
            )
            ticket._message_log(body=self.env._("The customer accepted the solution."))
        else:
            stage = ticket.psa_sla_resume_stage_id
            if not stage or stage.closed or stage.psa_customer_validation:
                stage = ticket.team_id._get_applicable_stages().filtered(
                    lambda s: not s.closed and not s.psa_customer_validation
                )[:1]
            ticket.write(dict(done, psa_validation_state="rejected", stage_id=stage.id))
            ticket._message_log(
                body=self.env._(
                    "The customer rejected the solution: the ticket is back to work."
                )
            )
        return True

    def _psa_portal_close_stages(self):
        """None while the ticket waits for the customer's validation: the
        accept button is then the way to close it (its answer is recorded)."""
        if self.sudo().psa_validation_state in ("pending", "reminded"):
            return self.env["helpdesk.ticket.stage"]
        return super()._psa_portal_close_stages()

    def _psa_portal_validate(self, answer):
        """The portal buttons: the ticket's customer accepts or rejects the
        solution (``_psa_validation_answer``).

        :raise AccessError: the user is not the ticket's customer
        :raise UserError: the ticket waits for no validation"""
        self.ensure_one()
        self._psa_portal_check_customer()
        return self._psa_validation_answer(answer)

    @api.model
    def _cron_psa_validation_timeout(self):
        """Scheduled action: tickets waiting for the customer's validation
        past their deadline get a reminder (the first time), then are closed
        as solved with a message saying so. In batches
        (``tools.cron.run_in_batches``)."""
        tickets = self.sudo().search(
            [
                ("psa_validation_state", "in", ("pending", "reminded")),
                ("psa_validation_deadline", "<=", fields.Datetime.now()),
                ("stage_id.psa_customer_validation", "=", True),
            ]
        )
        run_in_batches(
            tickets,
            lambda batch: batch._psa_validation_timeout(),
            what="customer validation",
        )

    def _psa_validation_timeout(self):
        now = fields.Datetime.now()
        for ticket in self:
            env = ticket.with_context(lang=ticket._psa_customer_lang()).env
            days = ticket.team_id.psa_validation_days or VALIDATION_DAYS
            if ticket.psa_validation_state == "pending":
                ticket.write(
                    {
                        "psa_validation_state": "reminded",
                        "psa_validation_deadline": ticket._psa_validation_deadline(now),
                    }
                )
                ticket.message_post(
                    body=env._(
                        "Reminder: we sent you a solution %(days)s business days "
                        "ago. Please reply “Accept” if it solved your request, or "
                        "“Reject” if it did not. Without an answer, we will close "
                        "the ticket as solved in %(days)s business days.",
                        days=days,
                    ),
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=ticket.partner_id.ids,
                    author_id=self.env.ref("base.partner_root").id,
                )
                continue
            ticket.with_context(psa_validation_timeout=True).write(
                {
                    "psa_validation_state": "timeout",
                    "psa_validation_deadline": False,
                    "psa_validation_date": now,
                    "psa_validation_hours": (
                        now - (ticket.psa_validation_sent or now)
                    ).total_seconds()
                    / 3600.0,
                    "stage_id": ticket._psa_solved_stage().id,
                }
            )
            ticket._message_log(
                body=env._(
                    "Closed as solved: the customer did not answer the solution "
                    "sent on %(date)s, nor its reminder.",
                    date=tools.format_datetime(
                        env,
                        ticket.psa_validation_sent,
                        tz=ticket._psa_customer_tz(),
                    ),
                )
            )

    # ------------------------------------------------------------------
    # Solved without documentation
    # ------------------------------------------------------------------

    def action_psa_solved_without_documentation(self):
        """The agent solved the ticket with a known solution no article
        describes (seed 04 §6): a draft internal article prefilled with the
        ticket's resolution, and a documentation to-do on it for the team's
        documentation owner (else its leader, else the user).

        :raise UserError: no resolution summary yet, an article is already
            applied, or the ticket was already marked so (one draft, one
            to-do)"""
        self.ensure_one()
        self.check_access("write")
        if self.psa_article_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s was solved with an article.",
                    ticket=self.display_name,
                )
            )
        if self.psa_no_documentation:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s was already marked as solved without "
                    "documentation: its draft and to-do exist.",
                    ticket=self.display_name,
                )
            )
        if is_html_empty(self.psa_resolution):
            raise UserError(
                self.env._(
                    "Write the resolution summary first: it becomes the draft "
                    "of the article."
                )
            )
        owner = (
            self.team_id.psa_documentation_user_id
            or self.team_id.user_id
            or self.env.user
        )
        # sudo: the draft is written by the support staff whatever their
        # knowledge rights; it stays internal until someone publishes it.
        page = (
            (
                self.env["document.page"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Draft: %(name)s", name=self.name),
                        "psa_kind": "solution",
                        "psa_product_id": self.psa_product_id.id,
                        "psa_version_from_id": self.psa_version_id.id,
                        "psa_module_ids": [
                            fields.Command.set(self.affected_module_id.ids)
                        ],
                        "psa_symptoms": self.name,
                        "content": self.psa_resolution,
                        "company_id": self.company_id.id,
                    }
                )
            )
            if self.psa_product_id
            else self.env["document.page"]
        )
        target = page or self
        target.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=owner.id,
            summary=self.env._(
                "Document the solution of %(ticket)s", ticket=self.number
            ),
            note=self.env._(
                "Ticket %(ticket)s was solved with a known solution that no "
                "article describes. Review the draft, complete it and publish it.",
                ticket=self.display_name,
            ),
        )
        self.sudo().write({"psa_no_documentation": True})
        self._message_log(
            body=self.env._(
                "Solved without documentation: a documentation to-do went to %(user)s.",
                user=owner.name,
            )
        )
        return True
