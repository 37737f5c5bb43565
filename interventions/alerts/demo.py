"""Demo step: run the scan over the demo attendance so the first run shows real alerts."""

from core.demo import DemoSchool, demo_step
from interventions.alerts.services import scan_school


@demo_step(order=30, name="alerts")
def demo_alerts(demo: DemoSchool) -> None:
    summary = scan_school(school=demo.school, as_of=demo.today)
    demo.log(f"  {demo.school.code}: alerts {summary}")
