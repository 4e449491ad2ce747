"""Read an Odoo test log and turn it into one verdict.

Exit 0 only when Odoo exited 0, at least one test ran, no test failed or
errored and the log has no ERROR/CRITICAL line. Prints the offending lines and
a last line ``N passed, M failed``.
"""

import re
import sys

RESULT = re.compile(
    r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests"
)
LEVEL = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")


def main(log_path, odoo_status):
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
    print(f"{max(ran - failed - errors, 0)} passed, {bad} failed")
    return 1 if problems or bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
