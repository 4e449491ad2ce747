# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The ticket field holding the resolution summary, which a closing email shows
RESOLUTION_FIELD = "psa_resolution"


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    psa_backlog = fields.Boolean(
        string="Backlog",
        help="Parking stage for requests planned for later (change requests, "
        "suggestions). Incidents may not be put here.",
    )
    psa_resolution_required = fields.Boolean(
        string="Resolution required",
        default=True,
        help="Closing an incident or a change request in this stage requires a "
        "resolution summary, which the customer receives in the closing email: "
        "the stage's email template, else the standard closing email. Only "
        "meaningful for closing stages; untick it for stages such as Cancelled "
        "or Rejected.",
    )

    @api.constrains("closed", "psa_resolution_required", "mail_template_id")
    def _check_psa_closing_template(self):
        for stage in self.filtered(lambda s: s.closed and s.psa_resolution_required):
            template = stage.mail_template_id
            if template and RESOLUTION_FIELD not in (template.body_html or ""):
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s asks for the resolution summary, which "
                        "the customer receives in the closing email, but its email "
                        "template %(template)s does not show it (%(field)s). Choose "
                        "a template that does, or none (the standard closing email "
                        "is sent), or untick Resolution required.",
                        stage=stage.display_name,
                        template=template.display_name,
                        field=f"object.{RESOLUTION_FIELD}",
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

    def _psa_closing_template(self):
        """The closing email of a ticket entering this stage (SPEC §6): a
        closed stage that asks for the resolution summary sends it to the
        customer recipients (``helpdesk.ticket._psa_send_closing_email``):
        its own email template, else the standard closing email
        (``mail_template_ticket_closed``). Any other stage: none (its
        template, if any, is sent by helpdesk_mgmt)."""
        self.ensure_one()
        Template = self.env["mail.template"]
        if not (self.closed and self.psa_resolution_required):
            return Template
        return (
            self.mail_template_id
            or self.env.ref(
                "psa_helpdesk.mail_template_ticket_closed", raise_if_not_found=False
            )
            or Template
        )
