"""Events the attendance app emits (core.listeners). Payloads are keyword arguments."""

# A form's register for a day was saved: school_id, student_ids (the form's students), as_of (today:
# the rules look at the students as of today, whatever day's register it was).
REGISTER_SAVED = "attendance.register_saved"

# A school's holidays changed (one added, corrected or removed): school_id, student_ids (the school's active
# students, whose school days are not what they were), as_of (today).
HOLIDAYS_CHANGED = "attendance.holidays_changed"
