# psa_helpdesk — the commands a newcomer needs.
#   make run   set up everything, create the psa_demo database, serve on :8069
#   make test  set up everything, run all tests on a throw-away database
#   make test-compat  the same with the OCA helpdesk addons of
#              requirements-compat.txt installed next to psa_helpdesk
#   make pytest ARGS="psa_helpdesk/tests -k name"  one test in seconds, on a
#              database prepared once (DEVELOPERS.md, Tests)
#   make bench the request-path benchmark (README, Performance)
.PHONY: setup run test test-compat pytest bench lint clean

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

test: setup
	@bash scripts/test.sh

test-compat: setup
	@bash scripts/test_compat.sh

# pytest-odoo on a database prepared once (PYTEST_DB, default psa_pytest),
# updated when psa_helpdesk changed: make pytest ARGS="psa_helpdesk/tests -k name"
pytest: setup
	@bash scripts/pytest.sh $(ARGS)

# The shared request-path benchmark on three databases it creates once (bare
# helpdesk, OCA helpdesk_mgmt_sla, psa_helpdesk; BENCH_DB_PREFIX, default
# psa_bench_), one repetition (BENCH_REPS); results in .test-logs/bench/.
bench: setup
	@bash bench/run request_path --reps $${BENCH_REPS:-1}

# The checks of .pre-commit-config.yaml, with tools from PyPI (works where
# GitHub, which pre-commit clones hooks from, is not reachable): OCA's module
# and .po[t] checks (same version and arguments as the hooks), ruff and
# pylint-odoo. Every check runs; lint fails if one of them does, or if
# README.rst was out of date with readme/ (it is regenerated: commit it).
OCA_HOOKS_VERSION = 0.0.33
# psa_helpdesk and its glue addons (psa_helpdesk_livechat, and those with
# OCA helpdesk siblings): every folder psa_helpdesk*/ with a manifest.
ADDONS := $(patsubst %/__manifest__.py,%,$(sort $(wildcard psa_helpdesk*/__manifest__.py)))
GLUE_ADDONS := $(filter-out psa_helpdesk,$(ADDONS))
LINT_CHECKS = \
	".venv/bin/oca-checks-odoo-module $(ADDONS)" \
	".venv/bin/oca-checks-po --disable=po-pretty-format $(foreach addon,$(ADDONS),$(addon)/i18n/*.po $(addon)/i18n/*.pot)" \
	".venv/bin/ruff check $(ADDONS) bench scripts" \
	".venv/bin/ruff format --check $(ADDONS) bench scripts" \
	".venv/bin/python -m pylint --rcfile=.pylintrc-mandatory $(ADDONS)" \
	"(for addon in $(GLUE_ADDONS); do .venv/bin/python scripts/gen_addon_readme.py \$$addon || exit 1; done) && git diff --quiet -- $(GLUE_ADDONS:%=%/README.rst)"

lint: setup
	@.venv/bin/python -m pip install -q ruff pylint-odoo \
		"oca-odoo-pre-commit-hooks==$(OCA_HOOKS_VERSION)"
	@rc=0; readme=psa_helpdesk/README.rst; \
	echo "scripts/gen_addon_readme.py"; \
	before=$$(cat $$readme 2>/dev/null); \
	.venv/bin/python scripts/gen_addon_readme.py || rc=1; \
	if [ "$$before" != "$$(cat $$readme)" ]; then \
		echo "$$readme was out of date with readme/: regenerated"; rc=1; \
	fi; \
	for check in $(LINT_CHECKS); do \
		echo "$$check"; eval "$$check" || rc=1; \
	done; \
	echo "pylint optional checks (not blocking)"; \
	.venv/bin/python -m pylint --rcfile=.pylintrc --exit-zero psa_helpdesk; \
	exit $$rc

clean:
	rm -rf .venv .test-logs
