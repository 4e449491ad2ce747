"""Concurrent load on one or more multi-worker Odoo servers serving psa_helpdesk.

Starts ``--servers`` Odoo server processes on the same database (``--db``,
filled once by ``bench/run``), each on its own port with ``--workers`` HTTP
workers and ``--max-cron-threads`` cron workers, as a shop behind a reverse
proxy runs them. ``--clients`` separate processes, spread round-robin over the
servers as a proxy would, create tickets, move them between stages, post
public replies and read the ticket list over XML-RPC for ``--duration``
seconds (now and then moving one of 20 tickets every client works on, so
that two servers write one ticket at the same time), while the scheduled
actions run and deliver the SLA alerts of ``--alerts-due`` clocks made due
before the start.

``--as-agents``: each client logs in as its own user with the PSA agent role
(created or reset by the script), so record rules and access checks are on
the measured path; a further client, a support manager, changes an SLA
policy and grants an entitlement exception meanwhile.

Fault runs:

``--kill-cron-worker``: while the SLA alert action delivers a large batch
(``--kill-alerts`` clocks made due), the process running it is killed with
SIGKILL; another cron worker (the other server's, or the one respawned by
the killed worker's server) finishes the job. The action then commits per
batch of ``--alert-batch`` clocks (100; 1,000 as installed), so that the
kill falls between two commits.

``--mail-twice``: the same inbound email (same Message-Id) is delivered
twice through the mail gateway (``mail.thread.message_process`` over
XML-RPC, as ``odoo-mailgate``/fetchmail deliver it): once after the other,
as a fetchmail retry after a failed commit does, and both at once on two
servers (``--mail-pairs`` emails of each kind).

``--db-replica-host HOST``: the servers get Odoo's read replica; the web
client's reads of the ticket list and of the report views (JSON-RPC, which
sends ``@api.readonly`` methods there) are checked. An empty HOST is the
primary through the local socket, in read-only transactions: what the
report views need of a replica, without one.

Reports throughput, p50/p95 latency per operation and errors, then checks the
data (see ``check_*``): no ticket lost or duplicated, every entitled ticket
with its clocks, every alert sent once (none twice, none missing, none
half-written), every ticket's history continuous, no SLA clock in an
impossible state, one ticket and one message per inbound email. Exits 1 when
any check fails.

Usage: bench/run load [--servers 2] [--as-agents] [--clients 4]
       [--duration 60] [--workers 2] [--kill-cron-worker] [--mail-twice]
       [--db-replica-host '']
"""

import argparse
import collections
import concurrent.futures
import contextlib
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import xmlrpc.client

import psycopg2

ADMIN = ("admin", "admin")
ALERT_CRON_XMLID = "psa_ticket_sla_cron_refresh"
# Notes and activities of the alerts (psa.sla.alert._prepare_alert), in the
# language of the scheduled action's user (English).
NOTE_RE = re.compile(r"SLA (first warning|second warning|breached): (.+?) due ")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rpc(url, db, login, password):
    """``call(model, method, *args, **kwargs)`` over XML-RPC as ``login``."""
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
    uid = common.authenticate(db, login, password, {})
    if not uid:
        raise RuntimeError(f"{login} cannot log in to {db} on {url}")
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(db, uid, password, model, method, list(args), kwargs)

    return call


@contextlib.contextmanager
def pg(db):
    """A connection of this script to ``db`` (autocommit), closed after."""
    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def xmlid(admin, name):
    """The id of the record ``module.name`` (read over XML-RPC)."""
    module, _dot, short = name.partition(".")
    rows = admin(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", short)],
        fields=["res_id"],
    )
    if not rows:
        raise RuntimeError(f"{name} not found")
    return rows[0]["res_id"]


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------


def start_servers(args):
    """Start ``args.servers`` Odoo servers (each its own process group, HTTP
    and gevent ports, log file); returns [(url, Popen, logfile)]."""
    servers = []
    for index in range(args.servers):
        port, gevent_port = free_port(), free_port()
        logfile = os.path.abspath(f".test-logs/load-server-{index + 1}.log")
        if os.path.exists(logfile):
            os.unlink(logfile)
        proc = subprocess.Popen(
            [
                args.odoo,
                f"--addons-path={args.addons_path}",
                f"--database={args.db}",
                f"--db-filter=^{args.db}$",
                f"--workers={args.workers}",
                f"--max-cron-threads={args.max_cron_threads}",
                f"--db_maxconn={args.db_maxconn}",
                "--http-interface=127.0.0.1",
                f"--http-port={port}",
                f"--gevent-port={gevent_port}",
                "--limit-time-real=600",
                "--limit-time-cpu=300",
                "--limit-time-real-cron=600",
                "--log-level=info",
                "--log-handler=werkzeug:WARNING",
                f"--logfile={logfile}",
                *(
                    # the pool's debug lines show the read-only connections
                    [
                        f"--db_replica_host={args.db_replica_host}",
                        "--log-handler=odoo.sql_db:DEBUG",
                    ]
                    if args.db_replica_host is not None
                    else []
                ),
            ],
            start_new_session=True,
        )
        servers.append((f"http://127.0.0.1:{port}", proc, logfile))
    for url, _proc, logfile in servers:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/web/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"a server did not start: see {logfile}")
    return servers


