"""Upgrade and uninstall checks on a database where psa_helpdesk is installed
(with data: the test database, demo data included, after the tests ran).

1. Counts every psa table and the SLA clocks per status, runs
   ``odoo -u psa_helpdesk``, counts again: nothing may be lost or changed.
2. Uninstalls psa_helpdesk, then checks the helpdesk still works: a ticket is
   created, moved to another stage and closed, and its chatter written.

usage: lifecycle_check.py --odoo ODOO --addons-path P --db DB
Prints one line per check and ``N passed, M failed``; exit 1 on a failure.
Each Odoo run logs at WARNING level and its log is printed as it is, so that
scripts/test_summary.py judges its warnings and errors like those of the tests.
"""

import argparse
import subprocess
import sys

import psycopg2

COUNT_SQL = """
    SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
       AND (table_name LIKE 'psa\\_%' OR table_name LIKE 'helpdesk\\_ticket%')
     ORDER BY table_name
"""

SMOKE = """
ticket = env["helpdesk.ticket"].create(
    {"name": "After uninstall", "description": "<p>still works</p>"}
)
stages = env["helpdesk.ticket.stage"].search([], order="sequence")
ticket.stage_id = stages.filtered(lambda s: not s.closed)[-1:]
ticket.message_post(body="A note after uninstalling psa_helpdesk")
ticket.stage_id = stages.filtered("closed")[:1]
env.flush_all()
assert ticket.closed and ticket.message_ids, "the helpdesk does not work"
assert "psa.installation" not in env, "psa models still loaded"
print("SMOKE-OK", ticket.number)
env.cr.rollback()
"""

UNINSTALL = """
module = env["ir.module.module"].search([("name", "=", "psa_helpdesk")])
module.button_immediate_uninstall()
env.cr.commit()
"""


def snapshot(db):
    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cr:
        cr.execute(COUNT_SQL)
        tables = [row[0] for row in cr.fetchall()]
        counts = {}
        for table in tables:
            cr.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cr.fetchone()[0]
        cr.execute("SELECT to_regclass('psa_ticket_sla') IS NOT NULL")
        if cr.fetchone()[0]:
            cr.execute(
                "SELECT status, count(*),"
                "       coalesce(sum(consumed_hours), 0)::numeric(12, 4)"
                "  FROM psa_ticket_sla GROUP BY status ORDER BY status"
            )
            counts["psa_ticket_sla by status"] = cr.fetchall()
            cr.execute(
                "SELECT md5(string_agg(concat_ws('|', id, ticket_id, metric,"
                " status, deadline, end_date, target_hours), ',' ORDER BY id))"
                "  FROM psa_ticket_sla"
            )
            counts["psa_ticket_sla digest"] = cr.fetchone()[0]
    return counts


def odoo(args, step, *extra, stdin=None, command=()):
    """Run Odoo on the database; print its log (WARNING and up) under ``step``."""
    cmd = [
        args.odoo,
        *command,
        f"--addons-path={args.addons_path}",
        "-d",
        args.db,
        "--max-cron-threads=0",
        "--log-level=warn",
        "--no-http",
        *extra,
    ]
    result = subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, check=False
    )
    log = result.stderr.rstrip("\n")
    print(f"[lifecycle] odoo log of {step}:" + ("" if log else " (empty)"))
    if log:
        print(log)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--odoo", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    passed, failed = 0, 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        verdict = "ok  " if ok else "FAIL"
        shown = f": {detail}" if detail and not ok else ""
        print(f"[lifecycle] {verdict} {name}{shown}")
        if ok:
            passed += 1
        else:
            failed += 1

    before = snapshot(args.db)
    result = odoo(args, "upgrade", "-u", "psa_helpdesk", "--stop-after-init")
    bad = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if " ERROR " in line or " CRITICAL " in line
    ]
    check(
        "upgrade (-u psa_helpdesk) runs cleanly",
        result.returncode == 0 and not bad,
        "; ".join(bad[:3]),
    )
    after = snapshot(args.db)
    changed = {
        k: (before.get(k), after.get(k))
        for k in before | after
        if before.get(k) != after.get(k)
    }
    check(
        f"upgrade keeps every record ({len(before)} tables) and every SLA clock",
        not changed,
        str(changed)[:500],
    )

    result = odoo(args, "uninstall", stdin=UNINSTALL, command=["shell"])
    check("uninstall psa_helpdesk", result.returncode == 0, result.stderr[-500:])
    result = odoo(args, "smoke test", stdin=SMOKE, command=["shell"])
    check(
        "helpdesk works after uninstall (create, move, note, close)",
        "SMOKE-OK" in result.stdout,
        (result.stdout + result.stderr)[-800:],
    )
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
