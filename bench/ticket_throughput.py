"""Ticket throughput benchmark: psa_helpdesk against the helpdesk it extends.

Runs the same workload on databases that differ only in the installed addons:

* ``bare``: helpdesk_mgmt + helpdesk_mgmt_project (what psa_helpdesk extends)
* ``psa``: psa_helpdesk
* ``oca_sla``: helpdesk_mgmt + helpdesk_mgmt_project + OCA helpdesk_mgmt_sla

Workload (inside one transaction, rolled back, repeated ``--rounds`` times):
create ``--tickets`` tickets in batches of ``--batch`` for one customer (with an
installation on the psa database), then move ``--moves`` of them to another
stage one ticket at a time, as agents do from the form.

Prints seconds and SQL queries per phase (median over rounds) and the ratios
against ``bare``. Not a test: numbers depend on the machine.

Usage: bench/run ticket_throughput [--scenarios bare,psa,oca_sla] [--rounds 3]
"""

import argparse
import statistics
import time

import odoo
from odoo import api
from odoo.modules.registry import Registry

SCENARIOS = {
    "bare": "helpdesk_mgmt,helpdesk_mgmt_project",
    "psa": "psa_helpdesk",
    "oca_sla": "helpdesk_mgmt,helpdesk_mgmt_project,helpdesk_mgmt_sla",
}


def workload(env, tickets, batch, moves):
    """Run the workload once; return {phase: (seconds, queries)}."""
    Partner = env["res.partner"]
    customer = Partner.create({"name": "Bench customer", "is_company": True})
    contact = Partner.create({"name": "Bench contact", "parent_id": customer.id})
    if "psa.installation" in env:
        product = env["psa.product"].create({"name": "Bench", "code": "BENCH"})
        version = env["psa.product.version"].create(
            {"product_id": product.id, "name": "1.0"}
        )
        env["psa.installation"].create(
            {
                "partner_id": customer.id,
                "product_id": product.id,
                "version_id": version.id,
            }
        )
    stages = env["helpdesk.ticket.stage"].search([("closed", "=", False)], limit=2)
    env.flush_all()
    results = {}

    start, queries = time.perf_counter(), odoo.sql_db.sql_counter
    created = env["helpdesk.ticket"]
    for i in range(0, tickets, batch):
        created |= env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Bench ticket {n}",
                    "description": "<p>Something is broken</p>",
                    "partner_id": contact.id,
                }
                for n in range(i, min(i + batch, tickets))
            ]
        )
        env.flush_all()
    results["create"] = (time.perf_counter() - start, odoo.sql_db.sql_counter - queries)

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