def stop_servers(servers):
    for _url, proc, _log in servers:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for _url, proc, _log in servers:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        # workers left behind by a killed master: same process group
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def server_of_pid(servers, pid):
    """Index (1-based) of the server whose process group holds ``pid``."""
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return None
    for index, (_url, proc, _log) in enumerate(servers, 1):
        if proc.pid == pgid:
            return index
    return None


# ---------------------------------------------------------------------------
# Set-up: users, alerts due
# ---------------------------------------------------------------------------


def ensure_user(admin, login, groups, name):
    """The user ``login`` (password = login) in exactly the internal user and
    ``groups`` xmlids, created or reset; returns its id."""
    group_ids = [xmlid(admin, group) for group in groups]
    user_ids = admin(
        "res.users",
        "search",
        [("login", "=", login)],
        context={"active_test": False},
    )
    vals = {
        "name": name,
        "login": login,
        "password": login,
        "email": f"{login}@load.example.com",
        "active": True,
        "groups_id": [(6, 0, group_ids)],
        "tz": "Europe/Madrid",
    }
    if user_ids:
        admin("res.users", "write", user_ids, vals)
        return user_ids[0]
    return admin("res.users", "create", vals, context={"no_reset_password": True})


def make_users(admin, clients):
    agents = [
        ensure_user(
            admin,
            f"load_agent_{n + 1}",
            ["base.group_user", "psa_helpdesk.group_psa_agent"],
            f"Load agent {n + 1}",
        )
        for n in range(clients)
    ]
    manager = ensure_user(
        admin,
        "load_manager",
        ["base.group_user", "psa_helpdesk.group_psa_manager"],
        "Load support manager",
    )
    return agents, manager


def walk_in_customer(admin):
    """A customer without contract (so that its tickets need an entitlement
    exception), created once: [its id]."""
    email = "walk-in@load.example.com"
    return admin("res.partner", "search", [("email", "=", email)]) or [
        admin(
            "res.partner",
            "create",
            {"name": "Load walk-in customer", "is_company": True, "email": email},
        )
    ]


def make_alerts_due(db, count):
    """Bring the first warning of ``count`` running clocks (their deadline
    half an hour away or more) to two minutes ago and forget the alerts they
    had, so that the alert action has them to send; clocks alerted by an
    earlier run are used again. Returns [(clock id, level)]."""
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute(
            """
            UPDATE psa_ticket_sla
               SET warning_1_date = now() at time zone 'UTC' - interval '2 minutes',
                   warning_1_alert_date = NULL,
                   warning_2_alert_date = NULL,
                   breach_alert_date = NULL
             WHERE id IN (
                SELECT id FROM psa_ticket_sla
                 WHERE end_date IS NULL AND paused_since IS NULL
                   AND deadline > now() at time zone 'UTC' + interval '30 minutes'
                 ORDER BY id LIMIT %s)
         RETURNING id
            """,
            [count],
        )
        due = [(row[0], "warning_1") for row in cr.fetchall()]
    if len(due) < count:
        print(f"only {len(due)} clocks could be made due (asked {count})")
    return due


def set_alert_batch(admin, cron_id, batch):
    """The alert action's code for a batch of ``batch`` clocks (None: as
    installed); returns the code it had."""
    old = admin("ir.cron", "read", [cron_id], ["code"])[0]["code"]
    code = "model._cron_refresh_status()"
    if batch:
        code = f"model._cron_refresh_status(batch_size={int(batch)})"
    admin("ir.cron", "write", [cron_id], {"code": code})
    return old


def wake_alert_cron(admin):
    cron_id = xmlid(admin, f"psa_helpdesk.{ALERT_CRON_XMLID}")
    admin(
        "ir.cron",
        "write",
        [cron_id],
        {"nextcall": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())},
    )
    return cron_id


# ---------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------


def guarded(target, queue, *args):
    """Run the client ``target``; should it crash, its crash is an error of
    the run (the queue always gets one result per client)."""
    try:
        target(*args, queue)
    except Exception as exc:  # noqa: BLE001 - reported as an error
        queue.put(([], [f"{target.__name__} crashed: {str(exc)[-300:]}"], [], None))


