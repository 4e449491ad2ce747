from . import helpdesk_ticket
from . import mail_thread
