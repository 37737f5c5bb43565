# The admin of each part registers itself when imported.
from interventions.alerts import admin as alerts_admin  # noqa: F401
from interventions.communications import admin as communications_admin  # noqa: F401
from interventions.meetings import admin as meetings_admin  # noqa: F401
from interventions.programs import admin as programs_admin  # noqa: F401
