from . import psa_ticket_time_report
