from django.core.management.base import BaseCommand

from core.commands import school_option
from core.models import School
from students.academics.progress import rebuild_school_progress


class Command(BaseCommand):
    help = (
        "Work out every student's topic progress again from the lessons and assessments (after a change of "
        "the rules, or rows written around the app). Idempotent: a second run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", help="Only this school (its code).")

    def handle(self, *args, **options):
        school = school_option(options["school"])
        schools = [school] if school else School.objects.order_by("code")
        for school in schools:
            written = rebuild_school_progress(school=school)
            self.stdout.write(f"{school.code}: {written} topic progress row(s) written")
