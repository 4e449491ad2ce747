# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""pytest-odoo in this repository (DEVELOPERS.md, "Tests").

``pytest --odoo-database=<db> psa_helpdesk/tests -k <name>`` needs Odoo's
addons path: the one of ``scripts/env.sh`` (Odoo's source, nightly or git
layout, the OCA addons of the virtualenv, this repository), unless
``--odoo-addons-path``, ``--odoo-config`` or ``ODOO_RC`` gives one.

While tests run, ``odoo.modules.module.current_test`` is set as Odoo 18's
own test runner sets it (pytest-odoo does so for Odoo 19 only): code that
reads it does not commit (our scheduled actions, ``tools/cron.py``) nor
send email (``ir.mail_server``) during a test."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


def _addons_path():
    """The addons path of ``scripts/env.sh``, as a comma-separated string."""
    return subprocess.run(
        ["bash", "-c", 'source "$ROOT/scripts/env.sh" && addons_path'],
        env=dict(os.environ, ROOT=str(ROOT)),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_cmdline_main(config):
    # before pytest-odoo's own hook, which reads the option to start Odoo
    if (
        config.getoption("--odoo-database", None)
        and not config.getoption("--odoo-addons-path", None)
        and not config.getoption("--odoo-config", None)
        and not os.environ.get("ODOO_RC")
        and not os.environ.get("OPENERP_SERVER")
    ):
        config.option.odoo_addons_path = _addons_path()
    yield


@pytest.fixture(scope="session", autouse=True)
def odoo_tests_running(load_registry):
    """``current_test`` is true from the first test on (Odoo's loader sets
    it for a module's whole run, classes' set-up included), once
    pytest-odoo's ``load_registry`` loaded the registry."""
    from odoo.modules import module

    module.current_test = True
    yield
    module.current_test = False


@pytest.fixture(autouse=True)
def odoo_current_test(request, odoo_tests_running):
    """``current_test`` is the running test, as Odoo's suite sets it."""
    from odoo.modules import module

    if request.instance is None:
        yield
        return
    module.current_test = request.instance
    yield
    module.current_test = True
