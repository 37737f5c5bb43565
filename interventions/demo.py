# Demo steps of each part register themselves when imported.
from interventions.alerts import demo as alerts_demo  # noqa: F401
from interventions.communications import demo as communications_demo  # noqa: F401
from interventions.feedback import demo as feedback_demo  # noqa: F401
from interventions.meetings import demo as meetings_demo  # noqa: F401
from interventions.outcomes import demo as outcomes_demo  # noqa: F401
from interventions.programs import demo as programs_demo  # noqa: F401
from interventions.risk import demo as risk_demo  # noqa: F401
