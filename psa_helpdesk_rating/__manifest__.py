# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "PSA Helpdesk - Ratings",
    "summary": "Customer ratings (helpdesk_mgmt_rating) next to SLA "
    "compliance in psa_helpdesk's reports",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "psa_helpdesk authors",
    "website": "https://github.com/psa-helpdesk/psa_helpdesk",
    "development_status": "Alpha",
    "depends": ["psa_helpdesk", "helpdesk_mgmt_rating"],
    "data": ["report/psa_sla_report_views.xml"],
    "auto_install": True,
    "installable": True,
    "application": False,
}
