from django.core.management.base import BaseCommand

from core.commands import file_bytes, nothing_imported, school_option
from students import roster as student_roster
from students.academics import services


class Command(BaseCommand):
    help = "Import who takes which subject with which teacher from a CSV into one school: all lines or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV with the columns " + ", ".join(services.SUBJECTS_COLUMNS))
        parser.add_argument("--school", required=True, help="The school's code.")

    def handle(self, *args, file, school, **options):
        target = school_option(school)
        data = file_bytes(file)
        try:
            text = student_roster.decode_roster(data)
            result = services.subjects_import(actor=None, school=target, text=text)
        except (services.SubjectsImportError, student_roster.RosterError) as exc:
            raise nothing_imported(self, exc.lines) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{target.code}: {result.enrollments_created} enrollments created, {result.enrollments_updated} "
                f"updated, {result.unchanged} unchanged"
                + (f"; new subjects: {', '.join(result.subjects_created)}" if result.subjects_created else "")
            )
        )
