# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import ValidationError


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    @api.constrains(
        "autoupdate_ticket_stage",
        "autopupdate_dest_stage_id",
        "autopupdate_src_stage_ids",
    )
    def _check_psa_reply_never_closes(self):
        """A customer's reply (helpdesk_ticket_partner_response) never closes
        a ticket: a closing stage as the destination would stop its
        resolution clock as *met* on a message that may say "still broken"
        (SPEC §4: resolution is met only when the ticket is solved), or
        cancel its clocks. Nor does the sibling move tickets out of a
        customer validation stage: the customer's answer there is read by
        psa_helpdesk (accepted: closed; rejected: back to work, SPEC §8),
        which the move would skip.

        :raise ValidationError: naming the team and the stage"""
        for team in self.filtered("autoupdate_ticket_stage"):
            validation = team.autopupdate_src_stage_ids.filtered(
                "psa_customer_validation"
            )
            if validation:
                raise ValidationError(
                    self.env._(
                        "%(team)s: a customer's reply in %(stage)s is their "
                        "answer to the solution sent, which psa_helpdesk reads "
                        "(accepted or rejected): remove that stage from the "
                        "stages a reply moves tickets out of.",
                        team=team.display_name,
                        stage=validation[:1].display_name,
                    )
                )
            stage = team.autopupdate_dest_stage_id
            if stage.closed:
                raise ValidationError(
                    self.env._(
                        "%(team)s: a customer's reply cannot move tickets to "
                        "%(stage)s, a closing stage; choose a working stage "
                        "(closing a ticket is the agent's decision, with its "
                        "resolution).",
                        team=team.display_name,
                        stage=stage.display_name,
                    )
                )
