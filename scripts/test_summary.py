"""Read an Odoo test log and turn it into one verdict.

Exit 0 only when Odoo exited 0, at least one test ran, no test failed or
errored and no log record is an ERROR or CRITICAL, nor a WARNING that
ACCEPTED_WARNINGS below does not accept (as OCA's checklog-odoo fails a run
on any record above INFO that its ignore list does not match). An optional
extra log (the lifecycle checks, which print the log of each Odoo run) is
judged the same way, and its last ``N passed, M failed`` line is counted too.
Prints the offending records and a last line ``N passed, M failed``.
"""

import re
import sys
from collections import namedtuple

RESULT = re.compile(
    r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests"
)
# a log record starts with this line; the lines up to the next one (a
# traceback...) belong to it
RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (?P<level>[A-Z]+) \S+ "
    r"(?P<logger>\S+): (?P<message>.*)$"
)
# a test starts: warnings that follow it come from that addon's tests, until
# a module is loaded or the server moves on (post-install tests, shutdown)
TEST_START = re.compile(r"^odoo\.addons\.(?P<addon>\w+)\.tests\.")
TESTS_OVER = ("odoo.modules.loading", "odoo.service.server")
TOTAL = re.compile(r"^(\d+) passed, (\d+) failed$")
NOT_A_RECORD = re.compile(r"^\[lifecycle\] ")

Accepted = namedtuple("Accepted", "logger message addon reason")

# The only WARNING records a run may log: those outside our control, each with
# the reason it is accepted. ``logger`` is the record's logger, ``message`` a
# regular expression searched in its first line, ``addon`` the addon whose
# tests must be running when it is logged (None: anywhere). A warning caused
# by psa_helpdesk's code or tests is fixed there, never listed here.
ACCEPTED_WARNINGS = [
    # None: a full `make test` (tests and lifecycle checks) on a fresh database
    # logs no warning today. An entry looks like
    # Accepted(
    #     logger="odoo.addons.helpdesk_mgmt.models.helpdesk_ticket",
    #     message=r"^the exact message, anchored",
    #     addon="helpdesk_mgmt",
    #     reason="what logs it, and why it is outside our control",
    # ),
]


def accepted(record, addon):
    """The entry of ACCEPTED_WARNINGS that accepts ``record``, else None."""
    for entry in ACCEPTED_WARNINGS:
        if (
            entry.logger == record["logger"]
            and (entry.addon is None or entry.addon == addon)
            and re.search(entry.message, record["message"])
        ):
            return entry
    return None


def read_log(path):
    """(tests result, records above INFO) of the log at ``path``.

    The result is (failed, errors, ran) of the last ``odoo.tests.result``
    line; each record is a dict with level, logger, message, the addon whose
    tests were running and its text (first line and the lines following it).
    """
    result = (0, 0, 0)
    records = []
    record = None
    addon = None
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = line.rstrip("\n")
            match = RECORD.match(line)
            if not match:
                if NOT_A_RECORD.match(line) or TOTAL.match(line.strip()):
                    record = None
                elif record is not None:
                    record["text"].append(line)
                continue
            record = None
            started = TEST_START.match(match["logger"])
            if started and match["message"].startswith("Starting "):
                addon = started["addon"]
            elif match["logger"] in TESTS_OVER:
                addon = None
            found = RESULT.search(line)
            if found:
                result = tuple(int(g) for g in found.groups())
            if match["level"] not in ("DEBUG", "INFO"):
                record = dict(match.groupdict(), addon=addon, text=[line])
                records.append(record)
    return result, records


def judge(records):
    """The records that fail the run (all but the accepted warnings)."""
    return [
        record
        for record in records
        if record["level"] != "WARNING" or not accepted(record, record["addon"])
    ]


def extra_counts(path):
    """(passed, failed) of the last ``N passed, M failed`` line of ``path``."""
    counts = (0, 0)
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = TOTAL.match(line.strip())
            if match:
                counts = (int(match.group(1)), int(match.group(2)))
    return counts


def show(record, where):
    """Print a failing record: its first line and up to 5 lines of detail."""
    text = record["text"]
    print(f"[test] {where}: {text[0]}")
    for line in text[1:6]:
        print(f"[test]     {line}")
    if len(text) > 6:
        print(f"[test]     ... ({len(text) - 6} more lines)")


def main(log_path, odoo_status, extra_log=None):
    (failed, errors, ran), records = read_log(log_path)
    bad = {"test log": judge(records)}
    extra_passed = extra_failed = 0
    if extra_log:
        bad["lifecycle log"] = judge(read_log(extra_log)[1])
        extra_passed, extra_failed = extra_counts(extra_log)
    problems = []
    if odoo_status:
        problems.append(f"odoo exited with status {odoo_status}")
    if not ran:
        problems.append("no test ran")
    for where, where_bad in bad.items():
        for level in ("CRITICAL", "ERROR", "WARNING"):
            count = sum(1 for record in where_bad if record["level"] == level)
            if count:
                unaccepted = " unaccepted" if level == "WARNING" else ""
                problems.append(f"{count}{unaccepted} {level} record(s) in the {where}")
        for record in where_bad[:50]:
            show(record, where)
    if extra_failed:
        problems.append(f"{extra_failed} lifecycle check(s) failed")
    for problem in problems:
        print(f"[test] FAIL: {problem}")
    test_failures = failed + errors
    if any(bad.values()) and not test_failures:
        # a record logged outside a test still fails the run: count it once
        test_failures = 1
    passed = max(ran - failed - errors, 0) + extra_passed
    print(f"{passed} passed, {test_failures + extra_failed} failed")
    return 1 if problems or test_failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), *sys.argv[3:4]))
