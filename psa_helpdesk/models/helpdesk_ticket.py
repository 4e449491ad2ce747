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
2. **Company** — ``_psa_prepare_company``: the ticket's company, its
   team's (SPEC §7), which the next steps look up and route in.
3. **Installed base** — ``_psa_prepare_installed_base``: the customer's
   installation in the ticket's company (preselected when obvious) and the
   snapshot of its environment, which entitlement needs (the product);
   ``_psa_prepare_affected_module``: the affected module when the text
   names one (``helpdesk_ticket_knowledge.py``).
4. **Entitlement** — ``_psa_prepare_entitlement``: contract, account leader,
   routing of tickets no contract covers (it may change the team, so it
   runs before the insert, where helpdesk_mgmt derives stage and company).
5. **History** — ``psa.ticket.segment._psa_prepare_create``: every dimension
   starts now, written with the ticket itself.
6. *insert* (helpdesk_mgmt: number, stage, company; computes: priority;
   the ORM checks that every linked record is of the ticket's company).
7. **Checks** — ``_psa_check_resolution_on_create``: a ticket created
   closed has its resolution summary. Checks run before any effect, so a
   refused ticket sent nothing.
8. **Entitlement effects** — ``_psa_entitlement_after_create``: the
   account leader follows; not-entitled note and answer.
9. **Priority effects** — ``_psa_priority_after_create``: P1 alerts.
10. **SLA clocks** — ``_psa_sla_after_create``: the clocks start (last: they
    count from the creation, whatever the steps above took).

``write(vals)``

1. **Rights** — ``_psa_check_protected_write``; **company** —
   ``_psa_check_company_write``: a ticket never moves to another company.
2. **Values** — ``_psa_installed_base_vals`` (new snapshot with a new
   installation), ``_psa_priority_vals`` (clearing the override clears its
   reason).
   ``_psa_knowledge_vals`` (a new installation clears an affected module
   it lacks).
3. **Checks** — ``_psa_check_resolution_on_write``: closing needs the
   resolution summary; ``_psa_check_knowledge_write``: solving after a
   workaround needs the problem ticket, only applying an article enters a
   customer validation stage.
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

Messages (``_message_post_after_hook``): first ``_psa_knowledge_on_message`` — a
customer's reply accepting or rejecting a solution (first: an acceptance
closes the ticket before the SLA step would send it back to work);
``_psa_sla_on_message`` — a public
reply of an agent or of the customer moves the clocks; an automatic email
(``mail.message.psa_automatic``, set by the mail gateway) never does.

