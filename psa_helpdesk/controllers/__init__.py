from . import main
from . import portal
from . import portal_installations
from . import portal_tickets
from . import portal_new_ticket
