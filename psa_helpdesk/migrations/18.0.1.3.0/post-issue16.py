# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.3.0 (issue 16): developers read the tickets of every task they may
see, not only of the tasks assigned to them (a task escalated from support is
now created unassigned, in the product's backlog). The rule is in a
``noupdate`` file: its domain is rewritten here."""

from odoo import SUPERUSER_ID, api

# the domain of security/psa_helpdesk_rules.xml, helpdesk_ticket_rule_psa_developer
DEVELOPER_TICKET_DOMAIN = (
    "[('task_id', '!=', False), '|', '|', ('task_id.user_ids', 'in', user.id), "
    "('task_id.message_partner_ids', 'in', [user.partner_id.id]), '|', "
    "('task_id.project_id.privacy_visibility', '!=', 'followers'), "
    "('task_id.project_id.message_partner_ids', 'in', [user.partner_id.id])]"
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref("psa_helpdesk.helpdesk_ticket_rule_psa_developer", False)
    if rule:
        rule.write(
            {
                "name": "Helpdesk ticket: developers read the tickets of the "
                "tasks they see",
                "domain_force": DEVELOPER_TICKET_DOMAIN,
            }
        )
