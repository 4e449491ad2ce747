# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from ..const import CONTRACT_STATES


class PsaContract(models.Model):
    """Maintenance contract of a customer company: which products are covered,
    from when to when, with which service tier, SLA policy and penalties.

    The state is derived: cancelled when cancelled, draft until confirmed or
    until its start date, expired after its end date, active in between. A
    daily scheduled action keeps the stored state in step with the calendar;
    entitlement itself never relies on it and reads the dates."""

    _name = "psa.contract"
    _description = "Support contract"
    _inherit = ["mail.thread", "mail.activity.mixin", "psa.system.fields.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id.name"]
    # the state is derived; confirmed and cancelled change only through
    # action_confirm, action_cancel and action_reset_draft
    _psa_system_fields = ("state", "confirmed", "cancelled")

    name = fields.Char(
        required=True, tracking=True, index="trigram", default=lambda s: s.env._("New")
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('is_company', '=', True)]",
    )
    date_start = fields.Date(
        string="Start", required=True, tracking=True, default=fields.Date.context_today
    )
    date_end = fields.Date(
        string="End", tracking=True, help="Empty: the contract does not expire."
    )
    confirmed = fields.Boolean(
        readonly=True,
        copy=False,
        tracking=True,
        help="Signed by both parties. Draft contracts entitle nobody.",
    )
    cancelled = fields.Boolean(readonly=True, copy=False, tracking=True)
    state = fields.Selection(
        CONTRACT_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
    )
    product_ids = fields.Many2many(
        "psa.product",
        "psa_contract_product_rel",
        "contract_id",
        "product_id",
        string="Covered products",
        check_company=True,
    )
    service_tier_id = fields.Many2one(
        "psa.service.tier",
        string="Service tier",
        required=True,
        tracking=True,
        check_company=True,
    )
    sla_policy_id = fields.Many2one(
        "psa.sla.policy",
        string="SLA policy",
        tracking=True,
        check_company=True,
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Support calendar",
        tracking=True,
        check_company=True,
        help="Business hours of the support promised. Empty: the calendar of "
        "the SLA policy, else the company's.",
    )
    allow_overlap = fields.Boolean(
        string="May overlap",
        help="Allow this contract to cover a product that another active "
        "contract of the same customer covers in the same period.",
    )
    notes = fields.Html()
    # Penalty terms: money, for support managers only.
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        groups="psa_helpdesk.group_psa_manager",
        help="Currency of the penalties. By default the currency of the "
        "contract's company (not of the user's current company).",
    )
    penalty_per_breach = fields.Monetary(
        string="Penalty per breach",
        currency_field="currency_id",
        groups="psa_helpdesk.group_psa_manager",
        tracking=True,
        help="Amount owed to the customer each time an SLA target is missed.",
    )
    penalty_per_hour = fields.Monetary(
        string="Penalty per hour late",
        currency_field="currency_id",
        groups="psa_helpdesk.group_psa_manager",
        tracking=True,
        help="Amount owed per business hour beyond an SLA target.",
    )
    ticket_ids = fields.One2many("helpdesk.ticket", "contract_id", string="Tickets")
    ticket_count = fields.Integer(compute="_compute_ticket_count")

    @api.depends("company_id")
    def _compute_currency_id(self):
        for contract in self:
            if not contract.currency_id:
                contract.currency_id = contract.company_id.currency_id

    def copy_data(self, default=None):
        """A copy into another company (``company_id`` of ``default``) owes
        its penalties in that company's currency, unless ``default`` gives
        one or the contract's currency is not its company's."""
        default = dict(default or {})
        vals_list = super().copy_data(default)
        if default.get("company_id") and "currency_id" not in default:
            company = self.env["res.company"].browse(default["company_id"])
            # sudo: the currency is a manager field; the copy keeps its rule
            for contract, vals in zip(self.sudo(), vals_list, strict=True):
                if contract.currency_id == contract.company_id.currency_id:
                    vals["currency_id"] = company.currency_id.id
        return vals_list

    @api.depends("date_start", "date_end", "confirmed", "cancelled")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for contract in self:
            contract.state = contract._state_on(today)

    def _state_on(self, day):
        self.ensure_one()
        if self.cancelled:
            return "cancelled"
        if self.date_end and self.date_end < day:
            return "expired"
        if not self.confirmed or (self.date_start and self.date_start > day):
            return "draft"
        return "active"

    def _compute_ticket_count(self):
        counts = dict(
            self.env["helpdesk.ticket"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.ticket_count = counts.get(contract, 0)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_end and contract.date_end < contract.date_start:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s ends (%(end)s) before it starts "
                        "(%(start)s).",
                        contract=contract.display_name,
                        end=contract.date_end,
                        start=contract.date_start,
                    )
                )

    @api.constrains(
        "partner_id",
        "product_ids",
        "date_start",
        "date_end",
        "confirmed",
        "cancelled",
        "allow_overlap",
    )
    def _check_overlap(self):
        for contract in self.filtered(lambda c: c.confirmed and not c.cancelled):
            domain = [
                ("id", "!=", contract.id),
                ("partner_id", "=", contract.partner_id.id),
                ("company_id", "=", contract.company_id.id),
                ("confirmed", "=", True),
                ("cancelled", "=", False),
                ("product_ids", "in", contract.product_ids.ids),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", contract.date_start),
            ]
            if contract.date_end:
                domain.append(("date_start", "<=", contract.date_end))
            if contract.allow_overlap:
                continue
            domain.append(("allow_overlap", "=", False))
            # sudo: the check must see every contract of the customer, also
            # those of other companies' rules; it only reads names.
            others = self.sudo().search(domain, limit=1)
            if others:
                common = contract.product_ids & others.product_ids
                raise ValidationError(
                    self.env._(
                        "%(contract)s overlaps %(other)s for %(products)s. Change "
                        "the dates or tick 'May overlap' on one of them.",
                        contract=contract.display_name,
                        other=others.display_name,
                        products=", ".join(common.mapped("display_name")),
                    )
                )

    @api.constrains("penalty_per_breach", "penalty_per_hour")
    def _check_penalties(self):
        for contract in self:
            if contract.penalty_per_breach < 0 or contract.penalty_per_hour < 0:
                raise ValidationError(
                    self.env._(
                        "Penalties of %(contract)s cannot be negative.",
                        contract=contract.display_name,
                    )
                )

    @api.constrains("product_ids", "confirmed")
    def _check_products(self):
        for contract in self:
            if contract.confirmed and not contract.product_ids:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s covers no product: list the "
                        "products before confirming it.",
                        contract=contract.display_name,
                    )
                )

    def action_confirm(self):
        self.check_access("write")
        if self.filtered("cancelled"):
            raise UserError(self.env._("A cancelled contract cannot be confirmed."))
        self._psa_write_status({"confirmed": True})
        return True

    def action_cancel(self):
        self.check_access("write")
        self._psa_write_status({"cancelled": True})
        return True

    def action_reset_draft(self):
        self.check_access("write")
        self._psa_write_status({"confirmed": False, "cancelled": False})
        return True

    def _psa_write_status(self, vals):
        # sudo: confirmed and cancelled are written by these actions only
        # (psa.system.fields.mixin), after their access check; the tracking
        # still names the user.
        self.sudo().write(vals)

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    @api.model
    def _active_domain(self, day=None):
        """Contracts in force on ``day`` (default: today)."""
        day = day or fields.Date.context_today(self)
        return [
            ("confirmed", "=", True),
            ("cancelled", "=", False),
            ("date_start", "<=", day),
            "|",
            ("date_end", "=", False),
            ("date_end", ">=", day),
        ]

    @api.model
    def _find_covering(self, keys, day=None):
        """The active contract for each (customer, product, company) key, in
        one query.

        ``keys`` is an iterable of (commercial partner id, product id or
        False, company id): a contract covers a ticket of its own company
        only (a customer shared by companies may have contracts in several:
        SPEC §7). Without a product (ticket without installation) no contract
        covers: a contract covers products, and a customer with several
        installations would look covered for a product no contract covers
        (SPEC §2); ``_customers_under_contract`` tells such tickets apart from
        those of customers without contract. Returns {key: contract}."""
        keys = {k for k in keys if k[0] and k[1]}
        if not keys:
            return {}
        domain = expression.AND(
            [
                self._active_domain(day),
                [
                    ("partner_id", "in", list({k[0] for k in keys})),
                    ("company_id", "in", list({k[2] for k in keys})),
                ],
            ]
        )
        # sudo: entitlement is decided by the system for whoever creates the
        # ticket (portal users, mail gateway); only ids of the ticket's own
        # customer and company are searched and the result is a link on the
        # ticket.
        contracts = self.sudo().search(domain, order="date_start desc, id desc")
        # per (customer, company): the products each contract covers, in the
        # search order (the latest start first)
        by_customer = defaultdict(list)
        for contract in contracts:
            by_customer[contract.partner_id.id, contract.company_id.id].append(
                (set(contract.product_ids.ids), contract)
            )
        result = {}
        for partner_id, product_id, company_id in keys:
            for products, contract in by_customer.get((partner_id, company_id), ()):
                if product_id in products:
                    result[(partner_id, product_id, company_id)] = contract.sudo(False)
                    break
        return result

    @api.model
    def _customers_under_contract(self, keys, day=None):
        """The ``(commercial partner id, company id)`` pairs of ``keys`` with
        an active contract of that customer in that company on ``day``, in
        one query; a set."""
        keys = {k for k in keys if k[0]}
        if not keys:
            return set()
        # sudo: as in _find_covering, decided by the system for whoever
        # creates the ticket; only the customer and company ids are returned
        groups = self.sudo()._read_group(
            expression.AND(
                [
                    self._active_domain(day),
                    [
                        ("partner_id", "in", list({k[0] for k in keys})),
                        ("company_id", "in", list({k[1] for k in keys})),
                    ],
                ]
            ),
            ["partner_id", "company_id"],
        )
        return {(partner.id, company.id) for partner, company in groups} & keys

    def _psa_covers(self, customer, product, company):
        """Whether this contract, today, covers ``product`` for ``customer``
        (a commercial partner) in ``company`` (the ticket's)."""
        self.ensure_one()
        # sudo: the state and products of the ticket's own contract
        contract = self.sudo()
        return bool(
            product
            and contract.filtered_domain(self._active_domain())
            and contract.partner_id == customer
            and contract.company_id == company
            and product in contract.product_ids
        )

    @api.model
    def _cron_update_state(self):
        """Move contracts whose start or end date has passed to their new state
        (the stored state is computed from the dates, which do not change)."""
        today = fields.Date.context_today(self)
        stale = self.search(
            [
                "|",
                "&",
                ("state", "=", "draft"),
                "&",
                ("confirmed", "=", True),
                ("date_start", "<=", today),
                "&",
                ("state", "=", "active"),
                ("date_end", "<", today),
            ]
        )
        self.env.add_to_compute(self._fields["state"], stale)
        stale._recompute_recordset(["state"])
        return True
