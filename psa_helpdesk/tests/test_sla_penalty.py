# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_sla_alerts import PsaSlaAlertCommon


@tagged("post_install", "-at_install")
class TestSlaPenalty(PsaSlaAlertCommon):
    """Penalty = per breach + per hour × hours late rounded up to whole hours,
    in the contract's currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.contract.write(
            {
                "currency_id": cls.eur.id,
                "penalty_per_breach": 100.0,
                "penalty_per_hour": 10.0,
            }
        )

    def _new(self, **vals):
        vals.setdefault("installation_id", self.installation.id)
        return super()._new(**vals)

    def test_met_late_and_breached(self):
        with freeze_time("2026-03-02 08:00:00"):  # Monday
            ticket = self._new()
        response = self._clock(ticket, "response")
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.contract_id, self.contract)
        self.assertEqual(resolution.product_id, self.product)
        self.assertEqual(resolution.currency_id, self.eur)
        self.assertFalse(resolution.penalty_amount)
        # Breached and still running: the amount grows with the hours late.
        with freeze_time("2026-03-02 18:00:00"):
            self.Sla._cron_refresh_status()
        self.assertEqual(resolution.status, "breached")
        self.assertEqual(resolution.overrun_hours, 0, "after hours: not later")
        self.assertEqual(resolution.penalty_amount, 100)
        with freeze_time("2026-03-03 09:30:00"):
            self.Sla._cron_refresh_status()
        self.assertAlmostEqual(resolution.overrun_hours, 1.5)
        self.assertEqual(resolution.penalty_amount, 120, "1.5 h counts as 2")
        # Closed Tuesday 10:30: 2.5 h late, met late: 100 + 3 × 10.
        with freeze_time("2026-03-03 10:30:00"):
            ticket.with_user(self.agent).stage_id = self.stage_done
        self.assertEqual(resolution.status, "met_late")
        self.assertEqual(resolution.penalty_amount, 130)
        # Never answered: the response is breached, 8.5 h late: 100 + 9 × 10.
        self.assertEqual(response.status, "breached")
        self.assertAlmostEqual(response.overrun_hours, 8.5)
        self.assertEqual(response.penalty_amount, 190)
        # Finished: new terms or later runs do not change it.
        self.contract.penalty_per_hour = 1000
        with freeze_time("2026-03-05 10:00:00"):
            self.Sla._cron_refresh_status()
        self.assertEqual(resolution.penalty_amount, 130)
        self.assertEqual(response.penalty_amount, 190)

    def test_on_time_and_no_terms_no_penalty(self):
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
        with freeze_time("2026-03-02 09:00:00"):
            self._reply(ticket)
            ticket.with_user(self.agent).stage_id = self.stage_done
        self.assertEqual(ticket.psa_sla_ids.mapped("status"), ["met", "met"], "on time")
        self.assertEqual(ticket.psa_sla_ids.mapped("penalty_amount"), [0, 0])
        self.contract.write({"penalty_per_breach": 0, "penalty_per_hour": 0})
        with freeze_time("2026-03-02 08:00:00"):
            late = self._new()
        with freeze_time("2026-03-03 12:00:00"):
            late.with_user(self.agent).stage_id = self.stage_done
        self.assertEqual(late.psa_sla_ids.mapped("penalty_amount"), [0, 0])

    def test_exactly_on_whole_hours(self):
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
        with freeze_time("2026-03-03 10:00:00"):  # resolution 2 h late exactly
            self._reply(ticket)
            ticket.with_user(self.agent).stage_id = self.stage_done
        resolution = self._clock(ticket, "resolution")
        self.assertEqual(resolution.overrun_hours, 2)
        self.assertEqual(resolution.penalty_amount, 120)

    def test_agent_cannot_read_penalties(self):
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
        with freeze_time("2026-03-03 10:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_done
        clock = self._clock(ticket, "resolution")
        for user in (self.agent, self.analyst):
            with self.assertRaises(AccessError):
                clock.with_user(user).read(["penalty_amount"])
            with self.assertRaises(AccessError):
                clock.with_user(user).search([("penalty_amount", ">", 0)])
        self.assertEqual(clock.with_user(self.manager).penalty_amount, 120)

    def test_penalty_report_by_customer_month_product(self):
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._new()
        with freeze_time("2026-03-03 10:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_done
        Clock = self.env["psa.ticket.sla"].with_user(self.manager)
        groups = Clock.read_group(
            [("penalty_amount", "!=", 0), ("partner_id", "=", self.customer.id)],
            ["penalty_amount:sum"],
            ["partner_id", "deadline:month", "product_id"],
            lazy=False,
        )
        self.assertEqual(len(groups), 1)
        self.assertEqual(groups[0]["partner_id"][0], self.customer.id)
        self.assertEqual(groups[0]["product_id"][0], self.product.id)
        # Resolution 2 h late (120) and response never answered, 8 h late
        # (100 + 8 × 10).
        self.assertEqual(groups[0]["penalty_amount"], 300)
        action = self.env.ref("psa_helpdesk.psa_ticket_sla_penalty_action")
        self.assertIn(self.env.ref("psa_helpdesk.group_psa_manager"), action.groups_id)
