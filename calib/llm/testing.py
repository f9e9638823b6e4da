"""A small scripted OpenAI-compatible server on 127.0.0.1, for tests and offline trials.

It answers ``/v1/chat/completions``, ``/v1/completions`` (with echo), ``/v1/models`` and the
Batch API (``/v1/files``, ``/v1/files/{id}/content``, ``/v1/batches``), and can be scripted to
reply 429 / 500 / slowly, to return exact log-probabilities, and to count what it was paid for.
A request is "paid" once per ``Idempotency-Key``: a repeated key is answered from memory, as a
server honouring idempotency keys would.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _words(text: str) -> list[str]:
    return text.split()


class FakeOpenAI:
    """The server's state and script; use as a context manager (``with FakeOpenAI() as s``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.script: list[dict[str, Any]] = []  # consumed one per model request
        self.delay = 0.0
        self.reply: Callable[[dict[str, Any]], str] = lambda body: "A"
        self.top_logprobs: list[tuple[str, float]] | None = None
        self.echo_logprobs: Callable[[str], float] = lambda token: -1.0
        self.expected_key: str | None = None
        self.received = 0
        self.paid: dict[str, dict[str, Any]] = {}
        self.keyless_paid = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.handle_seconds = 0.0
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_polls_until_done = 2
        self.requests_seen: list[dict[str, Any]] = []
        self.headers_seen: list[dict[str, str]] = []
        self._httpd: ThreadingHTTPServer | None = None

    # --- lifecycle ---
    def __enter__(self) -> FakeOpenAI:
        handler = type("Handler", (_Handler,), {"state": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd.handle_error = lambda *a: None  # type: ignore[method-assign]
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def n_paid(self) -> int:
        return len(self.paid) + self.keyless_paid

    # --- answers ---
    def chat_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        text = self.reply(body)
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "finish_reason": "stop",
        }
        if body.get("logprobs"):
            alts = self.top_logprobs or [(text[:1] or " ", 0.0)]
            k = int(body.get("top_logprobs") or 1)
            top = [{"token": t, "logprob": v, "bytes": None} for t, v in alts[:k]]
            choice["logprobs"] = {
                "content": [
                    {"token": alts[0][0], "logprob": alts[0][1], "bytes": None, "top_logprobs": top}
                ]
            }
        prompt = " ".join(m["content"] for m in body.get("messages", []))
        return {
            "id": "chatcmpl-" + uuid.uuid4().hex[:8],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [choice],
            "usage": {
                "prompt_tokens": len(_words(prompt)),
                "completion_tokens": 1,
                "total_tokens": len(_words(prompt)) + 1,
            },
        }

    def completion_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        prompt = str(body.get("prompt", ""))
        tokens, offsets, pos = [], [], 0
        for word in prompt.split(" "):
            tok = word if not tokens else " " + word
            tokens.append(tok)
            offsets.append(pos)
            pos += len(tok)
        values: list[float | None] = [None] + [self.echo_logprobs(t) for t in tokens[1:]]
        text = prompt if body.get("echo") else self.reply(body)
        choice: dict[str, Any] = {"index": 0, "text": text, "finish_reason": "length"}
        if body.get("logprobs") is not None:
            choice["logprobs"] = {
                "tokens": tokens,
                "token_logprobs": values,
                "text_offset": offsets,
                "top_logprobs": None,
            }
        return {
            "id": "cmpl-x",
            "object": "text_completion",
            "model": body.get("model"),
            "choices": [choice],
            "usage": {"prompt_tokens": len(tokens), "completion_tokens": 0},
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


class _Handler(BaseHTTPRequestHandler):
    state: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(
        self,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> None:
        data = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _read(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _auth_ok(self) -> bool:
        st = self.state
        if st.expected_key is None:
            return True
        given = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if given != st.expected_key:
            self._send(
                401,
                {
                    "error": {
                        "message": f"Incorrect API key provided: {given}",
                        "type": "invalid_request_error",
                    }
                },
            )
            return False
        return True

    def do_GET(self) -> None:
        st = self.state
        if self.path.rstrip("/") == "/v1/models":
            self._send(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
        elif self.path.startswith("/v1/files/") and self.path.endswith("/content"):
            fid = self.path.split("/")[3]
            self._send(200, None, raw=st.files[fid])
        elif self.path.startswith("/v1/batches/"):
            bid = self.path.split("/")[3]
            with st.lock:
                batch = st.batches[bid]
                batch["_polls"] += 1
                if batch["_polls"] >= st.batch_polls_until_done and batch["status"] != "completed":
                    self._finish_batch(batch)
                out = {k: v for k, v in batch.items() if not k.startswith("_")}
            self._send(200, out)
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def _finish_batch(self, batch: dict[str, Any]) -> None:
        st = self.state
        lines = st.files[batch["input_file_id"]].decode().splitlines()
        out = []
        for line in reversed(lines):  # output order differs from input order
            job = json.loads(line)
            body = job["body"]
            answer = (
                st.chat_answer(body)
                if job["url"].endswith("chat/completions")
                else st.completion_answer(body)
            )
            st.keyless_paid += 1
            out.append(
                json.dumps(
                    {
                        "id": "r",
                        "custom_id": job["custom_id"],
                        "response": {"status_code": 200, "body": answer},
                        "error": None,
                    }
                )
            )
        fid = "file-out-" + uuid.uuid4().hex[:6]
        st.files[fid] = ("\n".join(out) + "\n").encode()
        batch.update(
            status="completed",
            output_file_id=fid,
            request_counts={"total": len(lines), "completed": len(lines), "failed": 0},
        )

    def do_POST(self) -> None:
        st = self.state
        raw = self._read()
        path = self.path.rstrip("/")
        if not self._auth_ok():
            return
        if path == "/v1/files":
            msg = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + raw
            )
            content = b""
            for part in msg.iter_parts():
                if part.get_param("name", header="content-disposition") == "file":
                    content = part.get_payload(decode=True)
            fid = "file-" + uuid.uuid4().hex[:8]
            st.files[fid] = content
            self._send(
                200,
                {
                    "id": fid,
                    "object": "file",
                    "bytes": len(content),
                    "created_at": 0,
                    "filename": "batch.jsonl",
                    "purpose": "batch",
                    "status": "processed",
                },
            )
            return
        if path == "/v1/batches":
            body = json.loads(raw)
            bid = "batch_" + uuid.uuid4().hex[:8]
            st.batches[bid] = {
                "id": bid,
                "object": "batch",
                "endpoint": body["endpoint"],
                "input_file_id": body["input_file_id"],
                "completion_window": body["completion_window"],
                "status": "in_progress",
                "created_at": 0,
                "output_file_id": None,
                "error_file_id": None,
                "_polls": 0,
            }
            out = {k: v for k, v in st.batches[bid].items() if not k.startswith("_")}
            self._send(200, out)
            return
        if path not in ("/v1/chat/completions", "/v1/completions"):
            self._send(404, {"error": {"message": f"no route {path}"}})
            return
        body = json.loads(raw)
        started = time.perf_counter()
        with st.lock:
            st.received += 1
            st.requests_seen.append(body)
            st.headers_seen.append({k.lower(): v for k, v in self.headers.items()})
            step = st.script.pop(0) if st.script else {}
            st.in_flight += 1
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
        try:
            wait = step.get("sleep", st.delay)
            if wait:
                time.sleep(wait)
            if "status" in step:
                self._send(
                    step["status"],
                    {"error": {"message": step.get("message", "scripted"), "type": "scripted"}},
                    headers=step.get("headers"),
                )
                return
            key = self.headers.get("Idempotency-Key")
            with st.lock:
                known = st.paid.get(key) if key else None
            if known is None:
                answer = (
                    st.chat_answer(body)
                    if path.endswith("chat/completions")
                    else st.completion_answer(body)
                )
                with st.lock:
                    if key:
                        st.paid[key] = answer
                    else:
                        st.keyless_paid += 1
            else:
                answer = known
            st.handle_seconds += time.perf_counter() - started
            self._send(200, answer)
        finally:
            with st.lock:
                st.in_flight -= 1


if __name__ == "__main__":  # run standalone: python -m calib.llm.testing
    with FakeOpenAI() as server:
        print(server.base_url, flush=True)
        while True:
            time.sleep(3600)
