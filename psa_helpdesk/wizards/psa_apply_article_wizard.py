# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Apply a knowledge article to a ticket (SPEC §8, seed 04 §6): the message to
the customer (prefilled in their language), and for a workaround the problem
ticket the permanent fix comes with (linked, or created here)."""

from odoo import api, fields, models
from odoo.exceptions import UserError


class PsaApplyArticleWizard(models.TransientModel):
    _name = "psa.apply.article.wizard"
    _description = "Apply a knowledge article to a ticket"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True)
    product_id = fields.Many2one(related="ticket_id.psa_product_id")
    article_id = fields.Many2one(
        "document.page",
        required=True,
        domain="[('psa_kind', '!=', False), ('psa_product_id', '=', product_id)]",
    )
    article_kind = fields.Selection(related="article_id.psa_kind")
    article_published = fields.Boolean(related="article_id.psa_published")
    body = fields.Html(
        string="Message to the customer",
        compute="_compute_body",
        store=True,
        readonly=False,
        help="Sent as a public reply. Prefilled in the customer's language with "
        "the article when it is published; write it yourself for an internal "
        "article (its content is never sent).",
    )
    problem_id = fields.Many2one(
        "helpdesk.ticket",
        string="Problem ticket",
        domain="[('psa_is_problem', '=', True), ('id', '!=', ticket_id)]",
        help="A workaround needs the problem ticket the permanent fix comes "
        "with. Leave empty to create one from this ticket.",
    )

    @api.depends("article_id", "ticket_id")
    def _compute_body(self):
        for wizard in self:
            if wizard.article_id and wizard.ticket_id:
                wizard.body = wizard.ticket_id._psa_validation_request(
                    wizard.article_id
                )
            else:
                wizard.body = False

    def action_apply(self):
        """Apply the article; a workaround without problem creates one (a
        problem ticket of the same customer, team, subject, installation,
        affected module and request type, assigned to the user).

        :raise UserError: see ``helpdesk.ticket._psa_apply_article`` (a
            closed ticket is refused before any problem is created)"""
        self.ensure_one()
        ticket = self.ticket_id
        ticket._psa_check_not_closed()
        problem = self.problem_id or ticket.psa_problem_id
        if self.article_id.psa_kind == "workaround" and not problem:
            if not self.env.user.has_group("psa_helpdesk.group_psa_agent"):
                raise UserError(self.env._("Choose the problem ticket."))
            problem = self.env["helpdesk.ticket"].create(
                {
                    "name": self.env._("Problem: %(name)s", name=ticket.name),
                    "partner_id": ticket.partner_id.id,
                    "team_id": ticket.team_id.id,
                    "description": ticket.description,
                    "psa_is_problem": True,
                    # the incident's context: its installation (hence its
                    # contract and coverage), module and request type
                    "installation_id": ticket.installation_id.id,
                    "affected_module_id": ticket.affected_module_id.id,
                    "request_type": ticket.request_type,
                    "user_id": self.env.uid,
                }
            )
        ticket._psa_apply_article(self.article_id, self.body, problem=problem)
        return {"type": "ir.actions.act_window_close"}
