"""A real SMTP server on loopback (aiosmtpd) that keeps what it is sent, for tests and
benchmarks: who it was for, its Message-ID and subject, and how often each id arrived."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    message_id: str
    to: str
    subject: str
    body: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Mailbox:
    """The handler: ``refuse`` answers that many sends with 451 first; ``delay`` holds each
    DATA that long before accepting it (time for a test to kill the sender mid-send)."""

    _raw: list[tuple[bytes, str]] = field(default_factory=list)
    _parsed: list[Received] = field(default_factory=list)
    refuse: int = 0
    delay: float = 0.0
    data_started: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.data_started.set()
        if self.refuse > 0:
            self.refuse -= 1
            return "451 Try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        # Parsed when read, not here: a mail server answers as soon as it has the message.
        with self._lock:
            self._raw.append((envelope.content, ", ".join(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            raw, self._raw = self._raw, []
            for content, to in raw:
                email = message_from_bytes(content, policy=default)
                self._parsed.append(Received(str(email["Message-ID"]), to,
                                             str(email["Subject"]), email.get_content()))
            return list(self._parsed)

    def ids(self) -> Counter:
        return Counter(message.message_id for message in self.received)

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.ids()) >= count:
                return True
            time.sleep(0.05)
        return False


class SMTPServer:
    def __init__(self, mailbox: Mailbox | None = None):
        self.mailbox = mailbox or Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
