from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.commands import date_option, school_option
from interventions.communications.services import notify_guardians_of_absence


class Command(BaseCommand):
    help = (
        "Send the guardian of each student marked absent with no reason one message about the day, in the "
        "schools that switched absence notices on (Django admin: Absence notice settings). Never twice for a "
        "student and day; every notice is in the contact log. Exits 1 when a message could not be sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day of absence (YYYY-MM-DD); default: today.")
        parser.add_argument("--school", help="Only this school (its code).")

    def handle(self, *args, **options):
        on = date_option(options["date"]) or timezone.localdate()
        school = school_option(options["school"])
        schools = [school] if school else None
        summary = notify_guardians_of_absence(on=on, schools=schools)
        self.stdout.write(
            f"Absence notices for {on}: {len(summary.sent)} sent, {len(summary.failed)} failed, "
            f"{len(summary.skipped)} skipped."
        )
        for code in summary.schools_off:
            self.stdout.write(f"  school {code}: absence notices are switched off")
        for line in summary.sent:
            self.stdout.write(f"  sent: {line}")
        for line in summary.skipped:
            self.stdout.write(f"  skipped: {line}")
        for line in summary.failed:
            self.stdout.write(f"  failed: {line}")
        if summary.failed:
            raise CommandError(
                f"{len(summary.failed)} notice(s) could not be sent; they are in the contact log as failed, "
                "to be retried from there."
            )
