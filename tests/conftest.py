"""Suite-wide test settings.

Hypothesis: no per-example deadline (a loaded 2-core CI machine must not turn a slow
example into a failure: speed is measured by benchmarks/, never asserted in tests), and a
derandomized run by default, so every run of the suite (a laptop, CI on a clean clone)
draws the same examples and a red build is reproducible from its log. A hunt for new
counter-examples is opt-in: ``SIZEWISE_HYPOTHESIS=explore`` draws fresh random examples,
ten times as many.
"""

import os

from hypothesis import settings

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True, max_examples=1000)
settings.load_profile("explore" if os.environ.get("SIZEWISE_HYPOTHESIS") == "explore" else "ci")
