"""Demo step: compute the ABC risk levels once attendance, behaviour, alerts and meetings are there."""

from core.demo import DemoSchool, demo_step
from interventions.risk.services import compute_for_school


@demo_step(order=60, name="risk levels")
def demo_risk(demo: DemoSchool) -> None:
    summary = compute_for_school(school=demo.school, as_of=demo.today)
    demo.log(f"  {demo.school.code}: risk {summary}")
