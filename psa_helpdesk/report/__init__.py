from . import psa_sla_report
from . import psa_sla_module_report
from . import psa_ticket_time_report
from . import psa_backlog_report
