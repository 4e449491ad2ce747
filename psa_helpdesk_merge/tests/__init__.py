from . import test_merge
