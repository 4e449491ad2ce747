# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "PSA Helpdesk - Timesheets",
    "summary": "The time spent on tickets (helpdesk_mgmt_timesheet) in "
    "psa_helpdesk's time per stage and level report",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "psa_helpdesk authors",
    "website": "https://github.com/psa-helpdesk/psa_helpdesk",
    "development_status": "Alpha",
    "depends": ["psa_helpdesk", "helpdesk_mgmt_timesheet"],
    "data": ["report/psa_ticket_time_report_views.xml"],
    "auto_install": True,
    "installable": True,
    "application": False,
}
