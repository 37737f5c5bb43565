from django.core.management.base import BaseCommand

from core.commands import date_option
from students.admissions.services import mark_missed_follow_ups, rescore_inquiries


class Command(BaseCommand):
    help = (
        "Mark the admissions follow-ups still pending after their day as missed, and rescore their "
        "inquiries; then rescore open inquiries for the day (once a day, after midnight). Idempotent: a second run the same day marks nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this day (YYYY-MM-DD); default: today.")

    def handle(self, *args, **options):
        today = date_option(options["date"])
        marked = mark_missed_follow_ups(today=today)
        rescored = rescore_inquiries(today=today)
        self.stdout.write(
            f"Marked {marked} follow-up(s) missed; {rescored} open inquiry score(s) changed with the day."
        )
