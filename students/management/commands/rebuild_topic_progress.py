from django.core.management.base import BaseCommand

from core.commands import schools_option
from students.academics.progress import rebuild_school_progress


class Command(BaseCommand):
    help = (
        "Work out every student's topic progress again from the lessons and assessments (after a change of "
        "the rules, or rows written around the app). Idempotent: a second run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", help="Only this school (its code).")

    def handle(self, *args, **options):
        for school in schools_option(options["school"]):
            written = rebuild_school_progress(school=school)
            self.stdout.write(f"{school.code}: {written} topic progress row(s) written")
