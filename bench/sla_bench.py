"""SLA alert run benchmark: the scheduled action over many open tickets.

On a throw-away copy of the ``psa`` benchmark database (``createdb -T``,
dropped at the end unless ``--keep``), creates ``--tickets`` open tickets with
their running response and resolution clocks, in bulk (one ticket and its
clocks made by the ORM, copied by SQL ``INSERT ... SELECT``). A share
``--due`` of the tickets has an alert due now, spread over the three levels
(first warning, second warning, breach); the other clocks are due in days.

Then times the scheduled action ``psa.ticket.sla._cron_refresh_status`` as
production runs it (status refresh, then alerts, in batches, committing each
batch), and a second run right after, which must send nothing (idempotence)
and shows the cost of a run over all open tickets when nothing is due.

Usage: bench/run sla_bench [--tickets 50000] [--due 0.1] [--batch 1000]
Not a test: numbers depend on the machine.
"""

import argparse
import cProfile
import pstats
import subprocess
import time
from datetime import timedelta

import odoo
from odoo import api, fields
from odoo.fields import Command
from odoo.modules.registry import Registry


def setup_psa_sla(env, customer):
    """psa_helpdesk as configured in production: a working calendar, an SLA
    policy with targets per priority, a service tier, an active contract of
    the customer naming the policy (so every ticket runs its clocks), and an
    installation of a covered product."""
    product = env["psa.product"].create({"name": "Alert bench", "code": "ABENCH"})
    version = env["psa.product.version"].create(
        {"product_id": product.id, "name": "1.0"}
    )
    env["psa.installation"].create(
        {"partner_id": customer.id, "product_id": product.id, "version_id": version.id}
    )
    calendar = env.company.resource_calendar_id
    policy = env["psa.sla.policy"].create(
        {
            "name": "Alert bench policy",
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
            "name": "Alert bench tier",
            "matrix_ids": [
                Command.create({"severity": s, "priority": s}) for s in ("1", "2", "3")
            ],
        }
    )
    env["psa.contract"].create(
        {
            "name": "Alert bench contract",
            "partner_id": customer.id,
            "product_ids": [Command.set(product.ids)],
            "service_tier_id": tier.id,
            "sla_policy_id": policy.id,
            "date_start": "2020-01-01",
            "confirmed": True,
        }
    )


def setup(env):
    """One customer with a contract and policy (``setup_psa_sla``), one
    team with a leader, an assignee, a support manager; returns a template
    ticket with its clocks."""
    Users = env["res.users"].with_context(no_reset_password=True)
    agent, leader, manager = (
        Users.create(
            {
                "name": f"Bench {role}",
                "login": f"alerts_bench_{role}",
                "email": f"{role}@bench.example",
                "groups_id": [Command.set(env.ref(f"psa_helpdesk.group_psa_{g}").ids)],
            }
        )
        for role, g in (("agent", "agent"), ("leader", "agent"), ("manager", "manager"))
    )
    Partner = env["res.partner"]
    customer = Partner.create({"name": "Bench customer", "is_company": True})
    contact = Partner.create({"name": "Bench contact", "parent_id": customer.id})
    setup_psa_sla(env, customer)
    team = env["helpdesk.ticket.team"].create(
        {
            "name": "Alert bench team",
            "user_id": leader.id,
            "user_ids": [Command.set((agent | leader).ids)],
        }
    )
    ticket = env["helpdesk.ticket"].create(
        {
            "name": "Bench template",
            "description": "<p>Something is broken</p>",
            "partner_id": contact.id,
            "team_id": team.id,
            "user_id": agent.id,
        }
    )
    env.flush_all()
    assert len(ticket.psa_sla_ids) == 2, "the template ticket runs two clocks"
    return ticket, manager


def columns(cr, table, skip):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
        [table],
    )
    return [name for (name,) in cr.fetchall() if name not in skip]


