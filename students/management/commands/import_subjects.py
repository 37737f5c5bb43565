from django.core.management.base import BaseCommand, CommandError

from core.models import School
from students import roster as student_roster
from students.academics import services


class Command(BaseCommand):
    help = "Import who takes which subject with which teacher from a CSV into one school: all lines or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV with the columns " + ", ".join(services.SUBJECTS_COLUMNS))
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
            text = student_roster.decode_roster(data)
            result = services.subjects_import(actor=None, school=target, text=text)
        except (services.SubjectsImportError, student_roster.RosterError) as exc:
            for number, reason in exc.lines:
                self.stderr.write(f"line {number}: {reason}")
            raise CommandError(f"Nothing imported: {len(exc.lines)} bad line(s).") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{target.code}: {result.enrollments_created} enrollments created, {result.enrollments_updated} "
                f"updated, {result.unchanged} unchanged"
                + (f"; new subjects: {', '.join(result.subjects_created)}" if result.subjects_created else "")
            )
        )
