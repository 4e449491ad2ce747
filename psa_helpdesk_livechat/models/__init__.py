from . import discuss_channel
from . import helpdesk_ticket
