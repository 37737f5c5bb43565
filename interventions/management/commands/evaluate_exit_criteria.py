from django.core.management.base import BaseCommand

from core.commands import schools_option
from interventions.outcomes.services import evaluate_school


class Command(BaseCommand):
    help = (
        "Recommend the exit of each active enrollment that meets every exit criterion of its program. "
        "Idempotent: a second run writes nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", help="Only this school (its code).")

    def handle(self, *args, **options):
        for school in schools_option(options["school"]):
            created = evaluate_school(school=school)
            self.stdout.write(f"{school.code}: {len(created)} new exit recommendation(s)")
            for row in created:
                self.stdout.write(
                    f"  enrollment {row.enrollment_id}: "
                    + "; ".join(f"{f['label']} {f['value']} ≥ {f['target']}" for f in row.figures)
                )
