from . import test_partner_response
