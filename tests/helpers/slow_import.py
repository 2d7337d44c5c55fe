"""A module whose import takes a while (tests/test_warm.py: the chain of imports)."""

import time

time.sleep(3)
