"""Ticket throughput benchmark: psa_helpdesk against the helpdesk it extends.

Runs the same workload on databases that differ only in the installed addons:

* ``bare``: helpdesk_mgmt + helpdesk_mgmt_project (what psa_helpdesk extends)
* ``psa``: psa_helpdesk
* ``oca_sla``: helpdesk_mgmt + helpdesk_mgmt_project + OCA helpdesk_mgmt_sla

Workload (inside one transaction, rolled back, repeated ``--rounds`` times):
create ``--tickets`` tickets of one team in batches of ``--batch`` for one
customer, then move ``--moves`` of them to another stage one ticket at a time,
as agents do from the form. Each scenario has its SLA set up as in production,
so clocks run on every ticket: on ``psa``, an active contract of the customer
with an SLA policy (targets per priority on the company calendar), a service
tier and an installation; on ``oca_sla``, the team uses SLAs with a 4-hour
"reach the working stage" and a 5-day "reach a closed stage" SLA.

Prints seconds and SQL queries per phase (median over rounds) and the ratios
against ``bare``. Not a test: numbers depend on the machine.

Usage: bench/run ticket_throughput [--scenarios bare,psa,oca_sla] [--rounds 3]
"""

import argparse
import statistics
import time

import odoo
from odoo import api
from odoo.fields import Command
from odoo.modules.registry import Registry

SCENARIOS = {
    "bare": "helpdesk_mgmt,helpdesk_mgmt_project",
    "psa": "psa_helpdesk",
    "oca_sla": "helpdesk_mgmt,helpdesk_mgmt_project,helpdesk_mgmt_sla",
}


def setup_psa_sla(env, customer):
    """psa_helpdesk as configured in production: a working calendar, an SLA
    policy with targets per priority, a service tier, an active contract of
    the customer naming the policy (so every ticket runs its clocks), and an
    installation of a covered product."""
    product = env["psa.product"].create({"name": "Bench", "code": "BENCH"})
    version = env["psa.product.version"].create(
        {"product_id": product.id, "name": "1.0"}
    )
    env["psa.installation"].create(
        {"partner_id": customer.id, "product_id": product.id, "version_id": version.id}
    )
    calendar = env.company.resource_calendar_id
    policy = env["psa.sla.policy"].create(
        {
            "name": "Bench policy",
            "resource_calendar_id": calendar.id,
            "target_ids": [
                Command.create(
                    {
                        "priority": priority,
                        "response_hours": response,
                        "resolution_hours": resolution,
                        "update_hours": update,
                    }
                )
                for priority, response, resolution, update in (
                    ("1", 1, 8, 2),
                    ("2", 2, 16, 4),
                    ("3", 4, 40, 8),
                )
            ],
        }
    )
    tier = env["psa.service.tier"].create(
        {
            "name": "Bench tier",
            "matrix_ids": [
                Command.create({"severity": s, "priority": s}) for s in ("1", "2", "3")
            ],
        }
    )
    env["psa.contract"].create(
        {
            "name": "Bench contract",
            "partner_id": customer.id,
            "product_ids": [Command.set(product.ids)],
            "service_tier_id": tier.id,
            "sla_policy_id": policy.id,
            "date_start": "2020-01-01",
            "confirmed": True,
        }
    )


def setup_oca_sla(env, team):
    """OCA helpdesk_mgmt_sla as its documentation configures it: the team uses
    SLAs on the company calendar; one SLA to reach the working stage within 4
    hours, one to reach a closed stage within 5 days."""
    Stage = env["helpdesk.ticket.stage"]
    team.write(
        {
            "use_sla": True,
            "resource_calendar_id": env.company.resource_calendar_id.id,
        }
    )
    env["helpdesk.sla"].create(
        [
            {
                "name": "Bench response",
                "team_ids": [Command.set(team.ids)],
                "stage_id": Stage.search([("closed", "=", False)], limit=2)[-1].id,
                "hours": 4,
            },
            {
                "name": "Bench resolution",
                "team_ids": [Command.set(team.ids)],
                "stage_id": Stage.search([("closed", "=", True)], limit=1).id,
                "days": 5,
            },
        ]
    )


