"""ABC risk levels (cron): compute every active student's level set-based; only changed rows are written."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.commands import date_option, school_option
from interventions.risk.services import compute_risk_levels


class Command(BaseCommand):
    help = "Compute the ABC risk level of every active student. Idempotent: a second run writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--school", help="Only this school's code (default: every school).")
        parser.add_argument("--date", help="The day to evaluate, YYYY-MM-DD (default: today).")

    def handle(self, *args, school=None, date=None, **options):
        as_of = date_option(date) or timezone.localdate()
        school_option(school)
        summary = compute_risk_levels(as_of=as_of, school_code=school, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Computed risk in {summary.schools} school{'s' if summary.schools != 1 else ''}: {summary}."
            )
        )
