# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..const import SUPPORT_LEVELS
from ..tools.context import without_defaults


class PsaTicketEscalateWizard(models.TransientModel):
    """Move a ticket to another support level and/or team, with a reason.
    Every escalation is logged (psa.ticket.escalation) and noted in the chatter."""

    _name = "psa.ticket.escalate.wizard"
    _description = "Escalate a ticket"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True)
    from_level = fields.Selection(related="ticket_id.support_level")
    from_team_id = fields.Many2one(related="ticket_id.team_id")
    to_level = fields.Selection(SUPPORT_LEVELS, string="To level")
    to_team_id = fields.Many2one("helpdesk.ticket.team", string="To team")
    to_user_id = fields.Many2one(
        "res.users",
        string="Assign to",
        domain="[('share', '=', False)]",
        help="Empty: the leader of the new team (or nobody) when the current "
        "assignee is not in it.",
    )
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        ticket_id = res.get("ticket_id") or (
            self.env.context.get("active_model") == "helpdesk.ticket"
            and self.env.context.get("active_id")
        )
        if ticket_id:
            ticket = self.env["helpdesk.ticket"].browse(ticket_id)
            res["ticket_id"] = ticket.id
            level = ticket.support_level or "1"
            if "to_level" in fields_list and level < "3":
                # the form's first onchange proposes the team of that level
                res["to_level"] = str(int(level) + 1)
        return res

    @api.model
    def _psa_team_of_level(self, ticket, level):
        """The team that takes tickets of support ``level`` ('1'..'3') for
        ``ticket``: its own team when of that level, else the first team of
        that level (by sequence) of the ticket's company or of none; an
        empty recordset when there is none."""
        if ticket.team_id.support_level == level:
            return ticket.team_id
        return self.env["helpdesk.ticket.team"].search(
            [
                ("support_level", "=", level),
                ("company_id", "in", [ticket.company_id.id, False]),
            ],
            limit=1,
        )

    @api.onchange("to_team_id")
    def _onchange_to_team_id(self):
        if self.to_team_id.support_level:
            self.to_level = self.to_team_id.support_level

    @api.onchange("to_level")
    def _onchange_to_level(self):
        """Choosing a level proposes the team of that level."""
        if self.to_level and self.to_team_id.support_level != self.to_level:
            team = self._psa_team_of_level(self.ticket_id, self.to_level)
            if team:
                self.to_team_id = team

    def action_escalate(self):
        self.ensure_one()
        ticket = self.ticket_id
        if not self.env.user.has_group("psa_helpdesk.group_psa_agent"):
            raise AccessError(self.env._("Only support agents escalate tickets."))
        ticket.check_access("write")
        if not (self.reason or "").strip():
            raise UserError(self.env._("Say why the ticket is escalated."))
        to_level = self.to_level or ticket.support_level
        to_team = self.to_team_id or ticket.team_id
        if (
            to_level == ticket.support_level
            and to_team == ticket.team_id
            and (not self.to_user_id or self.to_user_id == ticket.user_id)
        ):
            raise UserError(
                self.env._("Choose another level, team or assignee to escalate to.")
            )
        to_user = self.to_user_id
        if not to_user:
            to_user = ticket.user_id
            if to_team and to_user and to_user not in to_team.user_ids:
                to_user = to_team.user_id
        # sudo: the escalation log is written by this action only (no user
        # has a create right on it); the user's right to escalate the ticket
        # was checked above, and who and when come from here, not from the
        # request (nor from default_* keys of its context).
        Escalation = without_defaults(self.env["psa.ticket.escalation"].sudo())
        escalation = Escalation.create(
            {
                "ticket_id": ticket.id,
                "user_id": self.env.user.id,
                "date": fields.Datetime.now(),
                "from_level": ticket.support_level,
                "to_level": to_level,
                "from_team_id": ticket.team_id.id,
                "to_team_id": to_team.id,
                "from_user_id": ticket.user_id.id,
                "to_user_id": to_user.id,
                "reason": self.reason,
            }
        )
        ticket.write({"team_id": to_team.id, "user_id": to_user.id})
        # sudo: the support level is changed by this action only
        # (FIELD_RIGHTS), which logged who, when and why above
        ticket.sudo().write({"support_level": to_level})
        levels = dict(SUPPORT_LEVELS)
        ticket.message_post(
            body=self.env._(
                "Escalated from %(from_level)s / %(from_team)s to %(to_level)s / "
                "%(to_team)s. Reason: %(reason)s",
                from_level=levels.get(escalation.from_level, "-"),
                from_team=escalation.from_team_id.display_name or "-",
                to_level=levels.get(escalation.to_level, "-"),
                to_team=escalation.to_team_id.display_name or "-",
                reason=self.reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
