from . import test_time_report
