"""Concurrent load on a multi-worker Odoo serving psa_helpdesk.

Starts Odoo with ``--workers`` HTTP workers and a cron thread on a demo-sized
database (``--db``, filled once with ``--tickets`` tickets), then runs
``--clients`` separate processes that, over XML-RPC on 127.0.0.1 and for
``--duration`` seconds, create tickets, move them between stages, post public
replies and read the ticket list, while the scheduled actions run. Reports
throughput, p50/p95 latency per operation and errors (must be 0), then checks
the data: no ticket without its SLA clocks and no SLA alert sent twice (when
the SLA engine is installed).

Usage: bench/run load [--clients 4] [--duration 60] [--workers 2]
"""

import argparse
import collections
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client

import psycopg2

LOGIN = PASSWORD = "admin"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rpc(url, db):
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
    uid = common.authenticate(db, LOGIN, PASSWORD, {})
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(db, uid, PASSWORD, model, method, list(args), kwargs)

    return call


def client(url, db, deadline, seed, queue):
    """One simulated agent: a bounded loop of realistic operations."""
    rnd = random.Random(seed)
    call = rpc(url, db)
    partners = call("res.partner", "search", [("parent_id", "!=", False)], limit=50)
    stages = call("helpdesk.ticket.stage", "search", [("closed", "=", False)])
    samples, errors, mine = [], [], []

    def timed(name, func):
        start = time.perf_counter()
        try:
            result = func()
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            errors.append(f"{name}: {str(exc)[:300]}")
            return None
        samples.append((name, time.perf_counter() - start))
        return result

    ops = 0
    while time.time() < deadline and ops < 100000:
        ops += 1
        choice = rnd.random()
        if choice < 0.3 or not mine:
            ticket = timed(
                "create",
                lambda ops=ops: call(
                    "helpdesk.ticket",
                    "create",
                    {
                        "name": f"Load ticket {seed}-{ops}",
                        "description": "<p>Load test</p>",
                        "partner_id": rnd.choice(partners),
                    },
                ),
            )
            if ticket:
                mine.append(ticket)
        elif choice < 0.55:
            tid = rnd.choice(mine)
            timed(
                "stage",
                lambda tid=tid: call(
                    "helpdesk.ticket", "write", [tid], {"stage_id": rnd.choice(stages)}
                ),
            )
        elif choice < 0.75:
            tid = rnd.choice(mine)
            timed(
                "reply",
                lambda tid=tid: call(
                    "helpdesk.ticket",
                    "message_post",
                    [tid],
                    body="We are working on it.",
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                ),
            )
        else:
            timed(
                "list",
                lambda: call(
                    "helpdesk.ticket",
                    "web_search_read",
                    [("stage_id.closed", "=", False)],
                    specification={
                        name: {}
                        for name in (
                            "number",
                            "name",
                            "stage_id",
                            "user_id",
                            "priority",
                        )
                    },
                    limit=80,
                ),
            )
    queue.put((samples, errors, mine))


def make_alerts_due(db, count):
    """Bring the first warning of ``count`` running clocks to now, so that the
    scheduled action has alerts to send while the clients work."""
    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cr:
        cr.execute(
            """
            UPDATE psa_ticket_sla
               SET warning_1_date = now() at time zone 'UTC' - interval '1 minute',
                   warning_1_alert_date = NULL
             WHERE id IN (
                SELECT id FROM psa_ticket_sla
                 WHERE end_date IS NULL AND paused_since IS NULL
                   AND status = 'running' AND warning_1_alert_date IS NULL
                 ORDER BY id LIMIT %s)
         RETURNING id
            """,
            [count],
        )
        return [row[0] for row in cr.fetchall()]


