# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_development import PsaDevelopmentCommon


@tagged("post_install", "-at_install")
class TestProblem(PsaDevelopmentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.problem = cls._ticket(name="Interest calculation is wrong")
        cls.problem.psa_is_problem = True
        # incidents: closing them needs a resolution summary, which the
        # problem's resolution provides
        cls.incident_1 = cls._ticket(
            name="Receipt total wrong", request_type="incident"
        )
        cls.incident_2 = cls._ticket(
            name="Payment plan refused",
            partner_id=cls.other_contact.id,
            request_type="incident",
        )
        cls.closed_incident = cls._ticket(name="Already solved")
        cls.closed_incident.stage_id = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_cancelled"
        )

    def _link_all(self, user):
        incidents = self.incident_1 | self.incident_2 | self.closed_incident
        incidents.with_user(user).write({"psa_problem_id": self.problem.id})
        return incidents

    def test_link_incidents(self):
        incidents = self._link_all(self.agent)
        self.assertEqual(self.problem.psa_incident_ids, incidents)
        self.assertEqual(self.problem.psa_incident_count, 3)
        action = self.problem.action_psa_view_incidents()
        self.assertEqual(
            self.env["helpdesk.ticket"].search(action["domain"]), incidents
        )

    def test_resolve_incidents(self):
        self._link_all(self.agent)
        cancelled = self.closed_incident.stage_id
        problem = self.problem.with_user(self.agent)
        problem.psa_problem_resolution = "Rounding fixed by patch 3.9.4"
        problem.action_psa_resolve_incidents()
        for incident in self.incident_1 | self.incident_2:
            self.assertEqual(incident.stage_id, self.stage_ticket_done)
            self.assertTrue(incident.closed_date)
            comment = incident.message_ids.filtered(
                lambda m: m.subtype_id == self.env.ref("mail.mt_comment")
            )[:1]
            self.assertIn("Rounding fixed by patch 3.9.4", comment.body)
            # the incident's own number and subject, not the problem's
            self.assertIn(incident.number, comment.body)
            self.assertIn(incident.name, comment.body)
            self.assertNotIn(self.problem.number, comment.body)
            self.assertIn("Rounding fixed by patch 3.9.4", incident.psa_resolution)
        self.assertEqual(self.closed_incident.stage_id, cancelled, "left alone")
        self.assertFalse(self.problem.closed, "the problem itself stays open")

    def test_resolve_uses_configured_stage(self):
        rejected = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected")
        self.company.psa_problem_close_stage_id = rejected
        self._link_all(self.agent)
        self.problem.psa_problem_resolution = "Works as designed"
        self.problem.with_user(self.agent).action_psa_resolve_incidents()
        self.assertEqual(self.incident_1.stage_id, rejected)

    def test_resolve_without_resolution(self):
        self._link_all(self.agent)
        with self.assertRaisesRegex(UserError, "Write the resolution"):
            self.problem.with_user(self.agent).action_psa_resolve_incidents()
        self.assertFalse(self.incident_1.closed)

    def test_resolve_as_developer_is_refused(self):
        self._link_all(self.agent)
        self.problem.psa_problem_resolution = "Fixed"
        with self.assertRaises(AccessError):
            self.problem.with_user(self.developer).action_psa_resolve_incidents()
        self.assertFalse(self.incident_1.closed)

    def test_problem_cannot_be_its_own_incident(self):
        with self.assertRaises(ValidationError):
            self.problem.with_user(self.agent).psa_problem_id = self.problem

    def test_problem_cannot_be_incident_of_another_problem(self):
        other_problem = self._ticket(name="Other problem", psa_is_problem=True)
        with self.assertRaises(ValidationError):
            other_problem.with_user(self.agent).psa_problem_id = self.problem
        # nor can an incident become a problem while it is linked
        self.incident_1.psa_problem_id = self.problem
        with self.assertRaises(ValidationError):
            self.incident_1.with_user(self.agent).psa_is_problem = True

    def test_incident_of_a_ticket_not_flagged_as_problem(self):
        with self.assertRaises(ValidationError):
            self.incident_1.with_user(self.agent).psa_problem_id = self.incident_2

    def test_unflag_problem_with_incidents(self):
        self.incident_1.psa_problem_id = self.problem
        with self.assertRaises(ValidationError):
            self.problem.with_user(self.agent).psa_is_problem = False