class Timer:
    def __init__(self):
        self.samples, self.errors = [], []

    def __call__(self, name, func):
        start = time.perf_counter()
        try:
            result = func()
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            self.errors.append(f"{name}: {str(exc)[-300:]}")
            return None
        self.samples.append((name, time.perf_counter() - start))
        return result


def client(url, db, login, deadline, seed, tag, shared, queue):
    """One simulated agent: a bounded loop of realistic operations on the
    tickets it created, and now and then on ``shared`` tickets every client
    works on (concurrent writes on one ticket)."""
    rnd = random.Random(seed)
    timer = Timer()
    mine = []
    try:
        call = rpc(url, db, *login)
        partners = call("res.partner", "search", [("parent_id", "!=", False)], limit=50)
        # open stages an agent moves a ticket to by hand (a customer validation
        # stage is reached by applying an article, not by a write)
        stages = call(
            "helpdesk.ticket.stage",
            "search",
            [("closed", "=", False), ("psa_customer_validation", "=", False)],
        )
    except Exception as exc:  # noqa: BLE001
        queue.put(([], [f"login {login[0]}: {exc}"], [], seed))
        return
    ops = 0
    while time.time() < deadline and ops < 100000:
        ops += 1
        choice = rnd.random()
        if choice < 0.3 or not mine:
            ticket = timer(
                "create",
                lambda ops=ops: call(
                    "helpdesk.ticket",
                    "create",
                    {
                        "name": f"Load ticket {tag}-{seed}-{ops}",
                        "description": "<p>Load test</p>",
                        "partner_id": rnd.choice(partners),
                    },
                ),
            )
            if ticket:
                mine.append(ticket)
        elif choice < 0.55:
            tid = rnd.choice(shared) if shared and rnd.random() < 0.2 else None
            tid = tid or rnd.choice(mine)
            timer(
                "stage",
                lambda tid=tid: call(
                    "helpdesk.ticket", "write", [tid], {"stage_id": rnd.choice(stages)}
                ),
            )
        elif choice < 0.75:
            tid = rnd.choice(mine)
            timer(
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
            timer(
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
                            "psa_sla_remaining_hours",
                        )
                    },
                    limit=80,
                ),
            )
    queue.put((timer.samples, timer.errors, mine, seed))


def manager_client(url, db, deadline, tag, uncovered, queue):
    """A support manager: every few seconds changes the second warning of an
    SLA policy (back and forth) and grants an entitlement exception to a
    ticket no contract covers (created for it)."""
    timer = Timer()
    granted = []
    call = rpc(url, db, "load_manager", "load_manager")
    policies = call("psa.sla.policy", "search_read", [], fields=["warning_threshold_2"])
    rnd = random.Random(tag)
    step = 0
    while time.time() < deadline:
        step += 1
        if policies and step % 2:
            policy = rnd.choice(policies)
            value = 89.0 if policy["warning_threshold_2"] != 89.0 else 90.0
            if timer(
                "policy",
                lambda policy=policy, value=value: call(
                    "psa.sla.policy",
                    "write",
                    [policy["id"]],
                    {"warning_threshold_2": value},
                ),
            ):
                policy["warning_threshold_2"] = value
        elif uncovered:
            ticket = timer(
                "create",
                lambda step=step: call(
                    "helpdesk.ticket",
                    "create",
                    {
                        "name": f"Load ticket {tag}-manager-{step}",
                        "description": "<p>No contract</p>",
                        "partner_id": rnd.choice(uncovered),
                    },
                ),
            )
            if ticket:
                granted.append(ticket)
                entitled = call("helpdesk.ticket", "read", [ticket], ["psa_entitled"])[
                    0
                ]["psa_entitled"]
                if not entitled:
                    timer(
                        "exception",
                        lambda ticket=ticket: call(
                            "psa.entitlement.exception.wizard",
                            "action_grant",
                            [
                                call(
                                    "psa.entitlement.exception.wizard",
                                    "create",
                                    {"ticket_id": ticket, "reason": "Load test"},
                                )
                            ],
                        ),
                    )
        time.sleep(2)
    queue.put((timer.samples, timer.errors, granted, "manager"))


# ---------------------------------------------------------------------------
# Fault: the cron worker killed while delivering alerts
# ---------------------------------------------------------------------------


def job_holder(db, cron_id):
    """(pid of the Odoo process whose cron cursor holds the job ``cron_id``,
    or None): the cursor that acquired it stays idle in its transaction,
    its last query the acquiring SELECT ... FOR NO KEY UPDATE SKIP LOCKED."""
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute(
            """
            SELECT application_name, query FROM pg_stat_activity
             WHERE datname = %s AND state LIKE 'idle in transaction%%'
               AND query LIKE %s AND query LIKE '%%FOR NO KEY UPDATE SKIP LOCKED%%'
            """,
            [db, "%last_cron_progress%"],
        )
        for name, query in cr.fetchall():
            match = re.fullmatch(r"odoo-(\d+)", name or "")
            # the job's id is in the query (psycopg2 binds client-side)
            job = re.search(r"WHERE cron_id = (\d+)", query)
            if match and job and int(job.group(1)) == cron_id:
                return int(match.group(1))
    return None


