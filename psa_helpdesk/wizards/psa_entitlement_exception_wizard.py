# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class PsaEntitlementExceptionWizard(models.TransientModel):
    """A support manager grants support, once, to a ticket no contract covers.

    The SLA clocks that start are those of ``sla_policy_id`` (the ticket's
    policy, else the team's, or one the manager chooses); without a policy
    none starts, and the wizard and the chatter note say so."""

    _name = "psa.entitlement.exception.wizard"
    _description = "Grant an entitlement exception"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True)
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Move to team",
        help="Support team that takes the ticket. Empty: it stays where it is.",
    )
    reason = fields.Text(required=True)
    sla_policy_id = fields.Many2one(
        "psa.sla.policy",
        string="SLA policy",
        compute="_compute_sla_policy_id",
        store=True,
        readonly=False,
        help="The policy whose clocks start once support is granted: the "
        "ticket's own, else the one of the team that takes it. Empty: no SLA "
        "clock starts.",
    )

    sla_starts = fields.Boolean(
        string="SLA clocks start",
        compute="_compute_sla_starts",
        help="The policy has a target for the ticket's priority: its clocks "
        "start once support is granted.",
    )

    @api.depends("sla_policy_id", "ticket_id.psa_priority")
    def _compute_sla_starts(self):
        for wizard in self:
            policy = wizard.sla_policy_id
            wizard.sla_starts = bool(
                policy and policy._get_target(wizard.ticket_id.psa_priority)
            )

    @api.depends("ticket_id", "team_id")
    def _compute_sla_policy_id(self):
        for wizard in self:
            ticket = wizard.ticket_id
            wizard.sla_policy_id = (
                ticket.psa_sla_policy_id
                or (wizard.team_id or ticket.team_id).psa_sla_policy_id
            )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if not res.get("ticket_id") and (
            self.env.context.get("active_model") == "helpdesk.ticket"
        ):
            res["ticket_id"] = self.env.context.get("active_id")
        return res

    def action_grant(self):
        self.ensure_one()
        ticket = self.ticket_id
        if not ticket._psa_is_support_manager():
            raise AccessError(
                self.env._("Only support managers grant entitlement exceptions.")
            )
        ticket.check_access("write")
        if ticket.psa_entitled:
            raise UserError(
                self.env._(
                    "%(ticket)s is already entitled to support.",
                    ticket=ticket.display_name,
                )
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("An exception needs a reason."))
        vals = {
            "psa_entitlement_exception": True,
            "psa_entitlement_reason": self.reason,
            "psa_entitlement_user_id": self.env.user.id,
        }
        if self.team_id:
            vals["team_id"] = self.team_id.id
        if self.sla_policy_id and self.sla_policy_id != ticket.psa_sla_policy_id:
            vals["psa_sla_policy_id"] = self.sla_policy_id.id
        # sudo: the exception, its reason and who granted it are audit fields
        # only this action writes (FIELD_RIGHTS), after the checks above;
        # the values come from the wizard and the user, never from the request
        ticket.sudo().write(vals)
        ticket.message_post(
            body=self.env._(
                "Support granted as an exception by %(user)s. Reason: %(reason)s",
                user=self.env.user.name,
                reason=self.reason,
            )
            + " "
            + (
                self.env._(
                    "SLA clocks run under policy %(policy)s.",
                    policy=self.sla_policy_id.display_name,
                )
                if self.sla_starts
                else self.env._(
                    "No SLA clock runs: no SLA policy with a target for this "
                    "priority applies (neither the ticket's nor its team's)."
                )
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
