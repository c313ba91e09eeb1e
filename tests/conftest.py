"""Suite-wide test settings.

Hypothesis: no per-example deadline (a loaded 2-core CI machine must not turn a slow
example into a failure: speed is measured by benchmarks/, never asserted in tests), and in
CI (``CI`` set) a derandomized run, so a red build is reproducible from its log.
"""

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
