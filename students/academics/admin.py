"""Academic records in Django admin: the school's rows only; results derived as in the pages."""

from django.contrib import admin

from core.admin_base import SchoolScopedAdmin, SchoolSettingsAdmin, adopt_saved
from students.academics import services
from students.academics.grading import grade_bands_ensure
from students.academics.models import Assessment, GradeBands, Subject, SubjectEnrollment, Topic, TopicProgress


@admin.register(Subject)
class SubjectAdmin(SchoolScopedAdmin):
    list_display = ("code", "name", "status", "school")
    list_filter = ("status", "school")
    search_fields = ("code", "name", "description")


@admin.register(Topic)
class TopicAdmin(SchoolScopedAdmin):
    list_display = ("subject", "order_index", "name", "difficulty_level", "estimated_duration_minutes")
    list_filter = ("subject", "difficulty_level", "school")
    search_fields = ("name", "subject__name", "subject__code")
    list_select_related = ("subject",)
    ordering = ("subject__name", "order_index", "id")

    def perform_create(self, request, obj):
        obj.school_id = obj.subject.school_id
        super().perform_create(request, obj)


@admin.register(SubjectEnrollment)
class SubjectEnrollmentAdmin(SchoolScopedAdmin):
    list_display = ("student", "subject", "teacher", "enrollment_date", "status")
    list_filter = ("status", "subject", "teacher", "school")
    search_fields = ("student__first_name", "student__last_name", "student__student_id", "subject__name")
    list_select_related = ("student", "subject", "teacher")
    autocomplete_fields = ["student"]

    def perform_create(self, request, obj):
        obj.school_id = obj.student.school_id
        super().perform_create(request, obj)


@admin.register(TopicProgress)
class TopicProgressAdmin(SchoolScopedAdmin):
    list_display = ("student", "topic", "competency_level", "status", "evidence_count", "last_evidence_date")
    list_filter = ("status", "competency_level", "topic__subject", "school")
    search_fields = ("student__first_name", "student__last_name", "student__student_id", "topic__name")
    list_select_related = ("student", "topic")
    autocomplete_fields = ["student"]

    def perform_create(self, request, obj):
        obj.school_id = obj.student.school_id
        super().perform_create(request, obj)


@admin.register(Assessment)
class AssessmentAdmin(SchoolScopedAdmin):
    list_display = (
        "assessment_date",
        "title",
        "subject",
        "student",
        "marks_obtained",
        "total_marks",
        "grade",
        "status",
    )
    list_filter = ("status", "assessment_type", "grade", "subject", "school")
    search_fields = ("title", "student__first_name", "student__last_name", "student__student_id")
    list_select_related = ("student", "subject")
    date_hierarchy = "assessment_date"
    autocomplete_fields = ["student"]
    readonly_fields = ("percentage", "grade", "version")
    # Who recorded it, the student's form then, and whether it is graded: assessment_create sets them.
    set_by_service = ("teacher", "class_group", "status")

    # Added, corrected and removed with the rules of the marks pages, and the risk's reaction to them.
    def perform_create(self, request, obj):
        created = services.assessment_create(
            actor=request.user,
            student_id=obj.student_id,
            subject_id=obj.subject_id,
            assessment_type=obj.assessment_type,
            title=obj.title,
            total_marks=obj.total_marks,
            assessment_date=obj.assessment_date,
            marks_obtained=obj.marks_obtained,
            topic_id=obj.topic_id,
            feedback=obj.feedback,
        )
        adopt_saved(obj, created)

    def perform_update(self, request, obj, before):
        services.assessment_correct(actor=request.user, assessment=obj, before=before)

    def perform_delete(self, request, obj):
        services.assessment_delete(actor=request.user, assessment=obj)


@admin.register(GradeBands)
class GradeBandsAdmin(SchoolSettingsAdmin):
    list_display = ("school", "a_min", "b_min", "c_min", "d_min")

    def ensure_row(self, *, school):
        return grade_bands_ensure(school=school)
