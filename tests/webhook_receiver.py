"""A webhook receiver on 127.0.0.1, run by the tests in a thread of their own.

It checks each request's signature as the README tells receivers to, and keeps what it
accepted: (event id, type, body). ``answer`` is the status it replies with; ``hold``
makes it wait before answering the n-th request (to kill a worker mid-delivery).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def verify(secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """The README's check: a fresh timestamp and the HMAC-SHA256 of ``timestamp.body``."""
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(f"sha256={expected.hexdigest()}", header)


class Receiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.accepted: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.requests = 0
        self.answer = 200
        self.hold_request: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests += 1
                if receiver.hold_request == receiver.requests:
                    receiver.holding.set()
                    receiver.release.wait(30)
                    self.close_connection = True
                    return  # no answer: the sender died waiting for one
                if not verify(
                    receiver.secret,
                    self.headers["X-PC-Timestamp"],
                    body,
                    self.headers["X-PC-Signature"],
                ):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                self.send_response(receiver.answer)
                self.end_headers()
                if 200 <= receiver.answer < 300:
                    receiver.accepted.append(
                        {
                            "id": self.headers["X-PC-Event-Id"],
                            "type": self.headers["X-PC-Event-Type"],
                            "body": json.loads(body),
                        }
                    )

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/pc"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
