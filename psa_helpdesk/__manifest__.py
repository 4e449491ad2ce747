# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "PSA Helpdesk",
    "summary": "Support desk for software vendors: installed base, contracts, "
    "SLA clocks, escalation to development",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "psa_helpdesk authors",
    "website": "https://github.com/psa-helpdesk/psa_helpdesk",
    "development_status": "Alpha",
    "depends": [
        "helpdesk_mgmt",
        "helpdesk_mgmt_project",
        "project",
        "mail",
        "resource",
    ],
    "data": [
        "security/psa_helpdesk_security.xml",
        "security/ir.model.access.csv",
        "security/psa_helpdesk_rules.xml",
        "views/psa_product_views.xml",
        "views/psa_product_version_views.xml",
        "views/psa_product_module_views.xml",
        "views/psa_installation_views.xml",
        "views/psa_installation_history_views.xml",
        "views/psa_sla_policy_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/res_partner_views.xml",
        "views/psa_helpdesk_menus.xml",
    ],
    "demo": [
        "demo/psa_installed_base_demo.xml",
        "demo/helpdesk_ticket_demo.xml",
    ],
    "installable": True,
    "application": False,
}
