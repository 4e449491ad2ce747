from . import test_sla_rating
