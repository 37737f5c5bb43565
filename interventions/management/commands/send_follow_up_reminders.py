import datetime

from django.core.management.base import BaseCommand, CommandError

from interventions.meetings.services import send_follow_up_reminders


class Command(BaseCommand):
    help = "Email each owner the intervention meetings whose follow-up date has passed (once a day)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this day (YYYY-MM-DD); default: today.")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}.") from None
        summary = send_follow_up_reminders(today=today)
        self.stdout.write(
            f"Sent {summary.emails_sent} reminder email(s) about {summary.meetings_reminded} overdue meeting(s); "
            f"{summary.already_reminded} already reminded today."
        )
        for recipient in summary.recipients:
            self.stdout.write(f"  to {recipient}")