def check_alerts(call, due_ids):
    """No alert twice: one to-do per ticket, person and alert; and the due
    clocks were alerted. Returns the number of problems."""
    activities = call(
        "mail.activity",
        "search_read",
        [("res_model", "=", "helpdesk.ticket"), ("summary", "=like", "SLA %")],
        fields=["res_id", "user_id", "summary"],
    )
    seen = collections.Counter(
        (a["res_id"], a["user_id"] and a["user_id"][0], a["summary"])
        for a in activities
    )
    twice = sum(1 for n in seen.values() if n > 1)
    alerted = call(
        "psa.ticket.sla",
        "search_count",
        [("id", "in", due_ids), ("warning_1_alert_date", "!=", False)],
    )
    print(f"SLA alert activities: {len(activities)}, sent twice: {twice}")
    print(f"clocks made due before the run: {len(due_ids)}, alerted: {alerted}")
    return twice


def percentile(values, pct):
    values = sorted(values)
    return values[min(len(values) - 1, round(pct / 100 * (len(values) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--odoo", required=True, help="path of the odoo executable")
    parser.add_argument("--db", default="psa_load")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=int, default=90)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--alerts-due",
        type=int,
        default=500,
        help="running clocks whose first warning is due when the run starts",
    )
    args = parser.parse_args()
    due_ids = make_alerts_due(args.db, args.alerts_due)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            args.odoo,
            f"--addons-path={args.addons_path}",
            f"--database={args.db}",
            f"--db-filter=^{args.db}$",
            f"--workers={args.workers}",
            "--max-cron-threads=1",
            "--http-interface=127.0.0.1",
            f"--http-port={port}",
            "--limit-time-real=600",
            "--limit-time-cpu=300",
            "--log-level=warn",
            f"--logfile={os.path.abspath('.test-logs/load-server.log')}",
        ],
        start_new_session=True,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/web/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            sys.exit("the server did not start: see .test-logs/load-server.log")
        call = rpc(url, args.db)
        alert_cron = call(
            "ir.model.data",
            "search_read",
            [("module", "=", "psa_helpdesk"), ("model", "=", "ir.cron")],
            fields=["res_id", "name"],
        )
        if alert_cron:
            # let the scheduled actions run during the load
            call(
                "ir.cron",
                "write",
                [c["res_id"] for c in alert_cron],
                {"nextcall": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())},
            )
        deadline = time.time() + args.duration
        queue = multiprocessing.Queue()
        procs = [
            multiprocessing.Process(
                target=client, args=(url, args.db, deadline, n, queue)
            )
            for n in range(args.clients)
        ]
        started = time.time()
        for proc in procs:
            proc.start()
        results = [queue.get(timeout=args.duration + 300) for _ in procs]
        for proc in procs:
            proc.join()
        elapsed = time.time() - started
        samples = [s for r in results for s in r[0]]
        errors = [e for r in results for e in r[1]]
        created = [t for r in results for t in r[2]]

        print(
            f"\n{args.clients} clients, {args.workers} workers, "
            f"{args.duration}s on {args.db}"
        )
        rate = len(samples) / elapsed
        print(f"{len(samples)} operations in {elapsed:.1f}s: {rate:.1f} ops/s")
        print(f"{'operation':<8} {'count':>6} {'p50 ms':>8} {'p95 ms':>8}")
        for name in sorted({n for n, _d in samples}):
            durations = [d * 1000 for n, d in samples if n == name]
            print(
                f"{name:<8} {len(durations):6d} {statistics.median(durations):8.0f} "
                f"{percentile(durations, 95):8.0f}"
            )
        print(f"errors: {len(errors)}")
        for err in errors[:10]:
            print(f"  {err}")

        failures = len(errors)
        fields = call("helpdesk.ticket", "fields_get", attributes=["type"])
        if "psa_sla_ids" in fields and created:
            # entitled tickets with a policy must all have their clocks
            without = call(
                "helpdesk.ticket",
                "search_count",
                [
                    ("id", "in", created),
                    ("psa_sla_applies", "=", True),
                    ("psa_sla_policy_id", "!=", False),
                    ("psa_sla_ids", "=", False),
                ],
            )
            print(f"entitled tickets created without SLA clocks: {without}")
            failures += without
        failures += check_alerts(call, due_ids)
        sys.exit(1 if failures else 0)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
