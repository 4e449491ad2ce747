# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's self-service pages (SPEC §9, seed 05): their installations
(``/my/installations``) and their coverage (``/my/coverage``).

Portal users have no access rights on installations nor contracts: neither
JSON-RPC nor a search can reach them. These pages read them as superuser,
but always through ``_psa_installation_domain`` / ``_psa_contract_domain``,
which pin the user's own commercial partner and companies; an id taken from
the URL is only ever added to that domain (another customer's id: 404).
The templates show a fixed list of fields (``PORTAL_INSTALLATION_FIELDS``,
``PORTAL_CONTRACT_FIELDS``): never the server access details of an
installation, never the penalty terms of a contract."""

from odoo import fields, http
from odoo.http import request
from odoo.osv import expression

from odoo.addons.portal.controllers.portal import CustomerPortal

# What the customer sees of an installation and of a contract: the templates
# (views/psa_portal_templates.xml) show these fields and no other.
PORTAL_INSTALLATION_FIELDS = (
    "name",
    "product_id",
    "version_id",
    "version_support_state",
    "environment",
    "module_ids",
    "customized_module_ids",
    "go_live_date",
)
PORTAL_CONTRACT_FIELDS = (
    "name",
    "product_ids",
    "date_start",
    "date_end",
    "service_tier_id",
)


def psa_portal_installation_domain():
    """The installations of the current user's customer (commercial
    partner) in the user's companies (a domain on ``psa.installation``)."""
    return [
        ("partner_id", "=", request.env.user.commercial_partner_id.id),
        ("company_id", "in", request.env.user.company_ids.ids),
    ]


def psa_portal_installations(installation_id=None):
    """The current user's installations (superuser records, to be shown
    only through the portal templates), or the one of ``installation_id``
    if it is theirs (an empty recordset otherwise)."""
    domain = psa_portal_installation_domain()
    if installation_id is not None:
        domain = expression.AND([domain, [("id", "=", installation_id)]])
    # sudo: no access rights for portal users; the domain pins the user's
    # own customer and companies.
    return (
        request.env["psa.installation"]
        .sudo()
        .search(domain, order="product_id, environment, id")
    )


class PsaCustomerPortalSelfService(CustomerPortal):
    # ------------------------------------------------------------------
    # Domains: the user's own customer and companies
    # ------------------------------------------------------------------

    def _psa_installation_domain(self):
        return psa_portal_installation_domain()

    def _psa_contract_domain(self):
        """The contracts in force today of the user's customer in the user's
        companies (a domain on ``psa.contract``)."""
        return expression.AND(
            [
                request.env["psa.contract"]._active_domain(),
                [
                    ("partner_id", "=", request.env.user.commercial_partner_id.id),
                    ("company_id", "in", request.env.user.company_ids.ids),
                ],
            ]
        )

    def _psa_installations(self, installation_id=None):
        return psa_portal_installations(installation_id)

    def _psa_contracts(self):
        """The user's contracts in force today (superuser records, only read
        through the portal templates)."""
        # sudo: as in _psa_installations
        return (
            request.env["psa.contract"]
            .sudo()
            .search(self._psa_contract_domain(), order="date_start desc, id desc")
        )

    # ------------------------------------------------------------------
    # Portal home
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "psa_installation_count" in counters:
            values["psa_installation_count"] = (
                request.env["psa.installation"]
                .sudo()
                .search_count(self._psa_installation_domain())
            )
        if "psa_contract_count" in counters:
            values["psa_contract_count"] = (
                request.env["psa.contract"]
                .sudo()
                .search_count(self._psa_contract_domain())
            )
        return values

    # ------------------------------------------------------------------
    # Values for the templates
    # ------------------------------------------------------------------

    @staticmethod
    def _psa_latest_supported_version(product):
        """The newest version of ``product`` in full support, or an empty
        recordset."""
        versions = product.version_ids.filtered(
            lambda v: v.support_state == "supported"
        ).sorted("version_key", reverse=True)
        return versions[:1]

    def _psa_open_tickets(self, installations):
        """The open tickets of ``installations`` the user may read under
        their own record rules: {installation id: tickets}."""
        tickets = request.env["helpdesk.ticket"].search(
            [("installation_id", "in", installations.ids), ("closed", "=", False)],
            order="create_date desc, id desc",
        )
        result = {inst_id: tickets.browse() for inst_id in installations.ids}
        for ticket in tickets:
            result[ticket.installation_id.id] |= ticket
        return result

    def _psa_installation_values(self, installations):
        """Per installation (superuser record): its latest supported version
        when its own is deprecated or end of life, and its open tickets."""
        open_tickets = self._psa_open_tickets(installations)
        return {
            inst.id: {
                "latest_supported": (
                    self._psa_latest_supported_version(inst.product_id)
                    if inst.version_support_state != "supported"
                    else inst.product_id.browse()
                ),
                "open_tickets": open_tickets[inst.id],
            }
            for inst in installations
        }

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------

    @http.route("/my/installations", type="http", auth="user", website=True)
    def portal_my_psa_installations(self, **kw):
        """The list of the customer's installations."""
        installations = self._psa_installations()
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="psa_installations",
            installations=installations,
            psa_values=self._psa_installation_values(installations),
        )
        return request.render("psa_helpdesk.portal_my_psa_installations", values)

    @http.route(
        "/my/installations/<int:installation_id>",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_psa_installation(self, installation_id, **kw):
        """One installation of the customer; 404 for anyone else's."""
        installation = self._psa_installations(installation_id)
        if not installation:
            raise request.not_found()
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="psa_installation",
            installation=installation,
            psa_values=self._psa_installation_values(installation)[installation.id],
        )
        return request.render("psa_helpdesk.portal_my_psa_installation", values)

    @http.route("/my/coverage", type="http", auth="user", website=True)
    def portal_my_psa_coverage(self, **kw):
        """The customer's contracts in force today: products, dates, tier."""
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="psa_coverage",
            contracts=self._psa_contracts(),
            today=fields.Date.context_today(request.env.user),
        )
        return request.render("psa_helpdesk.portal_my_psa_coverage", values)
