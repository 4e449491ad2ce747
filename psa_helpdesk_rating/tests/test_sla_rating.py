# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's rating (helpdesk_mgmt_rating) next to SLA compliance: in
the SLA compliance report and the report per module, averaged over rated
tickets only, grouped by satisfaction; company-bound like the report."""

from datetime import datetime

from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.psa_helpdesk.tests.common import PsaCommon, new_company_user


def monday(hour, minute=0):
    """Monday 2 March 2026, naive UTC."""
    return datetime(2026, 3, 2, hour, minute)


@tagged("post_install", "-at_install")
class TestSlaRating(PsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env["psa.sla.policy"].create(
            {
                "name": "24x7 (test)",
                "p1_round_the_clock": True,
                "target_ids": [
                    Command.create(
                        {
                            "priority": "1",
                            "response_hours": 2,
                            "resolution_hours": 12,
                            "update_hours": 4,
                        }
                    )
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
        # severity 1 → P1, counted round the clock
        cls._entitle([(cls.customer, cls.product)])

    def _ticket_answered(self, name, answer_hour, rating=None):
        """Opened Monday 9:00 (P1, response due 11:00), answered at
        ``answer_hour``, then rated ``rating`` by the customer."""
        with freeze_time(monday(9)):
            ticket = self._ticket(
                user=self.agent,
                name=name,
                team_id=self.team.id,
                installation_id=self.installation.id,
                severity="1",
            )
        if answer_hour:
            with freeze_time(monday(answer_hour)):
                ticket.with_user(self.agent).message_post(
                    body="Fixed, please check.",
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
        if rating:
            token = ticket.sudo()._rating_get_access_token(partner=self.contact)
            ticket.sudo().rating_apply(rating, token=token)
        return ticket

    def test_rating_next_to_compliance(self):
        on_time = self._ticket_answered("On time", 10, rating=5)
        late = self._ticket_answered("Late", 12, rating=1)
        unrated = self._ticket_answered("Not rated", 10)
        tickets = on_time | late | unrated
        self.env.flush_all()
        Report = self.env["psa.sla.report"].with_user(self.analyst)
        domain = [("ticket_id", "in", tickets.ids), ("metric", "=", "response")]
        groups = {
            status: (rating, rated, count)
            for status, rating, rated, count in Report._read_group(
                domain,
                ["status"],
                ["rating:avg", "rated_count:sum", "__count"],
            )
        }
        self.assertEqual(groups, {"met": (5.0, 1, 2), "met_late": (1.0, 1, 1)})
        rows = {
            row.ticket_id: (row.rating, row.rating_text)
            for row in Report.search(domain)
        }
        self.assertEqual(rows[on_time], (5.0, "top"))
        self.assertEqual(rows[late], (1.0, "ko"))
        self.assertEqual(rows[unrated], (0.0, "none"))
        by_text = dict(
            Report._read_group(domain, ["rating_text"], ["compliance_rate:avg"])
        )
        self.assertEqual(by_text, {"top": 100.0, "ko": 0.0, "none": 100.0})
        # the report per module carries the same figures
        ModuleReport = self.env["psa.sla.module.report"].with_user(self.analyst)
        self.assertEqual(
            ModuleReport._read_group(domain, [], ["rating:avg", "rated_count:sum"]),
            [(3.0, 2)],
        )

    def test_other_company_sees_no_rating(self):
        ticket = self._ticket_answered("On time", 10, rating=5)
        _company, outsider = new_company_user(
            self.env,
            "Other support (test)",
            "psa_rating_outsider",
            "psa_helpdesk.group_psa_analyst",
        )
        self.env.flush_all()
        Report = self.env["psa.sla.report"]
        self.assertTrue(
            Report.with_user(self.analyst).search([("ticket_id", "=", ticket.id)])
        )
        self.assertFalse(
            Report.with_user(outsider).search([("ticket_id", "=", ticket.id)])
        )
