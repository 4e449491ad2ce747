# Copyright 2026 psa_helpdesk authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import business_time
from . import cron
from . import context
from . import fetch
