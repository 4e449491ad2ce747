# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Installed base on the ticket (SPEC §1): the customer's installation and a
snapshot of its environment as it was when the ticket was opened.

Pipeline steps (called by ``helpdesk_ticket.py``, nowhere else):
``_psa_prepare_installed_base`` (create) and ``_psa_installed_base_vals``
(write)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import ENVIRONMENTS


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

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
        groups="base.group_user",
    )

    psa_customized_module_ids = fields.Many2many(
        "psa.product.module",
        "helpdesk_ticket_psa_custom_module_rel",
        "ticket_id",
        "module_id",
        string="Customised modules",
        readonly=True,
        groups="base.group_user",
    )

    psa_customization_notes = fields.Text(
        string="Customisations", readonly=True, groups="base.group_user"
    )

    psa_snapshot_date = fields.Datetime(
        string="Environment as of", readonly=True, groups="base.group_user"
    )

    psa_version_support_state = fields.Selection(
        related="psa_version_id.support_state",
        string="Version support",
        groups="base.group_user",
    )

    psa_installation_version_id = fields.Many2one(
        related="installation_id.version_id",
        string="Installation version now",
        groups="base.group_user",
        # not tracked on the ticket (the installation tracks its version):
        # every write of a ticket would read its installation for nothing
        tracking=False,
    )

    # Classification

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

    @api.onchange("partner_id")
    def _onchange_partner_installation(self):
        customer = self.partner_id.commercial_partner_id
        if self.installation_id.partner_id != customer:
            self.installation_id = False
        if customer and not self.installation_id:
            company = self.company_id or self.env.company
            self.installation_id = self._psa_default_installations(
                customer, company
            ).get((customer.id, company.id), False)
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

    # ------------------------------------------------------------------
    # Pipeline steps
    # ------------------------------------------------------------------

    @api.model
    def _psa_prepare_installed_base(self, vals_list):
        """Create step: preselect the customer's installation in the
        ticket's company (``company_id`` of the values, set by
        ``_psa_prepare_company``) when the values name none (see
        ``_psa_default_installations``) and freeze the environment of the
        chosen one on the ticket. Edits ``vals_list`` in place."""
        Partner = self.env["res.partner"]
        needs_default = [
            vals
            for vals in vals_list
            if vals.get("partner_id") and "installation_id" not in vals
        ]
        if needs_default:
            partners = Partner.browse({v["partner_id"] for v in needs_default})
            companies = self.env["res.company"].browse(
                {v.get("company_id") or self.env.company.id for v in needs_default}
            )
            defaults = self._psa_default_installations(
                partners.commercial_partner_id, companies
            )
            for vals in needs_default:
                customer = Partner.browse(vals["partner_id"]).commercial_partner_id
                key = (customer.id, vals.get("company_id") or self.env.company.id)
                if key in defaults:
                    vals["installation_id"] = defaults[key]
        # One recordset for the whole batch: installations, their modules and
        # customisations are read once for all the tickets, not per ticket.
        installations = {
            installation.id: installation
            for installation in self.env["psa.installation"].browse(
                {
                    vals["installation_id"]
                    for vals in vals_list
                    if vals.get("installation_id")
                }
            )
        }
        for vals in vals_list:
            if vals.get("installation_id"):
                vals.update(
                    self._psa_snapshot_values(installations[vals["installation_id"]])
                )

    def _psa_installed_base_vals(self, vals):
        """Write step: the values to write, with a new snapshot of the
        environment when the installation changes."""
        if "installation_id" not in vals:
            return vals
        return dict(
            vals,
            **self._psa_snapshot_values(
                self.env["psa.installation"].browse(vals["installation_id"])
            ),
        )

    @api.model
    def _psa_default_installations(self, customers, companies):
        """The installation to preselect per ``(customer id, company id)``:
        the only active one of the customer in that company, else the only
        production one (a customer shared by companies has installations in
        each: SPEC §7). One query for all ``customers`` and ``companies``."""
        groups = self.env["psa.installation"]._read_group(
            [
                ("partner_id", "in", customers.ids),
                ("company_id", "in", companies.ids),
            ],
            ["partner_id", "company_id", "environment"],
            ["id:array_agg"],
        )
        by_customer = {}
        for partner, company, environment, ids in groups:
            by_customer.setdefault((partner.id, company.id), []).append(
                (environment, ids)
            )
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

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

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
