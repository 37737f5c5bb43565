"""Reactions of one app to another's events, without the emitting app importing the listener.

An app that emits names its events as constants (e.g. `attendance.events.REGISTER_SAVED`) and calls
`emit_on_commit(EVENT, **payload)` inside its service's transaction. Other apps register reactions in
their `listeners.py` with `@listens_to(EVENT)`; those modules are imported the first time an event is
emitted (like `sections.py` for shared pages). Listeners run after the transaction commits, in the
order of their `order`, each with the payload as keyword arguments; a listener that fails is logged and
does not stop the others, nor undo the write that emitted the event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Listener:
    event: str
    order: int
    react: Callable


_listeners: list[Listener] = []


def listens_to(event: str, *, order: int = 100):
    def register(react):
        if not any(listener.event == event and listener.react is react for listener in _listeners):
            _listeners.append(Listener(event=event, order=order, react=react))
        return react

    return register


def listeners_of(event: str) -> list[Listener]:
    autodiscover_modules("listeners")
    return sorted((item for item in _listeners if item.event == event), key=lambda item: item.order)


def emit(event: str, **payload) -> None:
    """Run the event's listeners now. Each owns its transaction (listeners call services)."""
    for listener in listeners_of(event):
        try:
            listener.react(**payload)
        except Exception:
            logger.exception("Listener %s of %s failed", getattr(listener.react, "__qualname__", listener), event)


def emit_on_commit(event: str, **payload) -> None:
    """Run the event's listeners once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: emit(event, **payload))
