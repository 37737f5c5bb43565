"""What the management commands share: the `--date` and `--school` options of the cron commands, and
reading the CSV file an import command is given. A command parses its arguments with these, calls a
service and prints a summary; a bad argument is a CommandError with the same words in every command."""

from __future__ import annotations

import datetime

from django.core.management.base import CommandError

from core.models import School


def date_option(value: str | None) -> datetime.date | None:
    """The day given as `--date` (YYYY-MM-DD); None when it was not given."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}.") from None


def school_option(code: str | None) -> School | None:
    """The school whose code was given as `--school`; None when none was given."""
    if not code:
        return None
    school = School.objects.filter(code=code).first()
    if school is None:
        raise CommandError(f"No school with code {code!r}.")
    return school


def schools_option(code: str | None) -> list[School]:
    """The schools a cron command runs over: the one given as `--school`, else every school, by code."""
    school = school_option(code)
    return [school] if school is not None else list(School.objects.order_by("code"))


def file_bytes(path: str) -> bytes:
    """The content of the file named on the command line."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from None


def nothing_imported(command, lines) -> CommandError:
    """Write each refused `(line number, reason)` to the command's stderr; the error that ends the run."""
    for number, reason in lines:
        command.stderr.write(f"line {number}: {reason}")
    return CommandError(f"Nothing imported: {len(lines)} bad line(s).")
