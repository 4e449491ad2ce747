# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Entitlement on the ticket (SPEC §2): the contract covering it, the account
leader, the routing of tickets no contract covers, and the exception a
support manager may grant.

Pipeline steps (called by ``helpdesk_ticket.py``, nowhere else):
``_psa_prepare_entitlement`` (create, before the insert) and
``_psa_entitlement_after_create``."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    psa_account_leader_id = fields.Many2one(
        "res.users",
        string="Account leader",
        index="btree_not_null",
        tracking=True,
        help="Account leader of the customer when the ticket was opened. "
        "Follows the ticket and is its assignee when it arrived without one.",
        groups="base.group_user",
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
        related="contract_id.service_tier_id",
        store=True,
        string="Service tier",
        groups="base.group_user",
    )

    psa_entitlement_exception = fields.Boolean(
        string="Entitlement exception",
        readonly=True,
        copy=False,
        tracking=True,
        help="A support manager granted support without a covering contract.",
        groups="base.group_user",
    )

    psa_entitlement_reason = fields.Text(
        string="Exception reason",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )

    psa_entitlement_user_id = fields.Many2one(
        "res.users",
        string="Exception granted by",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )

    psa_entitled = fields.Boolean(
        string="Entitled",
        compute="_compute_psa_entitled",
        store=True,
        index=True,
        help="The customer has an active contract covering the product, or a "
        "manager granted an exception.",
        groups="base.group_user",
    )

    psa_sla_applies = fields.Boolean(
        string="SLA applies",
        compute="_compute_psa_entitled",
        store=True,
        help="SLA clocks run only for entitled tickets.",
        groups="base.group_user",
    )
    psa_entitlement_pending = fields.Boolean(
        groups="base.group_user",
        string="Entitlement pending",
        compute="_compute_psa_entitlement_pending",
        store=True,
        help="The customer has an active contract, but the ticket's product is "
        "not known yet: choose the installation. Until then the ticket is not "
        "entitled and no SLA clock runs; once a contract covers it, its clocks "
        "count from the ticket's creation.",
    )
    psa_can_choose_contract = fields.Boolean(
        compute="_compute_psa_can_choose_contract", groups="base.group_user"
    )

    @api.depends("commercial_partner_id", "psa_product_id", "company_id")
    def _compute_contract_id(self):
        contracts = self.env["psa.contract"]._find_covering(
            t._psa_contract_key() for t in self
        )
        for ticket in self:
            ticket.contract_id = contracts.get(ticket._psa_contract_key(), False)

    def _psa_contract_key(self):
        """The key a covering contract is looked up with
        (``psa.contract._find_covering``): (customer id, product id, company
        id)."""
        self.ensure_one()
        return (
            self.commercial_partner_id.id,
            self.psa_product_id.id,
            self.company_id.id,
        )

    @api.depends("contract_id", "psa_entitlement_exception")
    def _compute_psa_entitled(self):
        for ticket in self:
            entitled = bool(ticket.contract_id or ticket.psa_entitlement_exception)
            ticket.psa_entitled = entitled
            ticket.psa_sla_applies = entitled

    @api.depends(
        "psa_entitled", "psa_product_id", "commercial_partner_id", "company_id"
    )
    def _compute_psa_entitlement_pending(self):
        candidates = self.filtered(
            lambda t: (
                not t.psa_entitled and not t.psa_product_id and t.commercial_partner_id
            )
        )
        under_contract = self.env["psa.contract"]._customers_under_contract(
            (t.commercial_partner_id.id, t.company_id.id) for t in candidates
        )
        for ticket in self:
            ticket.psa_entitlement_pending = (
                ticket in candidates
                and (ticket.commercial_partner_id.id, ticket.company_id.id)
                in under_contract
            )

    @api.depends_context("uid")
    def _compute_psa_can_choose_contract(self):
        manager = self._psa_is_support_manager()
        for ticket in self:
            ticket.psa_can_choose_contract = manager

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

    # ------------------------------------------------------------------
    # Pipeline steps
    # ------------------------------------------------------------------

    @api.model
    def _psa_prepare_entitlement(self, vals_list):
        """Decide, before creating the tickets, their contract, their account
        leader, and route the tickets no contract covers to the commercial
        team. Whatever the channel: form, mail gateway, portal, RPC.

        Routing (SPEC §2) only gives a team nobody chose: it happens only
        when the ticket's company has a commercial team, and never replaces
        the team the caller gave (``team_id`` of the values or
        ``default_team_id`` of the context: an agent's choice, a team the
        customer picked in the portal, another addon's create), so that the
        team's own settings (its project, its stages) still apply. The team
        of the mail alias an email was sent to is the channel's, not a
        choice (``psa_alias_team_id`` of the context, set by
        ``message_new``): routed.

        Everything is read in the ticket's company (``company_id`` of the
        values, set by ``_psa_prepare_company``), never the user's: the
        contracts of the customer in that company, and that company's
        commercial team (SPEC §7)."""
        # one recordset for the batch: the contacts and their customers are
        # read once, not per ticket
        Partner = self.env["res.partner"]
        contacts = {
            contact.id: contact
            for contact in Partner.browse(
                {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
            )
        }
        customers = {
            i: contacts[vals["partner_id"]].commercial_partner_id
            for i, vals in enumerate(vals_list)
            if vals.get("partner_id")
        }

        def company_id(vals):
            return vals.get("company_id") or self.env.company.id

        Contract = self.env["psa.contract"]
        contracts = Contract._find_covering(
            (customers[i].id, vals.get("psa_product_id") or False, company_id(vals))
            for i, vals in enumerate(vals_list)
            if i in customers and "contract_id" not in vals
        )
        # without a product, a customer under contract waits for it (not
        # routed, not answered as without contract): SPEC §2
        under_contract = Contract._customers_under_contract(
            [
                (customers[i].id, company_id(vals))
                for i, vals in enumerate(vals_list)
                if i in customers and not vals.get("psa_product_id")
            ]
        )
        for i, vals in enumerate(vals_list):
            customer = customers.get(i, Partner)
            if "contract_id" not in vals:
                contract = contracts.get(
                    (customer.id, vals.get("psa_product_id") or False, company_id(vals))
                )
                vals["contract_id"] = contract.id if contract else False
            leader = customer.psa_account_leader_id
            # a customer shared by companies: its account leader leads the
            # tickets of the companies the leader works in only
            # (sudo: a user's companies are configuration)
            if leader and company_id(vals) not in leader.sudo().company_ids.ids:
                leader = leader.browse()
            if leader and "psa_account_leader_id" not in vals:
                vals["psa_account_leader_id"] = leader.id
                if not vals.get("user_id"):
                    vals["user_id"] = leader.id
            if vals["contract_id"] or vals.get("psa_entitlement_exception"):
                continue
            if (
                not vals.get("psa_product_id")
                and (customer.id, company_id(vals)) in under_contract
            ):
                continue
            if not customer and self._psa_awaits_customer():
                continue
            if not self._psa_team_routable(vals):
                continue
            company = self.env["res.company"].browse(company_id(vals))
            team = company.psa_commercial_team_id
            # routing never moves a ticket to another company (helpdesk_mgmt
            # gives the ticket its team's company): a commercial team of
            # another company is ignored (sudo: a team's company)
            if team.sudo().company_id not in (company, company.browse()):
                team = team.browse()
            if team and vals.get("team_id") != team.id:
                vals["team_id"] = team.id

    @api.model
    def _psa_team_routable(self, vals):
        """Whether routing may give the ticket created from ``vals`` (a dict
        of create values) the commercial team: no team was chosen, neither
        in ``vals`` nor as ``default_team_id`` of the context, or the team
        is the one of the mail alias (``psa_alias_team_id`` of the
        context)."""
        context = self.env.context
        team_id = vals.get("team_id", context.get("default_team_id"))
        return not team_id or team_id == context.get("psa_alias_team_id")

    def _psa_entitlement_after_create(self):
        """Create step, once the tickets exist: the account leader follows the
        ticket; a ticket no contract covers gets its note and the polite
        answer to the customer (none to an automatic email)."""
        for ticket in self.filtered("psa_account_leader_id"):
            ticket.message_subscribe(
                partner_ids=ticket.psa_account_leader_id.partner_id.ids
            )
        not_entitled = self.filtered(lambda t: not t.psa_entitled)
        pending = not_entitled.filtered("psa_entitlement_pending")
        pending._psa_notify_entitlement_pending()
        # an agent chooses the customer (message_new notes it)
        awaiting = (
            not_entitled.filtered(lambda t: not t.partner_id)
            if self._psa_awaits_customer()
            else self.browse()
        )
        (not_entitled - pending - awaiting)._psa_notify_not_entitled()

    @api.model
    def _psa_awaits_customer(self):
        """Whether tickets created now without a customer wait for an agent
        to choose it rather than being routed as without contract: those an
        internal user's email opens (``message_new``)."""
        return bool(self.env.context.get("psa_mail_internal_author"))

    def _psa_notify_entitlement_pending(self):
        """A note for the agents: the customer is under contract, the
        ticket's product decides whether a contract covers it."""
        for ticket in self:
            ticket.message_post(
                body=self.env._(
                    "%(customer)s has an active contract, but the product of "
                    "this ticket is not known: choose the installation. Until "
                    "then the ticket is not entitled and no SLA clock runs; "
                    "once a contract covers it, its clocks count from the "
                    "ticket's creation.",
                    customer=ticket.commercial_partner_id.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _psa_check_contract_write(self):
        """A contract written on tickets by a user (``FIELD_RIGHTS``:
        derived): the active contract of the customer covering the ticket's
        product; a support manager may choose another one that covers it.

        :raise AccessError: a user other than a support manager chose a
            contract other than the covering one
        :raise ValidationError: the chosen contract does not cover the ticket
        """
        Contract = self.env["psa.contract"]
        covering = Contract._find_covering(t._psa_contract_key() for t in self)
        manager = self._psa_is_support_manager()
        for ticket in self:
            rule = covering.get(ticket._psa_contract_key(), Contract)
            contract = ticket.contract_id
            if contract == rule:
                continue
            if not manager:
                raise AccessError(
                    self.env._(
                        "The contract of %(ticket)s is the active contract of its "
                        "customer covering its product (%(contract)s): only "
                        "support managers may choose another one. Without a "
                        "covering contract, a support manager may grant an "
                        "exception.",
                        ticket=ticket.display_name,
                        contract=rule.display_name or self.env._("none"),
                    )
                )
            if contract and not contract._psa_covers(
                ticket.commercial_partner_id, ticket.psa_product_id, ticket.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s does not cover %(ticket)s: a "
                        "ticket's contract is an active contract of its customer "
                        "covering its product (%(product)s).",
                        contract=contract.display_name,
                        ticket=ticket.display_name,
                        product=ticket.psa_product_id.display_name
                        or self.env._("none chosen"),
                    )
                )

    def _psa_notify_not_entitled(self):
        """A note for the agents, and the polite answer to the customer: an
        automatic answer (``_psa_auto_answer``), limited per ticket and per
        address, unless the email that opened the ticket may not be answered
        automatically (``_psa_auto_answer_allowed``)."""
        if not self:
            return
        template = self.env.ref(
            "psa_helpdesk.mail_template_psa_not_entitled", raise_if_not_found=False
        )
        answer = self._psa_auto_answer_allowed()
        for ticket in self:
            body = self.env._(
                "No active contract of %(customer)s covers %(product)s: the "
                "ticket is not entitled to support and is kept out of the SLA "
                "clocks. Its team: %(team)s.",
                customer=ticket.commercial_partner_id.display_name
                or self.env._("(no customer)"),
                product=ticket.psa_product_id.display_name or self.env._("its product"),
                team=ticket.team_id.display_name or self.env._("(no team)"),
            )
            if not answer:
                body = " ".join(
                    (
                        body,
                        self.env._(
                            "No answer was sent: the email that opened it was "
                            "automatic or asked not to be answered automatically."
                        ),
                    )
                )
            ticket.message_post(body=body, subtype_xmlid="mail.mt_note")
        if answer and template:
            self.filtered("partner_id")._psa_auto_answer(template)
