from . import test_installed_base
from . import test_installed_base_security
from . import test_development
from . import test_problem
from . import test_upgrade_project