def workload(env, tickets, batch, moves):
    """Run the workload once; return {phase: (seconds, queries)}."""
    Partner = env["res.partner"]
    customer = Partner.create({"name": "Bench customer", "is_company": True})
    contact = Partner.create({"name": "Bench contact", "parent_id": customer.id})
    team = env["helpdesk.ticket.team"].create({"name": "Bench team"})
    if "psa.installation" in env:
        setup_psa_sla(env, customer)
    if "helpdesk.sla" in env:
        setup_oca_sla(env, team)
    stages = env["helpdesk.ticket.stage"].search([("closed", "=", False)], limit=2)
    env.flush_all()
    results = {}
    sla_clocks = 0

    start, queries = time.perf_counter(), odoo.sql_db.sql_counter
    created = env["helpdesk.ticket"]
    for i in range(0, tickets, batch):
        created |= env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Bench ticket {n}",
                    "description": "<p>Something is broken</p>",
                    "partner_id": contact.id,
                    "team_id": team.id,
                }
                for n in range(i, min(i + batch, tickets))
            ]
        )
        env.flush_all()
    results["create"] = (time.perf_counter() - start, odoo.sql_db.sql_counter - queries)
    # Check the set-up does what it should: clocks run on every ticket.
    if "psa.ticket.sla" in env:
        sla_clocks = env["psa.ticket.sla"].search_count(
            [("ticket_id", "in", created.ids)]
        )
    elif "helpdesk.ticket.sla" in env:
        sla_clocks = env["helpdesk.ticket.sla"].search_count(
            [("ticket_id", "in", created.ids)]
        )
    results["clocks"] = sla_clocks

    start, queries = time.perf_counter(), odoo.sql_db.sql_counter
    for ticket in created[:moves]:
        ticket.stage_id = stages[-1]
        env.flush_all()
    results["stage"] = (time.perf_counter() - start, odoo.sql_db.sql_counter - queries)
    return results


def run_scenario(db, args):
    registry = Registry(db)
    rounds = []
    for _ in range(args.rounds):
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": False})
            rounds.append(workload(env, args.tickets, args.batch, args.moves))
            cr.rollback()
    clocks = rounds[0].pop("clocks")
    for r in rounds[1:]:
        r.pop("clocks")
    print(f"{db}: {clocks} SLA clocks for {args.tickets} tickets")
    return {
        phase: (
            statistics.median(r[phase][0] for r in rounds),
            statistics.median(r[phase][1] for r in rounds),
        )
        for phase in rounds[0]
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--scenarios", default="bare,psa,oca_sla")
    parser.add_argument("--db-prefix", default="psa_bench_")
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--moves", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scenarios = args.scenarios.split(",")
    odoo.tools.config.parse_config(
        [f"--addons-path={args.addons_path}", "--log-level=warn"]
    )
    table = {name: run_scenario(args.db_prefix + name, args) for name in scenarios}
    base = table.get("bare")
    print(
        f"\n{args.tickets} tickets created in batches of {args.batch}, "
        f"{args.moves} stage changes; median of {args.rounds} rounds\n"
    )
    print(f"{'scenario':<10} {'phase':<7} {'seconds':>8} {'queries':>8} {'× bare':>7}")
    for name, phases in table.items():
        for phase, (secs, queries) in phases.items():
            ratio = f"{secs / base[phase][0]:.2f}" if base else "-"
            print(f"{name:<10} {phase:<7} {secs:8.2f} {queries:8d} {ratio:>7}")
    if base:
        for name, phases in table.items():
            total = sum(s for s, _q in phases.values())
            total_base = sum(s for s, _q in base.values())
            print(f"{name}: total {total:.2f}s = {total / total_base:.2f}× bare")


if __name__ == "__main__":
    main()
