from . import psa_product
from . import psa_product_version
from . import psa_product_module
from . import psa_installation
from . import psa_installation_customization
from . import psa_installation_history
from . import helpdesk_ticket
from . import res_partner
