# psa_helpdesk — the two commands a newcomer needs.
#   make run   set up everything, create the psa_demo database, serve on :8069
#   make test  set up everything, run all tests on a throw-away database
.PHONY: setup run test bench lint clean

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

test: setup
	@bash scripts/test.sh

# The same checks as .pre-commit-config.yaml, with tools from PyPI (works
# where GitHub, which pre-commit clones hooks from, is not reachable).
lint: setup
	@.venv/bin/python -m pip install -q ruff pylint-odoo
	@.venv/bin/python scripts/gen_addon_readme.py
	.venv/bin/ruff check psa_helpdesk bench scripts
	.venv/bin/ruff format --check psa_helpdesk bench scripts
	.venv/bin/python -m pylint --rcfile=.pylintrc-mandatory psa_helpdesk
	-.venv/bin/python -m pylint --rcfile=.pylintrc --exit-zero psa_helpdesk

clean:
	rm -rf .venv .test-logs
