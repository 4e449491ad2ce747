# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class PsaEntitlementExceptionWizard(models.TransientModel):
    """A support manager grants support, once, to a ticket no contract covers."""

    _name = "psa.entitlement.exception.wizard"
    _description = "Grant an entitlement exception"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True)
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Move to team",
        help="Support team that takes the ticket. Empty: it stays where it is.",
    )
    reason = fields.Text(required=True)

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
        # sudo: the exception, its reason and who granted it are audit fields
        # only this action writes (FIELD_RIGHTS), after the checks above;
        # the values come from the wizard and the user, never from the request
        ticket.sudo().write(vals)
        ticket.message_post(
            body=self.env._(
                "Support granted as an exception by %(user)s. Reason: %(reason)s",
                user=self.env.user.name,
                reason=self.reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
