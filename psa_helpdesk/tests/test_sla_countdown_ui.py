# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .test_sla_alerts import PsaSlaAlertCommon

COUNTDOWN_JS = """
(async () => {
    let el = null;
    for (let i = 0; i < 200 && !el; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const found = document.querySelector(".o_psa_sla_countdown");
        if (found && /left|late by/.test(found.textContent)) {
            el = found;
        }
    }
    if (!el) {
        console.error("no SLA countdown in the ticket form");
        return;
    }
    const first = el.textContent;
    await new Promise((resolve) => setTimeout(resolve, 2100));
    if (el.textContent === first) {
        console.error("the SLA countdown does not tick: " + first);
    } else if (!/text-bg-(success|warning|danger)/.test(el.className)) {
        console.error("the SLA countdown has no colour: " + el.className);
    } else {
        console.log("test successful");
    }
})();
"""

KANBAN_JS = """
(async () => {
    for (let i = 0; i < 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const bars = [...document.querySelectorAll(".o_psa_sla_card_bar")];
        if (bars.some((bar) => bar.classList.contains("bg-danger"))
            && bars.some((bar) => bar.classList.contains("bg-success"))) {
            console.log("test successful");
            return;
        }
    }
    console.error("no red and green SLA bars on the kanban cards");
})();
"""


@tagged("post_install", "-at_install")
class TestSlaCountdownUi(HttpCase, PsaSlaAlertCommon):
    def test_countdown_ticks_in_form(self):
        ticket = self._new()
        self.assertTrue(ticket.psa_sla_deadline)
        self.browser_js(
            f"/odoo/helpdesk.ticket/{ticket.id}",
            COUNTDOWN_JS,
            ready="",
            login="admin",
            timeout=60,
        )

    def test_kanban_card_colours(self):
        ticket = self._new(name="On time")
        late = self._new(name="Late")
        late_clock = self._clock(late, "response")
        late_clock.sudo().write({"status": "breached"})
        self.assertEqual(late.psa_sla_status, "breached")
        self.assertEqual(ticket.psa_sla_status, "running")
        self.browser_js(
            "/odoo/helpdesk-tickets?view_type=kanban",
            KANBAN_JS,
            ready="",
            login="admin",
            timeout=60,
        )
