# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.fields import Command
from odoo.tests import new_test_user

from .common import PsaCommon


class PsaDevelopmentCommon(PsaCommon):
    """PsaCommon plus a development project for the product, its stages, and
    developer / implementation users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["project.task.type"]
        cls.stage_todo, cls.stage_progress, cls.stage_done = Stage.create(
            [
                {"name": "To do", "sequence": 1},
                {"name": "In progress", "sequence": 2},
                {"name": "Released", "sequence": 3, "fold": True},
            ]
        )
        cls.dev_project = cls.env["project.project"].create(
            {
                "name": "Municipal development",
                "privacy_visibility": "employees",
                "type_ids": [
                    Command.set(
                        (cls.stage_todo | cls.stage_progress | cls.stage_done).ids
                    )
                ],
            }
        )
        cls.product.development_project_id = cls.dev_project
        cls.stage_ticket_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        cls.stage_ticket_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.company.psa_escalation_stage_id = cls.stage_ticket_progress
        cls.company.psa_problem_close_stage_id = False
        # Both customers are entitled to support on their products: only
        # entitled tickets may reach development.
        cls.contracts = cls._entitle(
            [
                (cls.customer, cls.product),
                (cls.other_customer, cls.product | cls.other_product),
            ]
        )
        cls.developer = new_test_user(
            cls.env, login="psa_developer", groups="psa_helpdesk.group_psa_developer"
        )
        cls.implementer = new_test_user(
            cls.env,
            login="psa_implementer",
            groups="psa_helpdesk.group_psa_implementation",
        )

    @classmethod
    def _escalate(cls, tickets, user=None, **vals):
        env = cls.env(user=user) if user else cls.env
        wizard = (
            env["psa.escalate.development.wizard"]
            .with_context(active_model="helpdesk.ticket", active_ids=tickets.ids)
            .create(vals)
        )
        wizard.action_escalate()
        return wizard
