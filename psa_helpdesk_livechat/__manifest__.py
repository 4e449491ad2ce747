# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "PSA Helpdesk - Live Chat",
    "summary": "Turn a live chat or Discuss conversation with a customer into "
    "a support ticket",
    "version": "18.0.1.0.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "psa_helpdesk authors",
    "website": "https://github.com/psa-helpdesk/psa_helpdesk",
    "development_status": "Alpha",
    "depends": ["psa_helpdesk", "im_livechat"],
    "data": [
        "data/helpdesk_ticket_channel_data.xml",
        "views/helpdesk_ticket_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "psa_helpdesk_livechat/static/src/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
