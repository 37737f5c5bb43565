# Page sections of each part register themselves when imported.
from interventions.alerts import sections as alerts_sections  # noqa: F401
from interventions.communications import sections as communications_sections  # noqa: F401
from interventions.feedback import sections as feedback_sections  # noqa: F401
from interventions.meetings import sections as meetings_sections  # noqa: F401
from interventions.outcomes import sections as outcomes_sections  # noqa: F401
from interventions.programs import sections as programs_sections  # noqa: F401
from interventions.risk import sections as risk_sections  # noqa: F401
