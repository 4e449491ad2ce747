# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "PSA Helpdesk - Partner Response",
    "summary": "The stage moves of helpdesk_ticket_partner_response follow "
    "psa_helpdesk's SLA rules: automatic emails move nothing, a refused "
    "move never loses the customer's email",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "psa_helpdesk authors",
    "website": "https://github.com/psa-helpdesk/psa_helpdesk",
    "development_status": "Alpha",
    "depends": ["psa_helpdesk", "helpdesk_ticket_partner_response"],
    "auto_install": True,
    "installable": True,
    "application": False,
}
