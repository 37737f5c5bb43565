"""Events the lessons emit (core.listeners). Payloads are keyword arguments."""

# A lesson's attendance was saved: school_id, student_ids (the form's students), as_of (today: the
# rules look at the students as of today, whatever day's lesson it was), lesson_id, subject_id,
# topic_ids (the topics covered now and those just removed: their progress is looked at again).
LESSON_SAVED = "attendance.lesson_saved"
