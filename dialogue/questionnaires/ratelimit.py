"""The limit on answering (ANSWER_RATE_LIMIT per address), counted with one hit per POST.

Flask-Limiter's per-request machinery costs more than the hit itself, so the answering view is exempt
from it and counts here, in the limiter's own storage: Redis when several processes serve, so that
they share the count. With ``memory://`` every process counts for itself anyway, so this process
counts in a dict: the library's memory storage starts a timer thread to expire its keys, anew for
almost every request once requests are more than 10 ms apart.
"""

from __future__ import annotations

import time

from flask import abort, current_app, request
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.storage import MemoryStorage

from dialogue.extensions import limiter

SCOPE = "questionnaires.answer"
_parsed: dict[str, list] = {}


def _limits() -> list:
    text = current_app.config["ANSWER_RATE_LIMIT"]
    parsed = _parsed.get(text)
    if parsed is None:
        parsed = _parsed[text] = parse_many(text)
    return parsed


class _Windows:
    """Fixed windows counted in this process: {(length, limit, address, window number): count}."""

    def __init__(self) -> None:
        self.counts: dict[tuple, int] = {}

    def hit(self, limit, address: str) -> bool:
        length = limit.get_expiry()
        key = (length, limit.amount, address, int(time.time() // length))
        count = self.counts[key] = self.counts.get(key, 0) + 1
        if len(self.counts) > 10_000:  # forget finished windows now and then
            now = time.time()
            self.counts = {k: v for k, v in self.counts.items() if k[3] >= int(now // k[0])}
        return count <= limit.amount


# Set in the WSGI environ by fastpath.py when it counted the POST already: whether it was within the limit.
COUNTED = "dialogue.answer_limit_counted"


def within_answer_limit(address: str) -> bool:
    """Count one POST from *address*; whether it is within every limit."""
    if not limiter.enabled:
        return True
    if isinstance(limiter.storage, MemoryStorage):
        windows = current_app.extensions.setdefault("dialogue.answer_windows", _Windows())
        return all([windows.hit(limit, address) for limit in _limits()])
    return all([limiter.limiter.hit(limit, SCOPE, address) for limit in _limits()])


def hit_answer_limit() -> None:
    """Count this POST; a 429 (the usual error page) when the address is over a limit."""
    within = request.environ.get(COUNTED)  # counted already, in front of Flask (fastpath.py)
    if within is None:
        within = within_answer_limit(get_remote_address())
    if not within:
        abort(429)
