# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import ValidationError


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    @api.constrains("autoupdate_ticket_stage", "autopupdate_dest_stage_id")
    def _check_psa_reply_never_closes(self):
        """A customer's reply (helpdesk_ticket_partner_response) never closes
        a ticket: a closing stage as the destination would stop its
        resolution clock as *met* on a message that may say "still broken"
        (SPEC §4: resolution is met only when the ticket is solved), or
        cancel its clocks.

        :raise ValidationError: naming the team and the stage"""
        for team in self:
            stage = team.autopupdate_dest_stage_id
            if team.autoupdate_ticket_stage and stage.closed:
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
