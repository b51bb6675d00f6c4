import os

from hypothesis import settings

# The book's checks (page doctests, lossref docstring doctests, the worked-number audit).
pytest_plugins = ["tests.bookcheck.plugin"]

# CI runs the same examples every time, so a red run is reproducible; locally hypothesis explores.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
