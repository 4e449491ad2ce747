"""Queries of the agent's list and kanban loads, with and without to-do
activities on the page, on the request-path benchmark's databases.

The request-path benchmark (``bench/run request_path``) loads the list and
the kanban after its own operations: on the psa_helpdesk database the P1
alerts have left to-do activities on some of the listed tickets (SPEC §3),
on the bare helpdesk's none at all, and Odoo's activity widgets cost about
eight queries more on a page that shows activities. This benchmark loads
both views on the same data in every database: the benchmark's tickets (its
fixture and ``--extra-setup``), with no activity on the page, then with a
to-do activity on every tenth ticket of the page (made for the
administrator, as an alert would be), so that what psa_helpdesk's own
columns and cards cost shows apart from the activities.

It uses the shared benchmark's module (``request_path_bench.py``: the web
client's specification of the views, the fixture, the request boundaries),
as the agent user; every database is rolled back at the end.

Usage: bench/run view_queries [--tickets 200]
Query counts are exact; not a test.
"""

import argparse
import importlib.util
import os
import sys

#: every tenth ticket of the page gets a to-do activity
ACTIVITY_EVERY = 10


def load_shared(path):
    """The shared benchmark module, from its directory ``path``."""
    spec = importlib.util.spec_from_file_location(
        "request_path_bench", os.path.join(path, "request_path_bench.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["request_path_bench"] = module
    spec.loader.exec_module(module)
    return module


def measure(rb, odoo, db, args, extra, tickets):
    """{(view, with activities): queries} for database ``db``."""
    shared_args, _rest = rb.parse_args(["-d", db, "--extra-setup", args.extra_setup])
    data = rb.prepare_database(odoo, db, shared_args, extra)
    fixture = data["fx"]
    result = {}
    cr = data["registry"].cursor()
    try:
        env = odoo.api.Environment(
            cr,
            fixture.agent_uid,
            {
                "lang": "en_US",
                "tz": "Europe/Madrid",
                "allowed_company_ids": [fixture.company_id],
            },
        )
        Ticket = env["helpdesk.ticket"]
        vals_list = [
            rb.ticket_values(env, fixture, index, extra) for index in range(tickets)
        ]
        ids = []
        for start in range(0, tickets, 100):
            ids += Ticket.create(vals_list[start : start + 100]).ids
            rb.end_request(env)
        superuser = env(su=True)
        # the same start everywhere: no activity at all
        superuser["mail.activity"].search([]).unlink()
        rb.end_request(env)
        web = Ticket.with_context(bin_size=True)
        views = {
            "list": lambda: web.web_search_read(
                [], data["spec"], limit=80, count_limit=10001
            ),
            "kanban": lambda: rb.kanban_load(web, *data["kanban"]),
        }
        for with_activities in (False, True):
            if with_activities:
                admin = superuser.ref("base.user_admin")
                for ticket_id in ids[-80::ACTIVITY_EVERY]:
                    superuser["helpdesk.ticket"].browse(ticket_id).activity_schedule(
                        "mail.mail_activity_data_todo",
                        user_id=admin.id,
                        summary="Alert",
                    )
                rb.end_request(env)
            for name, load in views.items():
                load()  # warm the registry caches
                rb.end_request(env)
                before = cr.sql_log_count
                load()
                rb.end_request(env)
                result[name, with_activities] = cr.sql_log_count - before
    finally:
        cr.rollback()
        cr.close()
    return result


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db-prefix", default="psa_bench_")
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument(
        "--shared",
        default=os.environ.get("BENCH_SHARED")
        or os.path.join(root, "..", "shared", "bench"),
        help="directory of the shared request-path benchmark",
    )
    args = parser.parse_args()
    args.extra_setup = os.path.join(args.shared, "psa_setup.py")
    rb = load_shared(args.shared)
    shared_args, _rest = rb.parse_args(
        ["-d", args.db_prefix + "bare", "--extra-setup", args.extra_setup]
    )
    odoo = rb.bootstrap_odoo(shared_args, [f"--addons-path={args.addons_path}"])
    extra = rb.load_extra_setup(args.extra_setup)
    rows = {}
    for scenario in ("bare", "psa"):
        db = args.db_prefix + scenario
        rows[scenario] = measure(rb, odoo, db, args, extra, args.tickets)
    columns = ["view", "activities on the page", "bare helpdesk", "psa_helpdesk"]
    print("| " + " | ".join([*columns, "psa − bare"]) + " |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name in ("list", "kanban"):
        for with_activities in (False, True):
            bare = rows["bare"][name, with_activities]
            psa = rows["psa"][name, with_activities]
            label = f"one in {ACTIVITY_EVERY} rows" if with_activities else "none"
            print(f"| {name} | {label} | {bare} q | {psa} q | {psa - bare:+d} |")


if __name__ == "__main__":
    main()