# A clock whose first warning is still to send: the engine's own "due"
# (psa.sla.alert._due_domain). A clock a client paused, stopped or moved
# (its warning rescheduled) before the alert went is no longer due.
STILL_DUE = (
    "warning_1_alert_date IS NULL AND end_date IS NULL AND paused_since IS NULL "
    "AND warning_1_date <= now() at time zone 'UTC'"
)


def alert_progress(db, due):
    """(alerted, still due) among the ``due`` clocks."""
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute(
            f"""
            SELECT count(*) FILTER (WHERE warning_1_alert_date IS NOT NULL),
                   count(*) FILTER (WHERE {STILL_DUE})
              FROM psa_ticket_sla WHERE id = ANY(%s)
            """,
            [[cid for cid, _level in due] or [0]],
        )
        return cr.fetchone()


def kill_cron_worker(db, servers, cron_id, due, timeout):
    """Wait until the alert action has committed part of the ``due`` alerts,
    then SIGKILL the process running it. Returns a description."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        sent, pending = alert_progress(db, due)
        if sent and pending:
            pid = job_holder(db, cron_id)
            if pid:
                os.kill(pid, signal.SIGKILL)
                return (
                    f"killed cron worker {pid} of server {server_of_pid(servers, pid)} "
                    f"with {sent} of {len(due)} alerts sent"
                )
        if not pending:
            return f"not killed: all {len(due)} alerts were sent before"
        time.sleep(0.05)
    return "not killed: the alert action did not start in time"


def wait_alerts(db, due, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not alert_progress(db, due)[1]:
            return True
        time.sleep(1)
    return False


def cron_runs(servers, since_line, cron_id):
    """The alert action's progress lines each server logged during the run
    (``ir.cron``: "Job ... (id) processed N records, M records remaining"),
    as [(server, pid, text)]."""
    runs = []
    pattern = re.compile(rf"^\S+ \S+ (\d+) INFO .*Job .*\({cron_id}\) (processed .*)$")
    for index, (_url, _proc, logfile) in enumerate(servers, 1):
        with open(logfile, errors="replace") as handle:
            for number, line in enumerate(handle):
                match = pattern.match(line.rstrip())
                if number >= since_line.get(index, 0) and match:
                    runs.append((index, int(match.group(1)), match.group(2)))
    return runs


def log_lengths(servers):
    result = {}
    for index, (_url, _proc, logfile) in enumerate(servers, 1):
        with open(logfile, errors="replace") as handle:
            result[index] = sum(1 for _line in handle)
    return result


# ---------------------------------------------------------------------------
# Fault: the same inbound email twice
# ---------------------------------------------------------------------------


def prepare_mail_gateway(admin):
    """An alias domain and a team alias to write to; returns the address."""
    company = admin("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
    domain_ids = admin(
        "mail.alias.domain", "search", [("name", "=", "load.example.com")]
    )
    domain_id = (
        domain_ids[0]
        if domain_ids
        else admin(
            "mail.alias.domain",
            "create",
            {
                "name": "load.example.com",
                "bounce_alias": "bounce",
                "catchall_alias": "catchall",
            },
        )
    )
    admin("res.company", "write", [company], {"alias_domain_id": domain_id})
    team = admin(
        "helpdesk.ticket.team", "search", [("company_id", "=", company)], limit=1
    )
    admin(
        "helpdesk.ticket.team",
        "write",
        team,
        {
            "alias_name": "loadsupport",
            "alias_domain_id": domain_id,
            "alias_contact": "everyone",
        },
    )
    return "loadsupport@load.example.com"


def raw_email(address, sender, message_id, subject):
    """A customer's new request, as their mail client sends it."""
    return (
        f"From: {sender}\r\n"
        f"To: {address}\r\n"
        f"Subject: {subject}\r\n"
        f"Message-Id: {message_id}\r\n"
        f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Our invoices do not print since this morning.\r\n"
    )


