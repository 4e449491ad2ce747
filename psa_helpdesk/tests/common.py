# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
from contextlib import contextmanager

from odoo.fields import Command
from odoo.tests import TransactionCase, new_test_user


@contextmanager
def recorded_queries():
    """The SQL queries run in the block, as a list of their texts filled as
    they run (flush inside the block what should count)."""
    queries = []
    thread = threading.current_thread()
    hooks = getattr(thread, "query_hooks", ())
    thread.query_hooks = (
        *hooks,
        lambda cr, query, params, start, delay: queries.append(str(query)),
    )
    try:
        yield queries
    finally:
        thread.query_hooks = hooks


class PsaCommon(TransactionCase):
    """A small support world built without demo data: two products with
    versions and modules, two customer companies with installations, and one
    user per role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        # no reliance on demo data: no commercial team unless a test sets one
        cls.company.psa_commercial_team_id = False
        cls.product = cls.env["psa.product"].create(
            {"name": "Municipal", "code": "TGM"}
        )
        cls.other_product = cls.env["psa.product"].create(
            {"name": "Payroll", "code": "TSU"}
        )
        Version = cls.env["psa.product.version"]
        cls.v39, cls.v310, cls.v40 = Version.create(
            [
                {"product_id": cls.product.id, "name": "3.9"},
                {"product_id": cls.product.id, "name": "3.10"},
                {"product_id": cls.product.id, "name": "4.0"},
            ]
        )
        cls.other_version = Version.create(
            {"product_id": cls.other_product.id, "name": "2.0"}
        )
        Module = cls.env["psa.product.module"]
        cls.mod_tax, cls.mod_land, cls.mod_cash = Module.create(
            [
                {"product_id": cls.product.id, "name": "Taxes", "code": "TAX"},
                {"product_id": cls.product.id, "name": "Land registry", "code": "LND"},
                {"product_id": cls.product.id, "name": "Treasury", "code": "CSH"},
            ]
        )
        cls.other_module = Module.create(
            {"product_id": cls.other_product.id, "name": "Payslips", "code": "PAY"}
        )
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "Town of Testville", "is_company": True})
        cls.contact = Partner.create(
            {"name": "Laura Test", "parent_id": cls.customer.id, "email": "l@t.example"}
        )
        cls.other_customer = Partner.create({"name": "Other Co", "is_company": True})
        cls.other_contact = Partner.create(
            {"name": "Otto Other", "parent_id": cls.other_customer.id}
        )
        Installation = cls.env["psa.installation"]
        cls.installation = Installation.create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.product.id,
                "version_id": cls.v39.id,
                "environment": "production",
                "module_ids": [Command.set([cls.mod_tax.id, cls.mod_land.id])],
                "customization_ids": [
                    Command.create(
                        {
                            "module_id": cls.mod_tax.id,
                            "name": "Amnesty 2024",
                            "notes": "Payment plan with interest waiver",
                        }
                    )
                ],
                "server_host": "erp.testville.example",
                "server_access_details": "vpn: secret-profile / user support",
            }
        )
        cls.other_installation = Installation.create(
            {
                "partner_id": cls.other_customer.id,
                "product_id": cls.other_product.id,
                "version_id": cls.other_version.id,
            }
        )
        cls.agent = new_test_user(
            cls.env, login="psa_agent", groups="psa_helpdesk.group_psa_agent"
        )
        cls.analyst = new_test_user(
            cls.env, login="psa_analyst", groups="psa_helpdesk.group_psa_analyst"
        )
        cls.manager = new_test_user(
            cls.env, login="psa_manager", groups="psa_helpdesk.group_psa_manager"
        )
        cls.server_agent = new_test_user(
            cls.env,
            login="psa_agent_servers",
            groups="psa_helpdesk.group_psa_agent,psa_helpdesk.group_psa_server_access",
        )

    @classmethod
    def _entitle(cls, pairs, **vals):
        """Active contracts for ``(customer, products)`` pairs, on a tier that
        maps severity S1..S3 to P1..P3: their tickets are entitled."""
        tier = cls.env["psa.service.tier"].create(
            {
                "name": "Tier (test)",
                "matrix_ids": [
                    Command.create({"severity": s, "priority": s})
                    for s in ("1", "2", "3")
                ],
            }
        )
        return cls.env["psa.contract"].create(
            [
                {
                    "name": f"Maintenance {customer.name}",
                    "partner_id": customer.id,
                    "product_ids": [Command.set(products.ids)],
                    "service_tier_id": tier.id,
                    "date_start": "2020-01-01",
                    "confirmed": True,
                    **vals,
                }
                for customer, products in pairs
            ]
        )

    @classmethod
    def _ticket(cls, user=None, **vals):
        values = {
            "name": "It does not work",
            "description": "<p>Details</p>",
            "partner_id": cls.contact.id,
        }
        values.update(vals)
        env = cls.env(user=user) if user else cls.env
        return env["helpdesk.ticket"].create(values)


class PsaContractCommon(PsaCommon):
    """PsaCommon plus service levels: a working calendar (Mon-Fri 8-12 and
    13-17 UTC) with a public holiday, tiers with their matrix, an SLA policy,
    support teams per level, a commercial team, and an active contract of the
    first customer covering the first product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Support 8x5 (test)", "tz": "UTC"}
        )
        # Wednesday 2026-03-04 is a public holiday
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": cls.calendar.id,
                "date_from": "2026-03-04 00:00:00",
                "date_to": "2026-03-04 23:59:59",
            }
        )
        Tier = cls.env["psa.service.tier"]
        cls.tier_premium = Tier.create(
            {
                "name": "Premium (test)",
                "matrix_ids": [
                    Command.create({"severity": "1", "priority": "1"}),
                    Command.create({"severity": "2", "priority": "2"}),
                    Command.create({"severity": "3", "priority": "3"}),
                ],
            }
        )
        cls.tier_basic = Tier.create(
            {
                "name": "Basic (test)",
                "matrix_ids": [
                    Command.create({"severity": "1", "priority": "2"}),
                    Command.create({"severity": "2", "priority": "3"}),
                    Command.create({"severity": "3", "priority": "3"}),
                ],
            }
        )
        cls.policy = cls.env["psa.sla.policy"].create(
            {"name": "Test policy", "resource_calendar_id": cls.calendar.id}
        )
        cls.leader = new_test_user(
            cls.env, login="psa_leader", groups="psa_helpdesk.group_psa_agent"
        )
        cls.commercial = new_test_user(
            cls.env, login="psa_commercial", groups="psa_helpdesk.group_psa_agent"
        )
        Team = cls.env["helpdesk.ticket.team"]
        cls.team_l1 = Team.create(
            {
                "name": "L1 (test)",
                "support_level": "1",
                "user_id": cls.leader.id,
                "user_ids": [Command.set([cls.leader.id, cls.agent.id])],
            }
        )
        cls.team_l2 = Team.create(
            {
                "name": "L2 (test)",
                "support_level": "2",
                "user_id": cls.analyst.id,
                "user_ids": [Command.set([cls.analyst.id])],
            }
        )
        cls.team_commercial = Team.create(
            {
                "name": "Commercial (test)",
                "user_id": cls.commercial.id,
                "user_ids": [Command.set([cls.commercial.id])],
            }
        )
        cls.company.psa_commercial_team_id = cls.team_commercial
        cls.contract = cls._contract()

    @classmethod
    def _contract(cls, **vals):
        values = {
            "name": "Maintenance (test)",
            "partner_id": cls.customer.id,
            "product_ids": [Command.set(cls.product.ids)],
            "service_tier_id": cls.tier_premium.id,
            "sla_policy_id": cls.policy.id,
            "resource_calendar_id": cls.calendar.id,
            "date_start": "2020-01-01",
            "confirmed": True,
        }
        values.update(vals)
        return cls.env["psa.contract"].create(values)


