from django.core.management.base import BaseCommand, CommandError

from core.commands import date_option
from interventions.meetings.services import send_follow_up_reminders


class Command(BaseCommand):
    help = (
        "Email each owner the intervention meetings whose follow-up date has passed (once a day). "
        "An email that cannot be sent is logged and recorded as not sent (the next run tries again); "
        "the other owners are still reminded, and the command then exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this day (YYYY-MM-DD); default: today.")

    def handle(self, *args, **options):
        today = date_option(options["date"])
        summary = send_follow_up_reminders(today=today)
        self.stdout.write(
            f"Sent {summary.emails_sent} reminder email(s) about {summary.meetings_reminded} overdue meeting(s); "
            f"{summary.already_reminded} already reminded today."
        )
        for recipient in summary.recipients:
            self.stdout.write(f"  to {recipient}")
        if summary.failed_recipients:
            # Non-zero exit so that cron (or whatever runs it) reports the run as failed.
            raise CommandError(
                f"{len(summary.failed_recipients)} reminder email(s) about {summary.meetings_not_reminded} "
                f"overdue meeting(s) could not be sent, to: {', '.join(summary.failed_recipients)}. "
                "Nothing was recorded for them; the next run tries again."
            )
