from . import psa_ticket_escalate_wizard
from . import psa_entitlement_exception_wizard
