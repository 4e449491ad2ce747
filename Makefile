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

lint: setup
	@.venv/bin/python -m pip install -q pre-commit && .venv/bin/pre-commit run --all-files

clean:
	rm -rf .venv .test-logs
