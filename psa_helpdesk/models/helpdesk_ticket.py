# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import defaultdict

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..const import (
    ENVIRONMENTS,
    PRIORITIES,
    PRIORITY_TO_STAR,
    REQUEST_TYPE_HELP,
    REQUEST_TYPES,
    SEVERITIES,
    SEVERITY_HELP,
    SUPPORT_LEVELS,
)
from ..tools.business_time import to_aware
from ..tools.cron import run_in_batches

_logger = logging.getLogger(__name__)

# Fields whose change may change psa_priority (see write()).
PRIORITY_INPUTS = {
    "severity",
    "contract_id",
    "partner_id",
    "installation_id",
    "psa_aging_priority",
    "psa_priority_override",
    "psa_entitlement_exception",
}
AGING_BATCH = 200


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # Filtered by customer in the backlog report and the duplicate search
    commercial_partner_id = fields.Many2one(index=True)
    installation_id = fields.Many2one(
        "psa.installation",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('partner_id', '=', commercial_partner_id)]",
        help="What the customer runs: product, version, environment, modules. "
        "Choosing it copies a snapshot of the environment onto the ticket.",
    )
    # Snapshot of the installation when the ticket was opened (or when the
    # installation was chosen). Plain stored fields, not computed: upgrading the
    # installation later must not rewrite what the ticket was about.
    psa_product_id = fields.Many2one(
        "psa.product", string="Product", readonly=True, index="btree_not_null"
    )
    psa_version_id = fields.Many2one(
        "psa.product.version",
        string="Version",
        readonly=True,
        index="btree_not_null",
    )
    psa_environment = fields.Selection(
        ENVIRONMENTS, string="Environment", readonly=True
    )
    psa_module_ids = fields.Many2many(
        "psa.product.module",
        "helpdesk_ticket_psa_module_rel",
        "ticket_id",
        "module_id",
        string="Modules",
        readonly=True,
        help="Modules the installation had when the ticket was opened.",
    )
    psa_customized_module_ids = fields.Many2many(
        "psa.product.module",
        "helpdesk_ticket_psa_custom_module_rel",
        "ticket_id",
        "module_id",
        string="Customised modules",
        readonly=True,
    )
    psa_customization_notes = fields.Text(string="Customisations", readonly=True)
    psa_snapshot_date = fields.Datetime(string="Environment as of", readonly=True)
    psa_version_support_state = fields.Selection(
        related="psa_version_id.support_state", string="Version support"
    )
    psa_installation_version_id = fields.Many2one(
        related="installation_id.version_id", string="Installation version now"
    )

    # Classification
    request_type = fields.Selection(
        REQUEST_TYPES, tracking=True, index=True, help=REQUEST_TYPE_HELP
    )
    severity = fields.Selection(
        SEVERITIES, default="3", required=True, tracking=True, help=SEVERITY_HELP
    )
    support_level = fields.Selection(
        SUPPORT_LEVELS,
        compute="_compute_support_level",
        store=True,
        readonly=False,
        tracking=True,
        index=True,
        help="L1 call centre, L2 analysts, L3 development. Changes through "
        "the Escalate action, which logs who, when and why.",
    )
    psa_escalation_ids = fields.One2many(
        "psa.ticket.escalation",
        "ticket_id",
        string="Escalations",
        groups="psa_helpdesk.group_psa_agent",
    )
    psa_account_leader_id = fields.Many2one(
        "res.users",
        string="Account leader",
        index="btree_not_null",
        tracking=True,
        help="Account leader of the customer when the ticket was opened. "
        "Follows the ticket and is its assignee when it arrived without one.",
    )

    # Entitlement
    contract_id = fields.Many2one(
        "psa.contract",
        compute="_compute_contract_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('partner_id', '=', commercial_partner_id), ('state', '=', 'active')]",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
        help="Active contract of the customer covering the ticket's product.",
    )
    psa_service_tier_id = fields.Many2one(
        related="contract_id.service_tier_id", store=True, string="Service tier"
    )
    psa_entitlement_exception = fields.Boolean(
        string="Entitlement exception",
        readonly=True,
        copy=False,
        tracking=True,
        help="A support manager granted support without a covering contract.",
    )
    psa_entitlement_reason = fields.Text(
        string="Exception reason", readonly=True, copy=False
    )
    psa_entitlement_user_id = fields.Many2one(
        "res.users", string="Exception granted by", readonly=True, copy=False
    )
    psa_entitled = fields.Boolean(
        string="Entitled",
        compute="_compute_psa_entitled",
        store=True,
        index=True,
        help="The customer has an active contract covering the product, or a "
        "manager granted an exception.",
    )
    psa_sla_applies = fields.Boolean(
        string="SLA applies",
        compute="_compute_psa_entitled",
        store=True,
        help="SLA clocks run only for entitled tickets.",
    )

    # Priority
    psa_matrix_priority = fields.Selection(
        PRIORITIES,
        string="Priority by matrix",
        compute="_compute_psa_matrix_priority",
        store=True,
        help="Severity × service tier, from the tier's priority matrix.",
    )
    psa_aging_priority = fields.Selection(
        PRIORITIES,
        string="Priority by aging",
        readonly=True,
        copy=False,
        help="Raised by the aging rules while the ticket stays open "
        "(scheduled action).",
    )
    psa_priority_override = fields.Selection(
        PRIORITIES,
        string="Priority override",
        tracking=True,
        copy=False,
        help="Set by a supervisor (support manager or the team leader); wins "
        "over the derived priority until cleared.",
    )
    psa_priority_override_reason = fields.Char(
        string="Override reason", tracking=True, copy=False
    )
    psa_priority = fields.Selection(
        PRIORITIES,
        string="P",
        compute="_compute_psa_priority",
        store=True,
        index=True,
        tracking=True,
        help="Derived from severity and the contract's service tier, raised by "
        "aging rules, unless a supervisor overrode it.",
    )
    priority = fields.Selection(
        compute="_compute_priority", store=True, readonly=False, default=None
    )
    psa_can_override_priority = fields.Boolean(
        compute="_compute_psa_can_override_priority"
    )

    @api.depends("team_id")
    def _compute_support_level(self):
        for ticket in self:
            if ticket.team_id.support_level:
                ticket.support_level = ticket.team_id.support_level
            elif not ticket.support_level:
                ticket.support_level = "1"

    @api.depends("commercial_partner_id", "psa_product_id")
    def _compute_contract_id(self):
        contracts = self.env["psa.contract"]._find_covering(
            (t.commercial_partner_id.id, t.psa_product_id.id) for t in self
        )
        for ticket in self:
            ticket.contract_id = contracts.get(
                (ticket.commercial_partner_id.id, ticket.psa_product_id.id), False
            )

    @api.depends("contract_id", "psa_entitlement_exception")
    def _compute_psa_entitled(self):
        for ticket in self:
            entitled = bool(ticket.contract_id or ticket.psa_entitlement_exception)
            ticket.psa_entitled = entitled
            ticket.psa_sla_applies = entitled

    @api.depends(
        "severity",
        "contract_id.service_tier_id.matrix_ids.severity",
        "contract_id.service_tier_id.matrix_ids.priority",
    )
    def _compute_psa_matrix_priority(self):
        for ticket in self:
            ticket.psa_matrix_priority = (
                ticket.contract_id.service_tier_id._priority_for(ticket.severity)
                if ticket.severity
                else False
            )

    @api.depends("psa_matrix_priority", "psa_aging_priority", "psa_priority_override")
    def _compute_psa_priority(self):
        for ticket in self:
            if ticket.psa_priority_override:
                ticket.psa_priority = ticket.psa_priority_override
            else:
                candidates = [
                    p
                    for p in (ticket.psa_matrix_priority, ticket.psa_aging_priority)
                    if p
                ]
                ticket.psa_priority = min(candidates) if candidates else False

    @api.depends("psa_priority")
    def _compute_priority(self):
        for ticket in self:
            if ticket.psa_priority:
                ticket.priority = PRIORITY_TO_STAR[ticket.psa_priority]
            elif not ticket.priority:
                ticket.priority = "1"

    @api.depends_context("uid")
    @api.depends("team_id")
    def _compute_psa_can_override_priority(self):
        for ticket in self:
            ticket.psa_can_override_priority = ticket._psa_is_supervisor()

    @api.constrains("installation_id", "partner_id", "company_id")
    def _check_installation_customer(self):
        for ticket in self.filtered("installation_id"):
            customer = ticket.partner_id.commercial_partner_id
            if ticket.installation_id.partner_id != customer:
                raise ValidationError(
                    self.env._(
                        "Installation %(installation)s belongs to %(owner)s, not "
                        "to the ticket's customer %(customer)s.",
                        installation=ticket.installation_id.display_name,
                        owner=ticket.installation_id.partner_id.display_name,
                        customer=customer.display_name or self.env._("(no customer)"),
                    )
                )

    @api.constrains("contract_id", "commercial_partner_id")
    def _check_contract_customer(self):
        for ticket in self.filtered("contract_id"):
            if ticket.contract_id.partner_id != ticket.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s belongs to %(owner)s, not to the "
                        "ticket's customer.",
                        contract=ticket.contract_id.display_name,
                        owner=ticket.contract_id.partner_id.display_name,
                    )
                )

    @api.constrains("psa_priority_override", "psa_priority_override_reason")
    def _check_priority_override_reason(self):
        for ticket in self:
            if (
                ticket.psa_priority_override
                and not (ticket.psa_priority_override_reason or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "Overriding the priority of %(ticket)s needs a reason.",
                        ticket=ticket.display_name,
                    )
                )

    @api.constrains("request_type", "stage_id")
    def _check_incident_not_in_backlog(self):
        for ticket in self:
            if ticket.request_type == "incident" and ticket.stage_id.psa_backlog:
                raise ValidationError(
                    self.env._(
                        "%(ticket)s is an incident: it cannot wait in the backlog "
                        "stage %(stage)s.",
                        ticket=ticket.display_name,
                        stage=ticket.stage_id.display_name,
                    )
                )

    @api.onchange("partner_id")
    def _onchange_partner_installation(self):
        customer = self.partner_id.commercial_partner_id
        if self.installation_id.partner_id != customer:
            self.installation_id = False
        if customer and not self.installation_id:
            self.installation_id = self._psa_default_installations(customer).get(
                customer.id, False
            )
        self._onchange_installation_snapshot()

    @api.onchange("installation_id")
    def _onchange_installation_snapshot(self):
        """Show the environment as soon as the installation is chosen; the
        snapshot itself is taken on save (create/write), from the database."""
        installation = self.installation_id
        self.psa_product_id = installation.product_id
        self.psa_version_id = installation.version_id
        self.psa_environment = installation.environment
        self.psa_module_ids = installation.module_ids
        self.psa_customized_module_ids = installation.customized_module_ids

    @api.model
    def _psa_default_installations(self, customers):
        """The installation to preselect per customer id: the only active one,
        else the only production one. One query for all ``customers``."""
        groups = self.env["psa.installation"]._read_group(
            [("partner_id", "in", customers.ids)],
            ["partner_id", "environment"],
            ["id:array_agg"],
        )
        by_customer = {}
        for partner, environment, ids in groups:
            by_customer.setdefault(partner.id, []).append((environment, ids))
        result = {}
        for customer_id, rows in by_customer.items():
            all_ids = [i for _env, ids in rows for i in ids]
            production = [i for env, ids in rows if env == "production" for i in ids]
            if len(all_ids) == 1:
                result[customer_id] = all_ids[0]
            elif len(production) == 1:
                result[customer_id] = production[0]
        return result

    @api.model
    def _psa_snapshot_values(self, installation):
        """Values that freeze the installation's environment on a ticket."""
        if not installation:
            return {
                "psa_product_id": False,
                "psa_version_id": False,
                "psa_environment": False,
                "psa_module_ids": [fields.Command.clear()],
                "psa_customized_module_ids": [fields.Command.clear()],
                "psa_customization_notes": False,
                "psa_snapshot_date": False,
            }
        notes = "\n".join(
            f"{line.module_id.name}: {line.name}"
            + (f" — {line.notes}" if line.notes else "")
            for line in installation.customization_ids
        )
        return {
            "psa_product_id": installation.product_id.id,
            "psa_version_id": installation.version_id.id,
            "psa_environment": installation.environment,
            "psa_module_ids": [fields.Command.set(installation.module_ids.ids)],
            "psa_customized_module_ids": [
                fields.Command.set(installation.customized_module_ids.ids)
            ],
            "psa_customization_notes": notes or False,
            "psa_snapshot_date": fields.Datetime.now(),
        }

    @api.model_create_multi
    def create(self, vals_list):
        Partner = self.env["res.partner"]
        needs_default = [
            vals
            for vals in vals_list
            if vals.get("partner_id") and "installation_id" not in vals
        ]
        if needs_default:
            partners = Partner.browse({v["partner_id"] for v in needs_default})
            defaults = self._psa_default_installations(partners.commercial_partner_id)
            for vals in needs_default:
                customer = Partner.browse(vals["partner_id"]).commercial_partner_id
                if customer.id in defaults:
                    vals["installation_id"] = defaults[customer.id]
        Installation = self.env["psa.installation"]
        for vals in vals_list:
            if vals.get("installation_id"):
                vals.update(
                    self._psa_snapshot_values(
                        Installation.browse(vals["installation_id"])
                    )
                )
        if any(k in vals for vals in vals_list for k in self._psa_protected_fields()):
            self._psa_check_protected_write(set().union(*vals_list))
        self._psa_prepare_entitlement(vals_list)
        tickets = super().create(vals_list)
        tickets._psa_after_create()
        return tickets

    def write(self, vals):
        self._psa_check_protected_write(vals)
        if "installation_id" in vals:
            vals = dict(
                vals,
                **self._psa_snapshot_values(
                    self.env["psa.installation"].browse(vals["installation_id"])
                ),
            )
        if "psa_priority_override" in vals and not vals["psa_priority_override"]:
            vals = dict(vals, psa_priority_override_reason=False)
        watch_priority = bool(PRIORITY_INPUTS & set(vals))
        before = {t.id: t._psa_is_urgent() for t in self} if watch_priority else {}
        res = super().write(vals)
        if watch_priority:
            self.filtered(
                lambda t: t._psa_is_urgent() and not before.get(t.id)
            )._psa_alert_p1()
        return res

    # ------------------------------------------------------------------
    # Entitlement and routing
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

    @api.model
    def _psa_prepare_entitlement(self, vals_list):
        """Decide, before creating the tickets, their contract, their account
        leader, and route the tickets no contract covers to the commercial
        team. Whatever the channel: form, mail gateway, portal, RPC."""
        Partner = self.env["res.partner"]
        customers = {
            i: Partner.browse(vals["partner_id"]).commercial_partner_id
            for i, vals in enumerate(vals_list)
            if vals.get("partner_id")
        }
        contracts = self.env["psa.contract"]._find_covering(
            (customers[i].id, vals.get("psa_product_id") or False)
            for i, vals in enumerate(vals_list)
            if i in customers and "contract_id" not in vals
        )
        for i, vals in enumerate(vals_list):
            customer = customers.get(i, Partner)
            if "contract_id" not in vals:
                contract = contracts.get(
                    (customer.id, vals.get("psa_product_id") or False)
                )
                vals["contract_id"] = contract.id if contract else False
            leader = customer.psa_account_leader_id
            if leader and "psa_account_leader_id" not in vals:
                vals["psa_account_leader_id"] = leader.id
                if not vals.get("user_id"):
                    vals["user_id"] = leader.id
            if vals["contract_id"] or vals.get("psa_entitlement_exception"):
                continue
            company = self.env["res.company"].browse(
                vals.get("company_id") or self.env.company.id
            )
            team = company.psa_commercial_team_id
            if team and vals.get("team_id") != team.id:
                vals["team_id"] = team.id

    def _psa_after_create(self):
        for ticket in self.filtered("psa_account_leader_id"):
            ticket.message_subscribe(
                partner_ids=ticket.psa_account_leader_id.partner_id.ids
            )
        not_entitled = self.filtered(lambda t: not t.psa_entitled)
        not_entitled._psa_notify_not_entitled()
        self.filtered(lambda t: t._psa_is_urgent())._psa_alert_p1()

    def _psa_notify_not_entitled(self):
        template = self.env.ref(
            "psa_helpdesk.mail_template_psa_not_entitled", raise_if_not_found=False
        )
        for ticket in self:
            ticket.message_post(
                body=self.env._(
                    "No active contract of %(customer)s covers %(product)s: the "
                    "ticket is not entitled to support, is kept out of the SLA "
                    "clocks and was routed to %(team)s.",
                    customer=ticket.commercial_partner_id.display_name
                    or self.env._("(no customer)"),
                    product=ticket.psa_product_id.display_name
                    or self.env._("its product"),
                    team=ticket.team_id.display_name or self.env._("(no team)"),
                ),
                subtype_xmlid="mail.mt_note",
            )
            if template and ticket.partner_id:
                ticket.message_post_with_source(
                    template,
                    subtype_xmlid="mail.mt_comment",
                    message_type="comment",
                )

    def _psa_is_urgent(self):
        """P1 and entitled: the case that alerts people at once. A ticket no
        contract covers goes to the commercial team, not to the alarm."""
        self.ensure_one()
        return self.psa_priority == "1" and self.psa_entitled

    def _psa_alert_p1(self):
        """A ticket has just become P1: the team leader and the support
        managers get an activity and a notification at once."""
        if not self:
            return
        managers = (
            self.env.ref("psa_helpdesk.group_psa_manager")
            .sudo()  # sudo: list the managers to alert, whoever raised the P1
            .users.filtered(lambda u: u.active and not u.share and u.id != SUPERUSER_ID)
        )
        for ticket in self:
            users = (ticket.team_id.user_id | managers).filtered(
                lambda u, t=ticket: (
                    t.company_id in u.company_ids and t.with_user(u).has_access("read")
                )
            )
            if not users:
                continue
            summary = self.env._("P1: %(ticket)s", ticket=ticket.display_name)
            note = self.env._(
                "%(customer)s — severity %(severity)s. Immediate attention.",
                customer=ticket.commercial_partner_id.display_name or "-",
                severity=ticket.severity,
            )
            for user in users:
                ticket.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=user.id,
                    summary=summary,
                    note=note,
                )
            ticket.message_post(
                body=self.env._(
                    "Priority P1: %(users)s alerted.",
                    users=", ".join(users.mapped("name")),
                ),
                partner_ids=users.partner_id.ids,
                subtype_xmlid="mail.mt_note",
                message_type="comment",
            )

    # ------------------------------------------------------------------
    # Priority aging
    # ------------------------------------------------------------------

    def _psa_aging_calendar(self):
        self.ensure_one()
        contract = self.contract_id
        return (
            contract.resource_calendar_id
            or contract.sla_policy_id.resource_calendar_id
            or self.company_id.resource_calendar_id
        )

    @api.model
    def _psa_business_hours_since(self, calendar, starts, now):
        """Business hours of ``calendar`` from each datetime of ``starts`` (naive
        UTC) to ``now``, with the SLA engine's business-time arithmetic: one
        fetch of working time for the whole batch. Without calendar, 24×7."""
        if not starts:
            return []
        cache = self.env["psa.ticket.sla"]._business_time_cache()
        end = to_aware(now)
        cache.prepare(calendar or False, to_aware(min(starts)), end)
        return [
            max(cache.elapsed(calendar or False, to_aware(start), end), 0.0)
            for start in starts
        ]

    def _psa_update_aging(self, now=None):
        """Recompute the aging priority of ``self`` (open tickets) against the
        active aging rules, in one pass per calendar."""
        now = now or fields.Datetime.now()
        rules = self.env["psa.priority.aging.rule"].search([])
        by_calendar = defaultdict(lambda: self.browse())
        for ticket in self:
            by_calendar[ticket._psa_aging_calendar()] |= ticket
        new_values = defaultdict(lambda: self.browse())
        for calendar, tickets in by_calendar.items():
            hours = self._psa_business_hours_since(
                calendar, [t.create_date for t in tickets], now
            )
            for ticket, hours_open in zip(tickets, hours, strict=True):
                base = ticket.psa_matrix_priority
                aged = False
                if base and not ticket.closed:
                    raised = rules._aged_priority(
                        rules.filtered(
                            lambda r, t=ticket: r.company_id == t.company_id
                        ),
                        base,
                        ticket.psa_service_tier_id,
                        hours_open,
                    )
                    aged = raised if raised != base else False
                if aged != ticket.psa_aging_priority:
                    new_values[aged] |= ticket
        for value, tickets in new_values.items():
            tickets.write({"psa_aging_priority": value})
        return True

    @api.model
    def _cron_psa_priority_aging(self, batch_size=AGING_BATCH):
        """Scheduled action: raise the priority of tickets open too long.
        A ticket that fails is logged and skipped, not its batch."""
        run_in_batches(
            self.search([("stage_id.closed", "=", False)]),
            lambda batch: batch._psa_update_aging(),
            batch_size=batch_size,
            what="Priority aging",
        )
        return True

    def action_refresh_environment(self):
        """Take a new snapshot of the installation (e.g. after the customer was
        upgraded while the ticket was open). Logged in the chatter."""
        for ticket in self.filtered("installation_id"):
            old = ticket.psa_version_id.display_name
            ticket.write({"installation_id": ticket.installation_id.id})
            ticket.message_post(
                body=self.env._(
                    "Environment refreshed from the installation: version "
                    "%(old)s → %(new)s.",
                    old=old or "-",
                    new=ticket.psa_version_id.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True
