"""Events the behaviour records emit (core.listeners). Payloads are keyword arguments."""

# A behaviour record was logged, appealed or resolved: school_id, student_ids, as_of (today).
BEHAVIOUR_SAVED = "students.behaviour_saved"
