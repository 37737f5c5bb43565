"""Events the programs emit (core.listeners). Payloads are keyword arguments."""

# An active enrollment was withdrawn or exited with a reason: enrollment_id, actor_id.
ENROLLMENT_LEFT = "programs.enrollment_left"
