# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What each role may do with every psa model and restricted field.

The table below is the security policy, written by hand: a change of the
ACLs, groups or record rules that changes what a role can do fails here until
the table is changed too, on purpose. A new psa model without a row fails
(abstract models, which hold no records, excepted).
"""

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import PsaCommon, new_company_user

ROLES = (
    "agent",
    "analyst",
    "manager",
    "developer",
    "implementation",
    "portal",
    "public",
)
ALL = "rwcu"
# model: rights per role, in ROLES order (r read, w write, c create, u unlink)
MATRIX = {
    "psa.product": ("r", "r", ALL, "r", "r", "", ""),
    "psa.product.version": ("r", "r", ALL, "r", "r", "", ""),
    "psa.product.module": ("r", "r", ALL, "r", "r", "", ""),
    "psa.installation": ("r", "rwc", ALL, "r", "r", "", ""),
    "psa.installation.customization": ("r", ALL, ALL, "r", "r", "", ""),
    # audit rows: written only by the actions that own them, read-only here
    "psa.installation.history": ("r", "r", "r", "r", "r", "", ""),
    "psa.sla.policy": ("r", "r", ALL, "r", "r", "", ""),
    "psa.sla.policy.target": ("r", "r", ALL, "r", "r", "", ""),
    "psa.contract": ("r", "r", ALL, "", "", "", ""),
    "psa.service.tier": ("r", "r", ALL, "r", "r", "", ""),
    "psa.priority.matrix": ("r", "r", ALL, "r", "r", "", ""),
    "psa.priority.aging.rule": ("r", "r", ALL, "r", "r", "", ""),
    "psa.ticket.escalation": ("r", "r", "r", "", "", "", ""),
    "psa.ticket.sla": ("r", "r", "r", "", "", "", ""),
    "psa.ticket.segment": ("r", "r", "r", "", "", "", ""),
    "psa.ticket.escalate.wizard": (ALL, ALL, ALL, "", "", "", ""),
    "psa.entitlement.exception.wizard": ("", "", ALL, "", "", "", ""),
    "psa.escalate.development.wizard": (ALL, ALL, ALL, "", "", "", ""),
    "psa.upgrade.request.wizard": ("", "", ALL, "", ALL, "", ""),
    "psa.apply.article.wizard": ("rwc", "rwc", "rwc", "", "", "", ""),
    # reports: analysis is for analysts and managers
    "psa.sla.report": ("", "r", "r", "", "", "", ""),
    "psa.sla.module.report": ("", "r", "r", "", "", "", ""),
    "psa.ticket.time.report": ("", "r", "r", "", "", "", ""),
    "psa.backlog.report": ("", "r", "r", "", "", "", ""),
    # knowledge articles (document_page): support staff write them, every
    # internal user reads them,
    # customers read the published ones of their products (record rule)
    "document.page": ("rwc", "rwc", ALL, "r", "r", "r", ""),
    # revisions: staff only (a customer reads the current text through the
    # article, never an earlier internal wording)
    "document.page.history": ("rwc", "rwc", "rwc", "r", "r", "", ""),
    # what psa_helpdesk changes on the helpdesk itself
    "helpdesk.ticket": ("rwc", "rwc", ALL, "r", "r", "r", ""),
}
# restricted fields: the roles that may read them
RESTRICTED_FIELDS = {
    ("psa.installation", "server_access_details"): {"manager", "server_access"},
    ("psa.installation", "server_host"): {"manager", "server_access"},
    ("psa.contract", "penalty_per_breach"): {"manager"},
    ("psa.contract", "penalty_per_hour"): {"manager"},
    ("psa.ticket.sla", "penalty_amount"): {"manager"},
    ("psa.sla.report", "penalty_amount"): {"manager"},
    ("helpdesk.ticket", "contract_id"): {
        "agent",
        "analyst",
        "manager",
        "server_access",
    },
    ("res.partner", "contract_ids"): {"agent", "analyst", "manager", "server_access"},
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install")
class TestAccessMatrix(PsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "agent": cls.agent,
            "analyst": cls.analyst,
            "manager": cls.manager,
            "server_access": cls.server_agent,
            "developer": new_test_user(
                cls.env, login="m_dev", groups="psa_helpdesk.group_psa_developer"
            ),
            "implementation": new_test_user(
                cls.env, login="m_impl", groups="psa_helpdesk.group_psa_implementation"
            ),
            "portal": new_test_user(
                cls.env, login="m_portal", groups="base.group_portal"
            ),
            "public": cls.env.ref("base.public_user"),
        }

    def _rights(self, model, user):
        Model = self.env[model].with_user(user)
        return "".join(op for op, name in OPERATIONS.items() if Model.has_access(name))

    def test_every_psa_model_has_a_row(self):
        # Abstract models (SLA alert delivery, demo helpers) hold no records:
        # nothing to grant.
        psa_models = {
            name
            for name, model in self.env.registry.items()
            if name.startswith("psa.") and not model._abstract
        }
        self.assertEqual(psa_models - set(MATRIX), set(), "models missing in MATRIX")

    def test_model_rights_per_role(self):
        expected, actual = {}, {}
        for model, rights in MATRIX.items():
            for role, right in zip(ROLES, rights, strict=True):
                expected[(model, role)] = right
                actual[(model, role)] = self._rights(model, self.users[role])
        self.assertEqual(actual, expected)

    def test_restricted_fields(self):
        records = {
            "psa.installation": self.installation,
            "psa.contract": self._entitle([(self.customer, self.product)]),
            "helpdesk.ticket": self._ticket(installation_id=self.installation.id),
            "res.partner": self.customer,
        }
        records["psa.ticket.sla"] = self.env["psa.ticket.sla"].create(
            {
                "ticket_id": records["helpdesk.ticket"].id,
                "metric": "resolution",
                "start_date": "2026-03-02 10:00:00",
            }
        )
        records["psa.sla.report"] = self.env["psa.sla.report"].browse(
            records["psa.ticket.sla"].id
        )
        for (model, fname), allowed in RESTRICTED_FIELDS.items():
            for role, user in self.users.items():
                record = records[model].with_user(user)
                if not record.has_access("read"):
                    continue  # no access to the model at all: see the matrix
                with self.subTest(model=model, field=fname, role=role):
                    visible = fname in record.fields_get([fname])
                    self.assertEqual(visible, role in allowed)
                    if role in allowed:
                        record.read([fname])
                    else:
                        with self.assertRaises(AccessError):
                            record.read([fname])

    def test_multi_company_isolation(self):
        company_b, manager_b = new_company_user(
            self.env,
            "Subsidiary B (matrix)",
            "m_manager_b",
            "psa_helpdesk.group_psa_manager",
        )
        env_b = self.env(user=manager_b, context={"allowed_company_ids": company_b.ids})
        customer_b = self.env["res.partner"].create(
            {"name": "B customer", "is_company": True}
        )
        product_b = env_b["psa.product"].create(
            {"name": "B product", "code": "BPR", "company_id": company_b.id}
        )
        version_b = env_b["psa.product.version"].create(
            {"product_id": product_b.id, "name": "1.0"}
        )
        policy_b = env_b["psa.sla.policy"].create({"name": "B policy"})
        records_b = {
            "psa.product": product_b,
            "psa.product.version": version_b,
            "psa.installation": env_b["psa.installation"].create(
                {
                    "partner_id": customer_b.id,
                    "product_id": product_b.id,
                    "version_id": version_b.id,
                }
            ),
            "psa.sla.policy": policy_b,
            "psa.contract": env_b["psa.contract"].create(
                {
                    "name": "B contract",
                    "partner_id": customer_b.id,
                    "product_ids": [Command.set(product_b.ids)],
                    "service_tier_id": env_b["psa.service.tier"]
                    .create(
                        {
                            "name": "B tier",
                            "matrix_ids": [
                                Command.create({"severity": s, "priority": s})
                                for s in ("1", "2", "3")
                            ],
                        }
                    )
                    .id,
                    "date_start": "2020-01-01",
                }
            ),
        }
        for model, record in records_b.items():
            with self.subTest(model=model):
                self.assertIn(record, self.env[model].with_user(manager_b).search([]))
                self.assertNotIn(
                    record, self.env[model].with_user(self.manager).search([])
                )
                with self.assertRaises(AccessError):
                    record.with_user(self.manager).read(["display_name"])