def mail_twice(args, servers, tag):
    """Deliver ``--mail-pairs`` emails twice in a row (server 1, then the
    last server: a retry) and as many twice at once (the first and the last
    server racing), as ``odoo-mailgate`` does: ``mail.thread.message_process``
    over XML-RPC. Each email comes from its own sender (the gateway ignores
    a sender who opens too many tickets in a row, as a mail loop). Returns
    (Message-Ids, errors)."""
    admin = rpc(servers[0][0], args.db, *ADMIN)
    address = prepare_mail_gateway(admin)
    # logged in beforehand: the deliveries of a pair start together
    gateways = [rpc(url, args.db, *ADMIN) for url in (servers[0][0], servers[-1][0])]
    message_ids, errors = [], []

    def deliver(gateway, raw, barrier=None):
        if barrier:
            barrier.wait()
        raw = xmlrpc.client.Binary(raw.encode())
        return gateway("mail.thread", "message_process", False, raw)

    def email(kind, n):
        mid = f"<load-{tag}-{kind}-{n}-{uuid.uuid4().hex}@customer.example.com>"
        message_ids.append(mid)
        sender = f"Caller {kind} {n} <caller-{tag}-{kind}-{n}@customer.example.com>"
        return raw_email(address, sender, mid, f"Printing stopped ({kind} {n})")

    for n in range(args.mail_pairs):
        raw = email("retry", n)
        for gateway in gateways:
            try:
                deliver(gateway, raw)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"retried delivery: {str(exc)[-300:]}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for n in range(args.mail_pairs):
            raw = email("race", n)
            barrier = threading.Barrier(2)
            futures = [pool.submit(deliver, gw, raw, barrier) for gw in gateways]
            for future in futures:
                try:
                    future.result()
                except Exception as exc:  # noqa: BLE001
                    errors.append(f"racing delivery: {str(exc)[-300:]}")
    return message_ids, errors


def check_mail_twice(db, message_ids):
    """One message and one ticket per Message-Id. Returns the problems."""
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute(
            """
            SELECT mid.id, count(DISTINCT m.id),
                   count(DISTINCT t.id) FILTER (WHERE t.id IS NOT NULL)
              FROM unnest(%s::varchar[]) AS mid(id)
              LEFT JOIN mail_message m ON m.message_id = mid.id
              LEFT JOIN helpdesk_ticket t
                     ON m.model = 'helpdesk.ticket' AND t.id = m.res_id
             GROUP BY mid.id
            """,
            [message_ids],
        )
        rows = cr.fetchall()
    lost = sum(1 for _mid, messages, _tickets in rows if messages == 0)
    twice = sum(1 for _mid, messages, tickets in rows if messages > 1 or tickets > 1)
    print(
        f"inbound emails delivered twice: {len(message_ids)}, lost: {lost}, "
        f"with more than one message or ticket: {twice}"
    )
    return lost + twice


# ---------------------------------------------------------------------------
# Read replica: the report views as the web client reads them
# ---------------------------------------------------------------------------

REPORT_READS = [
    ("psa.sla.report", ["status"]),
    ("psa.sla.module.report", ["module_id"]),
    ("psa.ticket.time.report", ["dimension"]),
    ("psa.backlog.report", ["team_id"]),
]


