"""Sending text messages: `settings.SMS_BACKEND` names the class (a dotted path), as EMAIL_BACKEND does.

A provider is one subclass of `BaseSMSBackend` whose `send` delivers one message and raises `SMSError`
when the provider refuses it (see the README, "Adding an SMS provider").
"""

from __future__ import annotations

import datetime
import pathlib
import sys
import uuid

from django.conf import settings
from django.utils.module_loading import import_string


class SMSError(Exception):
    """The message was not accepted; its text is kept on the failed contact-log row."""


class BaseSMSBackend:
    def send(self, *, to: str, body: str) -> str:
        """Deliver one message to `to`; return the provider's id for it. Raise SMSError on refusal."""
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Writes each message to standard output (the default: development and demos)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, body: str) -> str:
        message_id = uuid.uuid4().hex
        self.stream.write(f"SMS to {to} [{message_id}]\n{body}\n{'-' * 40}\n")
        self.stream.flush()
        return message_id


class FileSMSBackend(BaseSMSBackend):
    """Writes each message to its own file in `settings.SMS_FILE_PATH` (tests read them back)."""

    def __init__(self, directory: str | None = None):
        self.directory = pathlib.Path(directory or settings.SMS_FILE_PATH)

    def send(self, *, to: str, body: str) -> str:
        message_id = uuid.uuid4().hex
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            (self.directory / f"{stamp}-{message_id}.txt").write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")
        except OSError as exc:
            raise SMSError(f"Could not write the message: {exc}") from exc
        return message_id


def get_sms_backend() -> BaseSMSBackend:
    return import_string(settings.SMS_BACKEND)()
