# Kernel settings for executing the book's pages (found through IPYTHONDIR, set in conf.py).
c = get_config()  # noqa: F821
# SVG scales crisply; dropping the date makes the same figure produce the same bytes every build.
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"Date": None}}
# The kernel talks to the build over loopback only. Its own log (a notice about unencrypted TCP
# at start, the interrupt the build sends when it shuts a kernel down) is not about the page;
# a cell's errors reach the build through its outputs, where they fail it.
c.IPKernelApp.log_level = "CRITICAL"
