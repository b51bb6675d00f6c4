# The book's checks (page doctests, lossref docstring doctests, the worked-number audit).
pytest_plugins = ["tests.bookcheck.plugin"]