def check_report_reads(url, db, login):
    """As the web client (JSON-RPC, a session; ``/web/dataset/call_kw``
    sends ``@api.readonly`` methods to the read replica when the server has
    ``--db_replica_host``): the ticket list and the grouped report views
    read as ``login``. Returns the errors."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def json_call(path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        request = urllib.request.Request(
            url + path, body.encode(), {"Content-Type": "application/json"}
        )
        answer = json.loads(opener.open(request, timeout=120).read())
        if answer.get("error"):
            raise RuntimeError(answer["error"]["data"]["message"][:300])
        return answer["result"]

    errors = []
    json_call(
        "/web/session/authenticate", {"db": db, "login": login, "password": login}
    )
    reads = [
        (
            "helpdesk.ticket",
            "web_search_read",
            {
                "domain": [("stage_id.closed", "=", False)],
                "specification": {"number": {}, "psa_sla_time_left": {}},
                "limit": 80,
            },
        )
    ] + [
        (
            model,
            "web_read_group",
            {"domain": [], "fields": [], "groupby": groupby, "lazy": True},
        )
        for model, groupby in REPORT_READS
    ]
    for model, method, kwargs in reads:
        try:
            json_call(
                f"/web/dataset/call_kw/{model}/{method}",
                {"model": model, "method": method, "args": [], "kwargs": kwargs},
            )
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            errors.append(f"{model}.{method}: {exc}")
    print(
        f"web client reads of the list and the report views: {len(reads)}, "
        f"errors: {len(errors)}"
    )
    for error in errors:
        print(f"  {error}")
    return errors


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def check_tickets(db, tag, created):
    """Every ticket a client was told it created exists, once."""
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute(
            "SELECT name, count(*), array_agg(id) FROM helpdesk_ticket "
            "WHERE name LIKE %s GROUP BY name",
            [f"Load ticket {tag}-%"],
        )
        rows = cr.fetchall()
    found = {ticket_id for _name, _count, ids in rows for ticket_id in ids}
    lost = len(set(created) - found)
    duplicated = sum(count - 1 for _name, count, _ids in rows if count > 1)
    print(
        f"tickets created: {len(created)}, lost: {lost}, "
        f"duplicated: {duplicated}, unknown: {len(found - set(created))}"
    )
    return lost + duplicated + len(found - set(created))


def check_clocks(call, created):
    if not created:
        return 0
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
    return without


def check_alerts(db, due, since):
    """Alerts of this run: none twice (one to-do per ticket, person and
    alert, one note per clock and level), none missing (every due level
    marked sent), none half-written (marked without its note, or a note
    without its mark). Returns the number of problems."""
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute(
            """
            SELECT count(*) FROM (
                SELECT 1 FROM mail_activity
                 WHERE res_model = 'helpdesk.ticket' AND summary LIKE 'SLA %%'
                   AND create_date >= %s
                 GROUP BY res_id, user_id, summary HAVING count(*) > 1) twice
            """,
            [since],
        )
        activities_twice = cr.fetchone()[0]
        cr.execute(
            """
            SELECT res_id, body FROM mail_message
             WHERE model = 'helpdesk.ticket' AND create_date >= %s
               AND body LIKE '%%SLA %%due %%Alerted:%%'
            """,
            [since],
        )
        notes = collections.Counter()
        for res_id, body in cr.fetchall():
            match = NOTE_RE.search(body or "")
            if match:
                notes[(res_id, match.group(1), match.group(2))] += 1
        notes_twice = sum(1 for n in notes.values() if n > 1)
        cr.execute(
            f"""
            SELECT id, ticket_id, metric, warning_1_alert_date IS NOT NULL,
                   {STILL_DUE}
              FROM psa_ticket_sla WHERE id = ANY(%s)
            """,
            [[cid for cid, _level in due] or [0]],
        )
        clocks = {row[0]: row[1:] for row in cr.fetchall()}
    metric_labels = {
        "response": "First response",
        "resolution": "Resolution",
        "update": "Customer update",
    }
    # a due level goes with its note, or with the note of a higher level
    # when that one was due too (the highest level goes; see _prepare_alert)
    higher = {
        "warning_1": ("first warning", "second warning", "breached"),
        "warning_2": ("second warning", "breached"),
    }
    missing = half = withdrawn = 0
    for clock_id, level in due:
        ticket_id, metric, sent, still_due = clocks[clock_id]
        noted = any(
            notes.get((ticket_id, label, metric_labels.get(metric, metric)))
            for label in higher[level]
        )
        if not sent:
            # paused, stopped or rescheduled by a client before the alert
            # went: the engine rightly sends nothing
            missing += still_due
            withdrawn += not still_due
        elif not noted:
            half += 1
    print(
        f"SLA alerts of this run: {sum(notes.values())} notes; sent twice: "
        f"{activities_twice} to-dos, {notes_twice} notes"
    )
    print(
        f"clock levels made due: {len(due)}, missing: {missing}, "
        f"marked sent without their note: {half}, no longer due when the "
        f"action came (paused, stopped or rescheduled by a client): {withdrawn}"
    )
    return activities_twice + notes_twice + missing + half


def check_history(db):
    """Every ticket's history is continuous: per dimension, the finished
    segments follow one another without gap or overlap and the last ends
    when the current one starts (``psa_segment_since``); a finished segment
    ending after the current one started is two current stretches."""
    with pg(db) as conn, conn.cursor() as cr:
        cr.execute(
            """
            WITH seg AS (
                SELECT s.ticket_id, s.dimension, s.date_start, s.date_end,
                       lag(s.date_end) OVER w AS prev_end,
                       lead(s.id) OVER w AS next_id
                  FROM psa_ticket_segment s
                WINDOW w AS (PARTITION BY s.ticket_id, s.dimension
                             ORDER BY s.date_start, s.date_end, s.id)
            )
            SELECT
              count(*) FILTER (WHERE prev_end IS NOT NULL AND date_start > prev_end),
              count(*) FILTER (WHERE prev_end IS NOT NULL AND date_start < prev_end),
              count(*) FILTER (
                  WHERE next_id IS NULL
                    AND (t.psa_segment_since ->> seg.dimension) IS NOT NULL
                    AND date_end > (t.psa_segment_since ->> seg.dimension)::timestamp),
              count(*) FILTER (
                  WHERE next_id IS NULL
                    AND (t.psa_segment_since ->> seg.dimension) IS NOT NULL
                    AND date_end < (t.psa_segment_since ->> seg.dimension)::timestamp
                                   - interval '1 second')
              FROM seg JOIN helpdesk_ticket t ON t.id = seg.ticket_id
            """
        )
        gaps, overlaps, two_current, before_current = cr.fetchone()
    print(
        f"history: gaps {gaps}, overlapping segments {overlaps}, finished "
        f"segments ending after the current one started {two_current}, "
        f"last segment ending before the current one {before_current}"
    )
    return gaps + overlaps + two_current + before_current


# psa.ticket.sla states that the engine never writes (psa_ticket_sla.py: the
# state machine, _stop, _pause, _resume, _refresh_status).
IMPOSSIBLE_CLOCKS = {
    "finished status without end": "status IN ('met', 'met_late', 'cancelled') "
    "AND end_date IS NULL",
    "live status with end": "status IN ('running', 'at_risk', 'paused') "
    "AND end_date IS NOT NULL",
    "met without reached time": "status IN ('met', 'met_late') "
    "AND reached_date IS NULL",
    "reached but not met": "reached_date IS NOT NULL "
    "AND status NOT IN ('met', 'met_late')",
    "reached at another time than its end": "reached_date IS NOT NULL "
    "AND reached_date <> end_date",
    "paused without pause time": "status = 'paused' AND paused_since IS NULL",
    "pause time without paused status": "paused_since IS NOT NULL "
    "AND status <> 'paused'",
    "ended before it started": "end_date < start_date",
    "met with an overrun": "status = 'met' AND overrun_hours > 1.0 / 3600",
    "met late without overrun": "status = 'met_late' AND overrun_hours <= 0",
    "finished breach without overrun": "status = 'breached' "
    "AND end_date IS NOT NULL AND overrun_hours <= 0",
    "warnings after the deadline": "deadline IS NOT NULL "
    "AND (warning_1_date > deadline OR warning_2_date > deadline)",
    "live clock without deadline on a ticket without SLA error": "end_date IS NULL "
    "AND paused_since IS NULL AND deadline IS NULL AND NOT EXISTS (SELECT 1 FROM "
    "helpdesk_ticket t WHERE t.id = ticket_id AND t.psa_sla_error)",
    "two live clocks of one metric and cycle": "end_date IS NULL AND EXISTS ("
    "SELECT 1 FROM psa_ticket_sla o WHERE o.ticket_id = psa_ticket_sla.ticket_id "
    "AND o.metric = psa_ticket_sla.metric AND o.cycle = psa_ticket_sla.cycle "
    "AND o.end_date IS NULL AND o.id <> psa_ticket_sla.id)",
}


def check_clock_states(db):
    problems = 0
    with pg(db) as conn, conn.cursor() as cr:
        for name, condition in IMPOSSIBLE_CLOCKS.items():
            cr.execute(f"SELECT count(*) FROM psa_ticket_sla WHERE {condition}")
            count = cr.fetchone()[0]
            if count:
                print(f"  SLA clocks in an impossible state ({name}): {count}")
            problems += count
    print(f"SLA clocks in an impossible state: {problems}")
    return problems


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def percentile(values, pct):
    values = sorted(values)
    return values[min(len(values) - 1, round(pct / 100 * (len(values) - 1)))]


def report(args, samples, errors, elapsed):
    print(
        f"\n{args.servers} server(s) × {args.workers} workers + "
        f"{args.max_cron_threads} cron, {args.clients} clients"
        f"{' as agents + 1 manager' if args.as_agents else ' as admin'}, "
        f"{args.duration}s on {args.db}"
    )
    rate = len(samples) / elapsed
    print(f"{len(samples)} operations in {elapsed:.1f}s: {rate:.1f} ops/s")
    print(f"{'operation':<10} {'count':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for name in sorted({n for n, _d in samples}):
        durations = [d * 1000 for n, d in samples if n == name]
        print(
            f"{name:<10} {len(durations):6d} {statistics.median(durations):8.0f} "
            f"{percentile(durations, 95):8.0f}"
        )
    print(f"errors: {len(errors)}")
    for err in errors[:10]:
        print(f"  {err}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--odoo", required=True, help="path of the odoo executable")
    parser.add_argument("--db", default="psa_load")
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=int, default=90)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-cron-threads", type=int, default=1)
    parser.add_argument("--db-maxconn", type=int, default=16)
    parser.add_argument("--as-agents", action="store_true")
    parser.add_argument(
        "--alerts-due",
        type=int,
        default=500,
        help="running clocks whose alert is due when the run starts",
    )
    parser.add_argument("--kill-cron-worker", action="store_true")
    parser.add_argument(
        "--kill-alerts",
        type=int,
        default=1000,
        help="more alerts due when the cron worker is to be killed",
    )
    parser.add_argument(
        "--alert-batch",
        type=int,
        default=None,
        help="clocks per batch (and commit) of the alert action during the "
        "run (default: as installed, 1,000; 100 with --kill-cron-worker, so "
        "that the worker is killed between two commits)",
    )
    parser.add_argument(
        "--db-replica-host",
        default=None,
        help="give the servers this read replica (an empty value: the primary "
        "through the local socket, in read-only transactions), and check "
        "that the report views read through it",
    )
    parser.add_argument("--mail-twice", action="store_true")
    parser.add_argument("--mail-pairs", type=int, default=10)
    args = parser.parse_args()
    tag = time.strftime("%H%M%S")
    servers = []
    cron_code = None
    try:
        servers = start_servers(args)
        urls = [url for url, _proc, _log in servers]
        admin = rpc(urls[0], args.db, *ADMIN)
        logins = [ADMIN] * args.clients
        uncovered = []
        if args.as_agents:
            make_users(admin, args.clients)
            uncovered = walk_in_customer(admin)
            logins = [(f"load_agent_{n + 1}",) * 2 for n in range(args.clients)]
        shared = admin(
            "helpdesk.ticket",
            "search",
            [("stage_id.closed", "=", False), ("name", "=like", "Generated ticket %")],
            limit=20,
            order="id desc",
        )
        with pg(args.db) as conn, conn.cursor() as cr:
            cr.execute("SELECT now() at time zone 'UTC'")
            since = cr.fetchone()[0]
        cron_id = xmlid(admin, f"psa_helpdesk.{ALERT_CRON_XMLID}")
        batch = args.alert_batch or (100 if args.kill_cron_worker else None)
        if batch:
            cron_code = set_alert_batch(admin, cron_id, batch)
        due = make_alerts_due(
            args.db,
            args.alerts_due + (args.kill_alerts if args.kill_cron_worker else 0),
        )
        wake_alert_cron(admin)
        lines_before = log_lengths(servers)

        deadline = time.time() + args.duration
        queue = multiprocessing.Queue()
        procs = [
            multiprocessing.Process(
                target=guarded,
                args=(
                    client,
                    queue,
                    urls[n % len(urls)],
                    args.db,
                    logins[n],
                    deadline,
                    n,
                    tag,
                    shared,
                ),
            )
            for n in range(args.clients)
        ]
        if args.as_agents:
            procs.append(
                multiprocessing.Process(
                    target=guarded,
                    args=(
                        manager_client,
                        queue,
                        urls[-1],
                        args.db,
                        deadline,
                        tag,
                        uncovered,
                    ),
                )
            )
        started = time.time()
        for proc in procs:
            proc.start()
        fault = None
        if args.kill_cron_worker:
            fault = kill_cron_worker(args.db, servers, cron_id, due, args.duration)
            print(f"[fault] {fault}")
        mail_ids, mail_errors = [], []
        if args.mail_twice:
            mail_ids, mail_errors = mail_twice(args, servers, tag)
        results = [queue.get(timeout=args.duration + 300) for _ in procs]
        for proc in procs:
            proc.join()
        elapsed = time.time() - started
        samples = [s for r in results for s in r[0]]
        errors = [e for r in results for e in r[1]] + mail_errors
        created = [t for r in results for t in r[2]]
        report(args, samples, errors, elapsed)

        failures = len(errors)
        if not wait_alerts(args.db, due, 300):
            print("the alert action did not send every due alert within 300 s")
        if args.kill_cron_worker:
            print("alert action progress logged during the run (server, pid):")
            for index, pid, text in cron_runs(servers, lines_before, cron_id):
                print(f"  server {index}, pid {pid}: {text}")
        if args.db_replica_host is not None:
            reader = "load_manager" if args.as_agents else ADMIN[0]
            failures += len(check_report_reads(urls[-1], args.db, reader))
            with open(servers[-1][2], errors="replace") as handle:
                readonly = sum("ConnectionPool(read-only" in line for line in handle)
            print(f"read-only pool lines in the last server's log: {readonly}")
            failures += not readonly
        failures += check_tickets(args.db, tag, created)
        failures += check_clocks(admin, created)
        failures += check_alerts(args.db, due, since)
        failures += check_history(args.db)
        failures += check_clock_states(args.db)
        if args.mail_twice:
            failures += check_mail_twice(args.db, mail_ids)
        if args.kill_cron_worker and not (fault or "").startswith("killed"):
            failures += 1
        print("\nRESULT:", "FAILED" if failures else "OK", f"({failures} problems)")
        sys.exit(1 if failures else 0)
    finally:
        if cron_code:
            with pg(args.db) as conn, conn.cursor() as cr:
                cr.execute(
                    "UPDATE ir_act_server SET code = %s WHERE id = "
                    "(SELECT ir_actions_server_id FROM ir_cron WHERE id = %s)",
                    [cron_code, cron_id],
                )
        stop_servers(servers)


if __name__ == "__main__":
    main()
