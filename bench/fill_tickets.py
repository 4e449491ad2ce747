"""Fill a psa_helpdesk database with many tickets across the demo customers.

Usage: bench/fill_tickets.py --addons-path P --db DB [--tickets 5000]
Tickets are spread over customer contacts, stages and the last 60 days.
"""

import argparse
import random

import odoo
from odoo import api
from odoo.modules.registry import Registry


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        [f"--addons-path={args.addons_path}", "--log-level=warn"]
    )
    rnd = random.Random(42)
    with Registry(args.db).cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        contacts = env["res.partner"].search(
            [("parent_id.installation_ids", "!=", False)]
        )
        # not a customer validation stage: a ticket waits there only once a
        # solution was sent (the create pipeline refuses it otherwise)
        stages = env["helpdesk.ticket.stage"].search(
            [("psa_customer_validation", "=", False)]
        )
        Ticket = env["helpdesk.ticket"]
        done = 0
        while done < args.tickets:
            size = min(args.batch, args.tickets - done)
            Ticket.create(
                [
                    {
                        "name": f"Generated ticket {done + n}",
                        "description": "<p>Generated for load tests</p>",
                        "partner_id": rnd.choice(contacts).id,
                        "stage_id": rnd.choice(stages).id,
                    }
                    for n in range(size)
                ]
            )
            env.flush_all()
            cr.commit()
            done += size
        print(f"{done} tickets created in {args.db}")


if __name__ == "__main__":
    main()
