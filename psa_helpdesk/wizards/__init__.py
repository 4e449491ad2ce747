from . import psa_ticket_escalate_wizard
from . import psa_entitlement_exception_wizard
from . import psa_escalate_development_wizard
from . import psa_upgrade_request_wizard
from . import psa_apply_article_wizard
