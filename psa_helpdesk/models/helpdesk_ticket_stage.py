# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..const import CLOSE_KINDS

# The ticket field holding the resolution summary, which a closing email shows
RESOLUTION_FIELD = "psa_resolution"


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    psa_backlog = fields.Boolean(
        string="Backlog",
        help="Parking stage for requests planned for later (change requests, "
        "suggestions). Incidents may not be put here.",
    )
    psa_close_kind = fields.Selection(
        CLOSE_KINDS,
        string="Closes as",
        required=True,
        default="solved",
        help="Only meaningful for closing stages. Solved: the request was "
        "answered or fixed; the resolution clock stops as met, met late or "
        "breached, and incidents and change requests need a resolution "
        "summary, which the customer receives. Not solved (such as Cancelled "
        "or Rejected): the SLA clocks that are not late yet are cancelled "
        "and stay out of the compliance figures; no resolution summary is "
        "asked. A ticket marked as a duplicate always closes as not solved.",
    )

    @api.constrains("closed", "psa_close_kind", "mail_template_id")
    def _check_psa_closing_template(self):
        for stage in self.filtered(lambda s: s.closed and s.psa_close_kind == "solved"):
            template = stage.mail_template_id
            if template and RESOLUTION_FIELD not in (template.body_html or ""):
                # (not an f-string inside the call: the term extraction of
                # the translations evaluates string arguments)
                placeholder = "object." + RESOLUTION_FIELD
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s closes tickets as solved: the customer "
                        "receives the resolution summary in the closing email, but "
                        "its email template %(template)s does not show it "
                        "(%(field)s). Choose a template that does, or none (the "
                        "standard closing email is sent), or make the stage close "
                        "as not solved.",
                        stage=stage.display_name,
                        template=template.display_name,
                        field=placeholder,
                    )
                )

    @api.constrains("psa_backlog")
    def _check_psa_backlog_incidents(self):
        backlog = self.filtered("psa_backlog")
        if backlog and self.env["helpdesk.ticket"].search_count(
            [("stage_id", "in", backlog.ids), ("request_type", "=", "incident")],
            limit=1,
        ):
            raise ValidationError(
                self.env._(
                    "Incidents sit in this stage: it cannot become a backlog stage."
                )
            )

    @api.model
    def _psa_close_kinds(self):
        """``{stage id: close kind}`` of every closing stage (archived ones
        included): ``"solved"`` or ``"not_solved"`` (``psa_close_kind``);
        open stages are absent. Cached across requests
        (``tools.ormcache``), so that judging how a ticket is closed
        (``helpdesk.ticket._psa_close_kind``, on every reply and stage
        change) reads no stage; any create, write or unlink of a stage
        clears it."""
        return dict(self._psa_cached_close_kinds())

    @api.model
    @tools.ormcache()
    def _psa_cached_close_kinds(self):
        # sudo: which stages close tickets is configuration, whoever asks
        stages = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch([("closed", "=", True)], ["psa_close_kind"])
        )
        return tuple((stage.id, stage.psa_close_kind or "solved") for stage in stages)

    def _psa_closing_template(self):
        """The closing email of a ticket entering this stage (SPEC §6): a
        closed stage that closes as solved sends it, with the resolution
        summary, to the customer recipients
        (``helpdesk.ticket._psa_send_closing_email``): its own email
        template, else the standard closing email
        (``mail_template_ticket_closed``). Any other stage: none (its
        template, if any, is sent by helpdesk_mgmt)."""
        self.ensure_one()
        Template = self.env["mail.template"]
        if not (self.closed and self.psa_close_kind == "solved"):
            return Template
        return (
            self.mail_template_id
            or self.env.ref(
                "psa_helpdesk.mail_template_ticket_closed", raise_if_not_found=False
            )
            or Template
        )
