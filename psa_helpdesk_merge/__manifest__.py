# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "PSA Helpdesk - Ticket Merge",
    "summary": "Merging tickets with helpdesk_mgmt_merge keeps the SLA "
    "evidence of psa_helpdesk: merged tickets are closed as not solved",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "psa_helpdesk authors",
    "website": "https://github.com/psa-helpdesk/psa_helpdesk",
    "development_status": "Alpha",
    "depends": ["psa_helpdesk", "helpdesk_mgmt_merge"],
    "auto_install": True,
    "installable": True,
    "application": False,
}
