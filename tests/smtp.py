"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests that send mail."""

from __future__ import annotations

import email
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy


class Inbox:
    """Collects what the server receives; ``wait_for`` polls with a deadline instead of sleeping blindly."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        #: the bytes as they came, message by message
        self.raw: list[bytes] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.raw.append(envelope.content)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, n: int, timeout: float = 10) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= n, f"expected {n} messages, got {len(self.messages)}"
        return self.messages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    for attempt in range(5):
        # another process (a pytest-xdist worker) may take the free port before the server binds it
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        try:
            controller.start()
            break
        except OSError:
            if attempt == 4:
                raise
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()
