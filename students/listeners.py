# Listeners of each part register themselves when imported.
from students.academics import listeners as academics_listeners  # noqa: F401
