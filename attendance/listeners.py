# Listeners of each part register themselves when imported.
from attendance.lessons import listeners as lessons_listeners  # noqa: F401
