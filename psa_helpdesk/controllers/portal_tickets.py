# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's ticket list (``/my/tickets`` of helpdesk_mgmt, SPEC §9,
seed 05): the P, severity, SLA state and the promised time in words,
installation and affected module of each ticket; filters by installation
and priority next to helpdesk_mgmt's stage filter, and grouping by them.

The filters are ids and values taken from the request: they only narrow the
user's own search (their record rules still apply), and an installation id
that is not one of the user's customer's simply matches nothing."""

from odoo import http
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk

from ..const import PRIORITIES
from .main import _to_id
from .portal_installations import psa_portal_installations


class PsaCustomerPortalTickets(CustomerPortalHelpdesk):
    def _ticket_get_searchbar_groupby(self):
        values = super()._ticket_get_searchbar_groupby()
        values.update(
            installation={
                "input": "installation",
                "label": request.env._("Installation"),
                "order": 10,
            },
            psa_priority={
                "input": "psa_priority",
                "label": request.env._("Priority"),
                "order": 11,
            },
        )
        return dict(sorted(values.items(), key=lambda item: item[1]["order"]))

    def _ticket_get_groupby_mapping(self):
        return dict(
            super()._ticket_get_groupby_mapping(),
            installation="installation_id",
            psa_priority="psa_priority",
        )

    def _psa_ticket_filter_domain(self, psa_installation=None, psa_priority=None):
        """The extra domain of the installation and priority filters of the
        list (``psa_installation``: an installation id; ``psa_priority``: a
        P value); an empty list when none applies."""
        domain = []
        installation_id = _to_id(psa_installation)
        if installation_id:
            domain.append(("installation_id", "=", installation_id))
        if psa_priority in dict(PRIORITIES):
            domain.append(("psa_priority", "=", psa_priority))
        return domain

    @http.route(
        ["/my/tickets", "/my/tickets/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_tickets(self, psa_installation=None, psa_priority=None, **kw):
        """helpdesk_mgmt's list, narrowed by the installation and priority
        filters, with the values the P / SLA / installation columns need."""
        extra = self._psa_ticket_filter_domain(psa_installation, psa_priority)
        if extra:
            # narrows every ticket search of this request (list and pager
            # count) to the filters: see helpdesk.ticket._search
            request.update_context(psa_portal_ticket_domain=extra)
        response = super().portal_my_tickets(**kw)
        qcontext = getattr(response, "qcontext", None)
        if qcontext is None:
            return response
        tickets = request.env["helpdesk.ticket"].concat(
            *qcontext.get("grouped_tickets", [])
        )
        # the customer's own installations only (a follower of another
        # customer's ticket never sees that customer's installation)
        installations = psa_portal_installations()
        qcontext.update(
            psa_sla={ticket.id: ticket._psa_portal_sla_promise() for ticket in tickets},
            psa_installations=installations,
            psa_priorities=request.env["helpdesk.ticket"]
            ._fields["psa_priority"]
            ._description_selection(request.env),
            psa_installation=_to_id(psa_installation),
            psa_priority=psa_priority if psa_priority in dict(PRIORITIES) else None,
        )
        return response