def new_company_user(env, company_name, login, groups):
    """A second company and a user of ``groups`` (XML ids, comma-separated)
    who works in it alone: for the multi-company rules (SPEC §7).

    :return: ``(company, user)``"""
    company = env["res.company"].create({"name": company_name})
    user = new_test_user(
        env,
        login=login,
        groups=groups,
        company_id=company.id,
        company_ids=[Command.set(company.ids)],
    )
    return company, user


def enable_mail_gateway(cls, domain):
    """For a ``MailCase`` test class (in ``setUpClass``): tracking on, since
    what it triggers (stage emails) is tested; the mail gateway mocked;
    templates rendered freely; the company's alias domain ``domain``
    (``cls.alias_domain``), with bounce and catchall aliases."""
    cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
    cls._init_mail_gateway()
    cls.env["ir.config_parameter"].set_param("mail.restrict.template.rendering", False)
    cls.alias_domain = cls.env["mail.alias.domain"].create(
        {
            "name": domain,
            "bounce_alias": "bounce",
            "catchall_alias": "catchall",
            "default_from": "notifications",
        }
    )
    cls.company.alias_domain_id = cls.alias_domain


def open_team_alias(team, name, domain):
    """Give ``team`` the email alias ``name`` on the alias domain ``domain``,
    open to everyone (customers write to it)."""
    team.write(
        {"alias_name": name, "alias_domain_id": domain.id, "alias_contact": "everyone"}
    )


class PsaSlaTeamCommon(PsaCommon):
    """PsaCommon plus a team whose SLA policy counts every priority on a
    9-18 UTC calendar (response 2 h, resolution 12 h, update 4 h) and pauses
    in helpdesk_mgmt's *Awaiting* stage (``stage_new``, ``stage_progress``,
    ``stage_waiting``), and a contract (100 per breach) covering the
    customer's product: the SLA set-up of the glue addons' tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "9-18 UTC (test)",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"D{day}",
                            "dayofweek": str(day),
                            "hour_from": 9,
                            "hour_to": 18,
                        }
                    )
                    for day in range(5)
                ],
            }
        )
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        cls.stage_waiting = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.policy = cls.env["psa.sla.policy"].create(
            {
                "name": "Silver (test)",
                "resource_calendar_id": cls.calendar.id,
                "pause_stage_ids": [Command.set(cls.stage_waiting.ids)],
                "target_ids": [
                    Command.create(
                        {
                            "priority": priority,
                            "response_hours": 2,
                            "resolution_hours": 12,
                            "update_hours": 4,
                        }
                    )
                    for priority in ("1", "2", "3")
                ],
            }
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Municipal support (test)",
                "psa_sla_policy_id": cls.policy.id,
                "user_ids": [Command.set(cls.agent.ids)],
            }
        )
        cls.contract = cls._entitle(
            [(cls.customer, cls.product)], penalty_per_breach=100.0
        )
