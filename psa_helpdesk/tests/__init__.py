from . import test_installed_base
from . import test_installed_base_security
from . import test_contract
from . import test_entitlement
from . import test_priority
from . import test_escalation
from . import test_business_time
from . import test_ticket_sla
