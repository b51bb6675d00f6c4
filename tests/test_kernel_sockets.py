"""The build's kernels listen on unix sockets of their own (conf/_ext/kernel_sockets.py).

With TCP, jupyter-client picks a kernel's ports a second before the kernel binds them, and a
build that executes pages side by side failed about once in twenty with "Address already in
use". A socket named after the kernel's own connection file cannot be handed to another kernel.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conf" / "_ext"))
import execution_stack
import kernel_sockets

REPORT_SOCKETS = """\
import json, os
from ipykernel.connect import get_connection_file
info = json.load(open(get_connection_file()))
sockets = [f"{info['ip']}-{info[name]}" for name in
           ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
print(json.dumps({"transport": info["transport"], "sockets": sockets,
                  "listening": [os.path.exists(path) for path in sockets], "cwd": os.getcwd()}))
"""


def test_the_build_makes_every_notebook_client_use_socket_files(monkeypatch):
    """What a build that reads pages sets up (execution_stack.py), before its readers start."""
    defaults = nbclient.NotebookClient
    monkeypatch.setattr(
        defaults, "_kernel_manager_class_default", defaults._kernel_manager_class_default
    )
    monkeypatch.setattr(
        defaults.shutdown_kernel, "default_value", defaults.shutdown_kernel.default_value
    )
    monkeypatch.setattr(execution_stack, "_loaded", False)
    execution_stack.load_execution_stack()
    client = nbclient.NotebookClient(nbformat.v4.new_notebook())
    assert client.kernel_manager_class is kernel_sockets.SocketFileKernelManager
    assert client.shutdown_kernel == "immediate", "stopped at once after the last cell"


def test_a_kernel_in_the_pages_folder_answers_on_sockets_of_its_own(tmp_path, monkeypatch):
    page_folder = tmp_path / "book"
    page_folder.mkdir()
    monkeypatch.chdir(tmp_path)  # the build runs elsewhere than the page's kernel
    notebooks = [
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(REPORT_SOCKETS)]) for _ in "12"
    ]
    reports = []
    for notebook in notebooks:
        nbclient.NotebookClient(
            notebook,
            timeout=60,
            kernel_name="python3",
            kernel_manager_class=kernel_sockets.SocketFileKernelManager,
            resources={"metadata": {"path": str(page_folder)}},
        ).execute()
        reports.append(json.loads(notebook.cells[0].outputs[0]["text"]))
    for report in reports:
        assert report["cwd"] == str(page_folder)
        assert report["transport"] == "ipc"
        assert all(Path(path).is_absolute() for path in report["sockets"])
        assert all(report["listening"]), "the kernel listens on the sockets it was given"
        assert not any(Path(path).exists() for path in report["sockets"]), "removed at its stop"
    first, second = (set(report["sockets"]) for report in reports)
    assert not first & second, "each kernel has sockets of its own"


@pytest.mark.parametrize(
    ("name", "value"), [("transport", "tcp"), ("connection_file", "/tmp/kernel-configured.json")]
)
def test_a_configured_value_still_wins(name, value):
    manager = kernel_sockets.SocketFileKernelManager(**{name: value})
    assert getattr(manager, name) == value
