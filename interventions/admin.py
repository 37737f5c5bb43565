# The admin of each part registers itself when imported.
from interventions.alerts import admin as alerts_admin  # noqa: F401
from interventions.communications import admin as communications_admin  # noqa: F401
from interventions.feedback import admin as feedback_admin  # noqa: F401
from interventions.meetings import admin as meetings_admin  # noqa: F401
from interventions.outcomes import admin as outcomes_admin  # noqa: F401
from interventions.programs import admin as programs_admin  # noqa: F401
from interventions.risk import admin as risk_admin  # noqa: F401
