# Listeners of each part register themselves when imported.
from interventions.alerts import listeners as alerts_listeners  # noqa: F401