def bulk_copy(env, template, count, due):
    """``count`` copies of the template ticket and its clocks, by SQL."""
    cr = env.cr
    cols = columns(cr, "helpdesk_ticket", {"id", "name", "number"})
    col_list = ", ".join(f'"{c}"' for c in cols)
    cr.execute(
        f"""
        INSERT INTO helpdesk_ticket (name, number, {col_list})
        SELECT 'Bench ticket ' || n, 'B' || n, {col_list}
          FROM helpdesk_ticket, generate_series(1, %s) AS n
         WHERE id = %s
        RETURNING id
        """,
        [count, template.id],
    )
    ticket_ids = [row[0] for row in cr.fetchall()]
    cols = columns(cr, "psa_ticket_sla", {"id", "ticket_id"})
    col_list = ", ".join(f'"{c}"' for c in cols)
    cr.execute(
        f"""
        INSERT INTO psa_ticket_sla (ticket_id, {col_list})
        SELECT t.id, {", ".join(f'c."{c}"' for c in cols)}
          FROM psa_ticket_sla c, unnest(%s::int[]) AS t(id)
         WHERE c.ticket_id = %s
        """,
        [ticket_ids, template.id],
    )
    # Dates: everything due in days, except the resolution clocks of the
    # first ``due`` share of tickets, due now at one of the three levels.
    now = fields.Datetime.now()
    later = now + timedelta(days=3)
    cr.execute(
        """
        UPDATE psa_ticket_sla
           SET start_date = %(start)s, checkpoint_date = %(start)s,
               warning_1_date = %(later)s, warning_2_date = %(later)s,
               deadline = %(later)s + interval '1 day', status = 'running'
         WHERE ticket_id = ANY(%(ids)s)
        """,
        {"start": now - timedelta(hours=1), "later": later, "ids": ticket_ids},
    )
    due_ids = ticket_ids[: int(len(ticket_ids) * due)]
    minute = timedelta(minutes=1)
    for level, share in enumerate(due_ids[i::3] for i in range(3)):
        values = {
            "ids": share,
            "w1": now - minute if level == 0 else now - 60 * minute,
            "w2": now + 60 * minute if level == 0 else now - minute * (3 - level),
            "deadline": now + 120 * minute if level < 2 else now - minute,
            "w1_sent": None if level == 0 else now - 60 * minute,
            "w2_sent": None if level < 2 else now - 2 * minute,
        }
        cr.execute(
            """
            UPDATE psa_ticket_sla
               SET warning_1_date = %(w1)s, warning_2_date = %(w2)s,
                   deadline = %(deadline)s,
                   warning_1_alert_date = %(w1_sent)s,
                   warning_2_alert_date = %(w2_sent)s
             WHERE ticket_id = ANY(%(ids)s) AND metric = 'resolution'
            """,
            values,
        )
    cr.execute(
        """
        UPDATE helpdesk_ticket t SET psa_sla_deadline = c.deadline
          FROM (SELECT ticket_id, min(deadline) AS deadline FROM psa_ticket_sla
                 WHERE ticket_id = ANY(%s) GROUP BY ticket_id) c
         WHERE c.ticket_id = t.id
        """,
        [ticket_ids],
    )
    env.invalidate_all()
    return ticket_ids, due_ids


def counts(env):
    env.cr.execute(
        """
        SELECT (SELECT count(*) FROM mail_activity WHERE res_model = 'helpdesk.ticket'),
               (SELECT count(*) FROM mail_message
                 WHERE model = 'helpdesk.ticket' AND body::text LIKE '%%Alerted:%%')
        """
    )
    return env.cr.fetchone()


def timed_run(registry, batch, profile=False):
    """One run of the scheduled action, as ``_cron_refresh_status`` does it
    (``batch``: ``{"batch_size": n}``, or empty for its default), timing its
    phases; returns (seconds, queries, activities, notes, {phase: seconds})."""
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        Sla = env["psa.ticket.sla"]
        Alert = env["psa.sla.alert"]
        before = counts(env)
        phases = {}
        start, queries = time.perf_counter(), odoo.sql_db.sql_counter
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        for phase, method in (
            ("status", lambda: Sla._refresh_due_statuses(**batch)),
            ("alerts", lambda: Alert._send_due_alerts(**batch)),
            ("schedule", Sla._schedule_next_refresh),
        ):
            phase_start = time.perf_counter()
            method()
            env.flush_all()
            phases[phase] = time.perf_counter() - phase_start
        if profiler:
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(25)
        cr.commit()
        elapsed = time.perf_counter() - start
        queries = odoo.sql_db.sql_counter - queries
        after = counts(env)
    return elapsed, queries, after[0] - before[0], after[1] - before[1], phases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db-prefix", default="psa_bench_")
    parser.add_argument("--tickets", type=int, default=50000)
    parser.add_argument("--due", type=float, default=0.1)
    parser.add_argument(
        "--batch", type=int, help="batch size (default: the scheduled action's)"
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile run 1")
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        [f"--addons-path={args.addons_path}", "--log-level=warn"]
    )
    template_db, db = args.db_prefix + "psa", args.db_prefix + "alerts"
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    subprocess.run(["createdb", "-T", template_db, db], check=True)
    try:
        registry = Registry(db)
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            start = time.perf_counter()
            template, _manager = setup(env)
            ticket_ids, due_ids = bulk_copy(env, template, args.tickets, args.due)
            cr.commit()
            print(
                f"filled {len(ticket_ids)} open tickets, {2 * len(ticket_ids)} "
                f"running clocks, {len(due_ids)} with an alert due "
                f"({time.perf_counter() - start:.1f}s)"
            )
        batch = {"batch_size": args.batch} if args.batch else {}
        first = timed_run(registry, batch, profile=args.profile)
        second = timed_run(registry, batch)
        header = ("run", "seconds", "queries", "activities", "notes", "phases (s)")
        print("\n{:<8} {:>8} {:>8} {:>10} {:>6}  {}".format(*header))
        for name, (secs, queries, activities, notes, phases) in (
            ("first", first),
            ("second", second),
        ):
            detail = ", ".join(f"{p} {t:.2f}" for p, t in phases.items())
            print(
                f"{name:<8} {secs:8.2f} {queries:8d} {activities:10d} {notes:6d}  "
                f"{detail}"
            )
        if first[3]:
            print(
                f"\n{first[4]['alerts'] / first[3] * 1000:.2f} ms and "
                f"{first[1] / first[3]:.2f} queries per alert sent (first run)"
            )
    finally:
        if not args.keep:
            Registry.delete(db)
            odoo.sql_db.close_db(db)
            subprocess.run(["dropdb", "--if-exists", db], check=False)


if __name__ == "__main__":
    main()
