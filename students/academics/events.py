"""Events the academic records emit (core.listeners). Payloads are keyword arguments."""

# Assessments were saved (one, or a whole form's marks): school_id, student_ids (whose results changed
# or were written), as_of (today), subject_id, topic_ids (the topics those assessments are tagged with).
ASSESSMENT_SAVED = "students.assessment_saved"
