from django.core.management.base import BaseCommand, CommandError

from core.models import School
from students import roster


class Command(BaseCommand):
    help = "Import students and forms from a roster CSV into one school: all lines or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV with the columns " + ", ".join(roster.ROSTER_COLUMNS))
        parser.add_argument("--school", required=True, help="The school's code.")

    def handle(self, *args, file, school, **options):
        try:
            target = School.objects.get(code=school)
        except School.DoesNotExist:
            raise CommandError(f"No school with code {school!r}.") from None
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        try:
            result = roster.roster_import(actor=None, school=target, text=roster.decode_roster(data))
        except roster.RosterError as exc:
            for number, reason in exc.lines:
                self.stderr.write(f"line {number}: {reason}")
            raise CommandError(f"Nothing imported: {len(exc.lines)} bad line(s).") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{target.code}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
                + (f"; new forms: {', '.join(result.forms_created)}" if result.forms_created else "")
            )
        )
