# Listeners of each part register themselves when imported.
from interventions.alerts import listeners as alerts_listeners  # noqa: F401
from interventions.outcomes import listeners as outcomes_listeners  # noqa: F401
from interventions.risk import listeners as risk_listeners  # noqa: F401
