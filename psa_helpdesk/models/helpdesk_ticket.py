# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket pipeline: the one ``create``, ``write`` and message hook of
``helpdesk.ticket`` in psa_helpdesk.

Every concern of the addon adds fields and *steps* to the ticket in its own
file; none of them overrides ``create`` or ``write``. This file calls the
steps, in this order:

``create(vals_list)``

1. **Rights** — ``_psa_check_protected_write``: fields reserved to
   supervisors and support managers (refused before anything happens).
2. **Installed base** — ``_psa_prepare_installed_base``: the customer's
   installation (preselected when obvious) and the snapshot of its
   environment, which entitlement needs (the product).
3. **Entitlement** — ``_psa_prepare_entitlement``: contract, account leader,
   routing of tickets no contract covers (it may change the team, so it
   runs before the insert, where helpdesk_mgmt derives stage and company).
4. **History** — ``psa.ticket.segment._psa_prepare_create``: every dimension
   starts now, written with the ticket itself.
5. *insert* (helpdesk_mgmt: number, stage, company; computes: priority).
6. **Checks** — ``_psa_check_resolution_on_create``: a ticket created
   closed has its resolution summary. Checks run before any effect, so a
   refused ticket sent nothing.
7. **Entitlement effects** — ``_psa_entitlement_after_create``: the
   account leader follows; not-entitled note and answer.
8. **Priority effects** — ``_psa_priority_after_create``: P1 alerts.
9. **SLA clocks** — ``_psa_sla_after_create``: the clocks start (last: they
   count from the creation, whatever the steps above took).

``write(vals)``

1. **Rights** — ``_psa_check_protected_write``.
2. **Values** — ``_psa_installed_base_vals`` (new snapshot with a new
   installation), ``_psa_priority_vals`` (clearing the override clears its
   reason).
3. **Checks** — ``_psa_check_resolution_on_write``: closing needs the
   resolution summary.
4. **Before** — what later steps compare: urgency
   (``_psa_priority_before_write``), stages, policies and SLA context
   (``_psa_sla_before_write``), history values and starts
   (``psa.ticket.segment._psa_before_write``, which may add the new starts
   to ``vals`` so that the change is one UPDATE).
5. *update*.
6. **Checks after the update** — ``_psa_sla_check_write``: a policy no
   support manager chose is refused (it depends on the recomputed contract
   and team, so only now), before any effect.
7. **Priority effects** — ``_psa_priority_after_write``: alert when the
   ticket has just become P1.
8. **SLA clocks** — ``_psa_sla_after_write``: retarget, pause, resume,
   stop, new cycle.
9. **History** — ``psa.ticket.segment._psa_after_write``: last, so that it
   also sees dimensions moved by the steps above.

Messages (``_message_post_after_hook``): ``_psa_sla_on_message`` — a public
reply of an agent or of the customer moves the clocks.

Concern files: ``helpdesk_ticket_installed_base.py`` (§1),
``helpdesk_ticket_entitlement.py`` (§2), ``helpdesk_ticket_priority.py``
(§3), ``helpdesk_ticket_sla.py`` (§4), ``helpdesk_ticket_development.py``
(§5), ``helpdesk_ticket_history.py`` and ``helpdesk_ticket_communication.py``
(§6).
"""

from odoo import api, models
from odoo.exceptions import AccessError

# Fields whose change may change the derived priority (and with it the SLA
# targets, the OCA star and the P1 alerts).
PRIORITY_INPUTS = {
    "severity",
    "contract_id",
    "partner_id",
    "installation_id",
    "psa_aging_priority",
    "psa_priority_override",
    "psa_entitlement_exception",
}


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    @api.model_create_multi
    def create(self, vals_list):
        if any(k in vals for vals in vals_list for k in self._psa_protected_fields()):
            self._psa_check_protected_write(set().union(*vals_list))
        self._psa_prepare_installed_base(vals_list)
        self._psa_prepare_entitlement(vals_list)
        self.env["psa.ticket.segment"]._psa_prepare_create(vals_list)
        tickets = super().create(vals_list)
        tickets._psa_check_resolution_on_create()
        tickets._psa_entitlement_after_create()
        tickets._psa_priority_after_create()
        tickets._psa_sla_after_create()
        return tickets

    def write(self, vals):
        self._psa_check_protected_write(vals)
        vals = self._psa_installed_base_vals(vals)
        vals = self._psa_priority_vals(vals)
        self._psa_check_resolution_on_write(vals)
        urgent_before = self._psa_priority_before_write(vals)
        sla_before = self._psa_sla_before_write(vals)
        Segment = self.env["psa.ticket.segment"]
        vals, history_before = Segment._psa_before_write(self, vals)
        res = super().write(vals)
        self._psa_sla_check_write(sla_before)
        self._psa_priority_after_write(urgent_before)
        self._psa_sla_after_write(sla_before)
        Segment._psa_after_write(self, history_before)
        return res

    def _message_post_after_hook(self, message, msg_values):
        res = super()._message_post_after_hook(message, msg_values)
        self._psa_sla_on_message(message)
        return res

    # ------------------------------------------------------------------
    # Rights: who may write what
    # ------------------------------------------------------------------

    @api.model
    def _psa_protected_fields(self):
        """Fields only a supervisor (override) or a support manager
        (entitlement exception) may write; {field: checker}."""
        return {
            "psa_priority_override": "_psa_is_supervisor",
            "psa_priority_override_reason": "_psa_is_supervisor",
            "psa_entitlement_exception": "_psa_is_support_manager",
            "psa_entitlement_reason": "_psa_is_support_manager",
            "psa_entitlement_user_id": "_psa_is_support_manager",
        }

    def _psa_check_protected_write(self, fnames):
        if self.env.su:
            return
        for fname, checker in self._psa_protected_fields().items():
            if fname in fnames and not getattr(self, checker)():
                raise AccessError(
                    self.env._(
                        "You are not allowed to change %(field)s: it is reserved "
                        "to supervisors.",
                        field=self._fields[fname].string,
                    )
                )

    def _psa_is_support_manager(self):
        return self.env.su or self.env.user.has_group("psa_helpdesk.group_psa_manager")

    def _psa_is_supervisor(self):
        """Support managers, and the leader of the team of every ticket of
        ``self``, may override priorities."""
        if self._psa_is_support_manager():
            return True
        return bool(self) and all(t.team_id.user_id == self.env.user for t in self)
