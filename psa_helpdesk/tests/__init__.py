from . import test_installed_base
from . import test_installed_base_security
from . import test_history
from . import test_communication
from . import test_duplicates
