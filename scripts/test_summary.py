"""Read an Odoo test log and turn it into one verdict.

Exit 0 only when Odoo exited 0, at least one test ran, no test failed or
errored and the log has no ERROR/CRITICAL line. Prints the offending lines and
a last line ``N passed, M failed``, adding the checks of an optional extra log
(the lifecycle checks) whose last such line is counted too.
"""

import re
import sys

RESULT = re.compile(
    r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests"
)
LEVEL = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
TOTAL = re.compile(r"^(\d+) passed, (\d+) failed$")


def extra_counts(path):
    """(passed, failed) of the last ``N passed, M failed`` line of ``path``."""
    counts = (0, 0)
    if path:
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                match = TOTAL.match(line.strip())
                if match:
                    counts = (int(match.group(1)), int(match.group(2)))
    return counts


def main(log_path, odoo_status, extra_log=None):
    failed = errors = ran = 0
    bad_lines = []
    with open(log_path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = RESULT.search(line)
            if match:
                failed, errors, ran = (int(g) for g in match.groups())
            if LEVEL.match(line):
                bad_lines.append(line.rstrip())
    problems = []
    if odoo_status:
        problems.append(f"odoo exited with status {odoo_status}")
    if not ran:
        problems.append("no test ran")
    if bad_lines:
        problems.append(f"{len(bad_lines)} ERROR/CRITICAL line(s) in the log")
    for line in bad_lines[:50]:
        print(f"[test] {line}")
    for problem in problems:
        print(f"[test] FAIL: {problem}")
    bad = failed + errors
    if bad_lines and not bad:
        # an error logged outside a test still fails the run: count it once
        bad = 1
    extra_passed, extra_failed = extra_counts(extra_log)
    if extra_failed:
        problems.append(f"{extra_failed} lifecycle check(s) failed")
    passed = max(ran - failed - errors, 0) + extra_passed
    print(f"{passed} passed, {bad + extra_failed} failed")
    return 1 if problems or bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), *sys.argv[3:4]))
