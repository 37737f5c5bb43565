"""Daily early-warning scan (cron): raise the alerts attendance calls for, resolve those that cleared."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.commands import date_option, school_option
from interventions.alerts.services import scan_schools


class Command(BaseCommand):
    help = "Raise and resolve early-warning alerts from attendance. Idempotent: a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to evaluate, YYYY-MM-DD (default: today).")
        parser.add_argument("--school", help="Only this school's code (default: every school).")

    def handle(self, *args, date=None, school=None, **options):
        as_of = date_option(date) or timezone.localdate()
        school_option(school)
        summary = scan_schools(as_of=as_of, school_code=school, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Scanned {summary.schools} school{'s' if summary.schools != 1 else ''} for {as_of:%Y-%m-%d}: "
                f"{summary.raised} raised, {summary.still_open} still open, {summary.resolved} resolved."
            )
        )
