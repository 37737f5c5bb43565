"""Events the attendance app emits (core.listeners). Payloads are keyword arguments."""

# A form's register for a day was saved: school_id, student_ids (the form's students), as_of (today:
# the rules look at the students as of today, whatever day's register it was).
REGISTER_SAVED = "attendance.register_saved"
