from . import helpdesk_ticket
from . import mail_thread
from . import helpdesk_ticket_team