Concern files: ``helpdesk_ticket_company.py`` (§7, the company),
``helpdesk_ticket_installed_base.py`` (§1),
``helpdesk_ticket_entitlement.py`` (§2), ``helpdesk_ticket_priority.py``
(§3), ``helpdesk_ticket_sla.py`` (§4), ``helpdesk_ticket_development.py``
(§5), ``helpdesk_ticket_history.py`` and ``helpdesk_ticket_communication.py``
(§6).
"""

from odoo import api, models
from odoo.exceptions import AccessError

from .res_users import field_access_sweep

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


# Who may write which ticket field (SPEC §7), beyond the access rights and
# record rules that decide who may write the ticket at all. A field not listed
# is written by whoever may write the ticket. Whatever the path (form, list,
# RPC create/write, import, portal route, wizard), a refusal is an AccessError
# raised before anything changes.
#   system      the addon only: the installation snapshot, the SLA engine, the
#               scheduled actions, and the actions that own an audit field
#               (they check the user's right first, then write as superuser)
#   manager     support managers
#   initial     given when the ticket is created, then changed only by the
#               action that records the change (the support level: Escalate)
#   supervisor  support managers and the leader of the ticket's team
#   derived     computed by a documented rule: a user may write only the value
#               the rule gives (the form sends computed values back); a
#               support manager may choose another valid one
#               (``_psa_check_derived_write``, after the update)
FIELD_RIGHTS = {
    # SPEC §1: the environment as it was, taken from the installation
    "psa_product_id": "system",
    "psa_version_id": "system",
    "psa_environment": "system",
    "psa_module_ids": "system",
    "psa_customized_module_ids": "system",
    "psa_customization_notes": "system",
    "psa_snapshot_date": "system",
    # SPEC §2: entitlement (the customer comes from the contact)
    "commercial_partner_id": "system",
    "contract_id": "derived",
    "psa_service_tier_id": "system",
    "psa_entitled": "system",
    "psa_sla_applies": "system",
    "psa_entitlement_pending": "system",
    "psa_entitlement_exception": "system",
    "psa_entitlement_reason": "system",
    "psa_entitlement_user_id": "system",
    # SPEC §3: priority and level (the level changes through the Escalate
    # action, which logs who, when and why)
    "support_level": "initial",
    "psa_matrix_priority": "system",
    "psa_aging_priority": "system",
    "psa_priority": "system",
    "psa_priority_override": "supervisor",
    "psa_priority_override_reason": "supervisor",
    "priority": "derived",
    # SPEC §4: SLA clocks (the policy: see _psa_sla_check_write)
    "psa_sla_cycle": "system",
    "psa_sla_resume_stage_id": "system",
    "psa_sla_status": "system",
    "psa_sla_deadline": "system",
    "psa_sla_update_late": "system",
    "psa_sla_error": "system",
    # SPEC §6: history; automatic answers (at most one per ticket, see
    # _psa_auto_answer)
    "psa_segment_since": "system",
    "psa_auto_answer_email": "system",
    "psa_auto_answer_date": "system",
    "psa_automatic_origin": "system",
    # SPEC §8: the article applied and the customer's validation, written by
    # the actions that own them (apply, the customer's answer, the timeout)
    "psa_article_id": "system",
    "psa_validation_state": "system",
    "psa_validation_sent": "system",
    "psa_validation_deadline": "system",
    "psa_validation_date": "system",
    "psa_validation_hours": "system",
    "psa_no_documentation": "system",
}


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    @api.model_create_multi
    def create(self, vals_list):
        # the fields the caller gives, before the steps add their own: in the
        # values or as default_* keys of the context
        given = set().union(*vals_list) if vals_list else set()
        given |= {
            key[len("default_") :]
            for key in self.env.context
            if key.startswith("default_")
        }
        # browse(): create may be called on records (copy does)
        self.browse()._psa_check_protected_write(given)
        # The steps below complete the values in place: on copies, so that
        # the caller's dicts stay as given. Odoo retries a request that hit
        # a serialization failure with the same arguments; completed values
        # would then carry system fields the caller may not write.
        vals_list = [dict(vals) for vals in vals_list]
        self._psa_prepare_company(vals_list)
        self._psa_prepare_installed_base(vals_list)
        self._psa_prepare_affected_module(vals_list)
        self._psa_prepare_entitlement(vals_list)
        self.env["psa.ticket.segment"]._psa_prepare_create(vals_list)
        tickets = super().create(vals_list)
        tickets._psa_check_derived_write(given)
        tickets._psa_check_resolution_on_create()
        tickets._psa_check_knowledge_create()
        tickets._psa_entitlement_after_create()
        tickets._psa_priority_after_create()
        tickets._psa_sla_after_create()
        return tickets

    def write(self, vals):
        given = set(vals)
        self._psa_check_protected_write(given)
        self._psa_check_company_write(vals)
        vals = self._psa_installed_base_vals(vals)
        vals = self._psa_priority_vals(vals)
        vals = self._psa_knowledge_vals(vals)
        self._psa_check_resolution_on_write(vals)
        self._psa_check_knowledge_write(vals)
        urgent_before = self._psa_priority_before_write(vals)
        sla_before = self._psa_sla_before_write(vals)
        Segment = self.env["psa.ticket.segment"]
        vals, history_before = Segment._psa_before_write(self, vals)
        res = super().write(vals)
        self._psa_check_derived_write(given)
        self._psa_sla_check_write(sla_before)
        self._psa_priority_after_write(urgent_before)
        self._psa_sla_after_write(sla_before)
        self._psa_fix_pending_follow_problems(vals)
        Segment._psa_after_write(self, history_before)
        return res

    def copy_data(self, default=None):
        """A copy is a new ticket: it never carries what the system sets
        (``FIELD_RIGHTS``: system); the pipeline sets them again."""
        system = [
            f for f, right in self._psa_protected_fields().items() if right == "system"
        ]
        vals_list = super().copy_data(default=default)
        default = default or {}
        for vals in vals_list:
            for fname in system:
                if fname not in default:
                    vals.pop(fname, None)
        return vals_list

    def _message_post_after_hook(self, message, msg_values):
        res = super()._message_post_after_hook(message, msg_values)
        self._psa_knowledge_on_message(message)
        self._psa_sla_on_message(message)
        return res

    # ------------------------------------------------------------------
    # Rights: who may read and write what
    # ------------------------------------------------------------------

    @api.model
    def check_field_access_rights(self, operation, field_names):
        """As Odoo's; the fields' groups answered once per specification
        when several fields are checked (``field_access_sweep``): about 70
        ticket fields are internal-only."""
        if field_names and len(field_names) == 1:
            return super().check_field_access_rights(operation, field_names)
        with field_access_sweep():
            return super().check_field_access_rights(operation, field_names)

    def _fetch_field(self, field):
        """As Odoo's; the groups of the fields prefetched with ``field`` (the
        ticket's row, about 70 of them internal-only) answered once per
        specification (``field_access_sweep``)."""
        with field_access_sweep():
            return super()._fetch_field(field)

    def fetch(self, field_names=None):
        """As Odoo's; the groups of the fields read (each column of the query
        is checked) answered once per specification
        (``field_access_sweep``)."""
        with field_access_sweep():
            return super().fetch(field_names)

    @api.model
    def _psa_protected_fields(self):
        """``{field: right}``: the ticket fields written under a rule
        (``FIELD_RIGHTS``), as far as this database has them."""
        return {
            fname: right
            for fname, right in FIELD_RIGHTS.items()
            if fname in self._fields
        }

    def _psa_check_protected_write(self, fnames):
        """Refuse, before anything changes, a write of a field of ``fnames``
        the user has no right to (``FIELD_RIGHTS``). Derived fields are
        checked after the update (``_psa_check_derived_write``).

        :raise AccessError: naming the field and who may change it"""
        if self.env.su:
            return
        protected = self._psa_protected_fields()
        for fname in sorted(set(fnames) & protected.keys()):
            right = protected[fname]
            if right == "derived" or self._psa_has_right(right):
                continue
            raise AccessError(
                self.env._(
                    "You may not change %(field)s of a ticket: %(who)s",
                    field=self._fields[fname].string,
                    who=self._psa_right_label(right),
                )
            )

    def _psa_has_right(self, right):
        """Whether the user has ``right`` (a value of ``FIELD_RIGHTS``) on
        every ticket of ``self``."""
        if self.env.su:
            return True
        if right == "manager":
            return self._psa_is_support_manager()
        if right == "supervisor":
            return self._psa_is_supervisor()
        if right == "initial":
            return not self  # creating: no ticket yet
        return False  # "system": the addon only, as superuser

    def _psa_right_label(self, right):
        return {
            "system": self.env._(
                "it is set by the system (from the installation, the contract, "
                "the SLA clocks or the scheduled actions), or by the action that "
                "records it."
            ),
            "manager": self.env._("only support managers may."),
            "initial": self.env._(
                "it is given when the ticket is created, then changed by the "
                "action that records the change (Escalate)."
            ),
            "supervisor": self.env._(
                "only support managers and the leader of the ticket's team may."
            ),
        }.get(right, "")

    def _psa_check_derived_write(self, fnames):
        """After the update, before any effect: the derived fields written in
        ``fnames`` hold the value their rule gives, or a value a support
        manager may choose.

        - ``contract_id``: the active contract of the customer covering the
          ticket's product (``psa.contract._find_covering``); a support
          manager may choose another active contract of the customer covering
          the product. Support without a covering contract is an exception
          (``psa.entitlement.exception.wizard``), never a contract.
        - ``priority`` (the OCA stars): follows P (``PRIORITY_TO_STAR``).

        :raise AccessError: a user chose a value only a manager may choose
        :raise ValidationError: the contract does not cover the ticket"""
        if self.env.su:
            return
        if "contract_id" in fnames:
            self._psa_check_contract_write()
        if "priority" in fnames:
            self._psa_check_star_write()

    def _psa_is_support_manager(self):
        return self.env.su or self.env.user.has_group("psa_helpdesk.group_psa_manager")

    def _psa_is_supervisor(self):
        """Support managers, and the leader of the team of every ticket of
        ``self``, may override priorities."""
        if self._psa_is_support_manager():
            return True
        return bool(self) and all(t.team_id.user_id == self.env.user for t in self)
