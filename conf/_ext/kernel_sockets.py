"""Kernels that listen on unix sockets, so that pages executed side by side never share a port.

jupyter-client gives a kernel its five TCP ports by binding port 0 and closing the socket; the
kernel binds them about a second later, once it has started. The build executes pages in
several processes at once, and in that second another process may be handed the same port: the
kernel then dies with "Address already in use" and the build fails ("Kernel died before
replying to kernel_info"), about one clean build in twenty. A unix socket is a file name that
no other kernel is given, so the race cannot happen.

jupyter-client supports this transport ("ipc") and names the sockets after the connection file,
but it reads the name before it has chosen that file and falls back to a relative path, which
the build's process and the kernel (started in the page's folder) resolve differently. So the
manager below names its connection file first, with a short random name in the temporary
folder: a socket's path must stay under about 100 bytes.
"""

from __future__ import annotations

import os
import tempfile
import uuid

import nbclient
from jupyter_client import AsyncKernelManager
from traitlets import default


class SocketFileKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel listens on unix sockets named after its
    connection file, ``<tmp>/kernel-<random>-ipc-<n>``; jupyter-client removes them when the
    kernel stops."""

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @default("connection_file")
    def _connection_file_default(self) -> str:
        return os.path.join(tempfile.gettempdir(), f"kernel-{uuid.uuid4().hex[:12]}.json")


def _socket_file_kernel_manager(client: nbclient.NotebookClient) -> type[AsyncKernelManager]:
    return SocketFileKernelManager


def use_socket_kernels() -> None:
    """Make every NotebookClient that is given no kernel manager use this one."""
    if os.name == "posix":  # where zmq has unix sockets
        # myst-nb, through jupyter-cache, makes each page's NotebookClient without options, so
        # the class's own default for its kernel manager is where a build can choose one.
        nbclient.NotebookClient._kernel_manager_class_default = _socket_file_kernel_manager
