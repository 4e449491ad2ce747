# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A request Odoo retries (SPEC §7). Under concurrent load, a transaction
that hits a serialization failure is run again by Odoo (``odoo.service.model``
for RPC, ``odoo.http`` for the web client) with the same arguments: the
ticket pipeline must leave them as it got them (found by ``bench/load.py
--servers 2 --as-agents``: an agent's create failed on its retry)."""

import copy

from odoo.tests import tagged

from .common import PsaContractCommon


@tagged("post_install", "-at_install")
class TestRequestRetry(PsaContractCommon):
    def test_create_leaves_the_callers_values_as_given(self):
        """An agent's create, run twice with the same dicts as a retry does,
        opens two tickets; the dicts are never completed with the system
        fields (history starts, company, entitlement) the agent may not
        write."""
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        vals = {
            "name": "Invoices do not print",
            "description": "<p>Since this morning</p>",
            "partner_id": self.contact.id,
        }
        given = copy.deepcopy(vals)
        first = Ticket.create(vals)
        self.assertEqual(vals, given)
        vals_list = [vals]
        second = Ticket.create(vals_list)
        self.assertEqual(vals_list, [given])
        self.assertNotEqual(first, second)
        self.assertEqual(
            first.psa_segment_since.keys(), second.psa_segment_since.keys()
        )
