from django.core.management.base import BaseCommand

from core.commands import file_bytes, nothing_imported, school_option
from students import roster


class Command(BaseCommand):
    help = "Import students and forms from a roster CSV into one school: all lines or none."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="CSV with the columns "
            + ", ".join(roster.ROSTER_COLUMNS)
            + " and, optionally, "
            + ", ".join(roster.OPTIONAL_COLUMNS),
        )
        parser.add_argument("--school", required=True, help="The school's code.")

    def handle(self, *args, file, school, **options):
        target = school_option(school)
        data = file_bytes(file)
        try:
            result = roster.roster_import(actor=None, school=target, text=roster.decode_roster(data))
        except roster.RosterError as exc:
            raise nothing_imported(self, exc.lines) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{target.code}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
                + (f"; new forms: {', '.join(result.forms_created)}" if result.forms_created else "")
            )
        )
