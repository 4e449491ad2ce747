# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import PsaContractCommon


@tagged("post_install", "-at_install")
class TestSlaPolicyInput(PsaContractCommon):
    """Bad policy input is refused with a clear message."""

    def _policy(self, **vals):
        values = {"name": "Bad", "resource_calendar_id": self.calendar.id}
        values.update(vals)
        return self.env["psa.sla.policy"].create(values)

    def _target(self, **vals):
        values = {"priority": "3", "response_hours": 2, "resolution_hours": 8}
        values.update(vals)
        return {"target_ids": [Command.create(values)]}

    def test_targets_positive(self):
        for bad in (
            {"response_hours": 0},
            {"response_hours": -1},
            {"resolution_hours": 0},
            {"resolution_hours": -8},
            {"update_hours": -1},
            {"response_hours": 9, "resolution_hours": 8},
        ):
            with self.subTest(bad=bad), self.assertRaises(ValidationError) as error:
                self._policy(**self._target(**bad))
            self.assertIn("P3", str(error.exception))
        # Zero update interval: no update clock, allowed.
        self._policy(**self._target(update_hours=0))

    def test_thresholds_between_0_and_100(self):
        for first, second in (
            (0, 90),
            (-5, 90),
            (100, 0),
            (120, 0),
            (75, 100),
            (75, 75),
            (90, 75),
        ):
            with (
                self.subTest(first=first, second=second),
                self.assertRaises(ValidationError),
            ):
                self._policy(warning_threshold_1=first, warning_threshold_2=second)
        self._policy(warning_threshold_1=50, warning_threshold_2=0)
        with self.assertRaises(ValidationError) as error:
            self.policy.warning_threshold_1 = 100
        self.assertIn("strictly between 0 and 100", str(error.exception))

    def test_calendar_needed_for_business_hours(self):
        with self.assertRaises(ValidationError) as error:
            self._policy(resource_calendar_id=False, **self._target())
        self.assertIn("needs a working calendar", str(error.exception))
        # Only a P1 target counted 24×7: no calendar needed.
        self._policy(
            resource_calendar_id=False,
            p1_round_the_clock=True,
            **self._target(priority="1"),
        )
        with self.assertRaises(ValidationError):
            self._policy(
                resource_calendar_id=False,
                p1_round_the_clock=True,
                **self._target(priority="2"),
            )

    def test_penalty_terms_not_negative(self):
        for field in ("penalty_per_breach", "penalty_per_hour"):
            with self.subTest(field=field), self.assertRaises(ValidationError):
                self.contract[field] = -1
