from . import psa_escalate_development_wizard
from . import psa_upgrade_request_wizard
