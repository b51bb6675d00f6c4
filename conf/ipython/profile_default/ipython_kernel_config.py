# Kernel settings for executing the book's pages (found through IPYTHONDIR, set in conf.py).
c = get_config()  # noqa: F821
# SVG scales crisply; dropping the date makes the same figure produce the same bytes every build.
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"Date": None}}
# The kernel talks to the build over loopback only; its start-up notice about unencrypted TCP
# would otherwise print once per page into the build log.
c.IPKernelApp.log_level = "ERROR"
