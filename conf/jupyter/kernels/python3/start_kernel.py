"""Start the IPython kernel that executes a page of the book during the build.

It is ipykernel's own kernel, less its debugger: ipykernel runs without one when debugpy cannot
be imported. No build attaches a debugger, and importing debugpy was about a third of each
kernel's start (0.35 s of 1.0 s), paid once per executed page. conf.py puts this kernel spec
first on JUPYTER_PATH, so it stands in for ``python3`` in the build only; a reader's download
names ``python3`` and gets the reader's own kernel.
"""

import sys

sys.modules["debugpy"] = None  # an import of debugpy now fails, as if it were not installed

from ipykernel import kernelapp  # noqa: E402  (after the line above, which it depends on)

kernelapp.launch_new_instance()
