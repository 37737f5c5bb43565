"""Lessons and their attendance in Django admin: the school's rows only. A lesson is recorded as the
lesson sheet records it (lesson_save: the day's rules, every student's attendance, the audit rows and
the reactions); what it covered and who attended are recorded on the sheet and shown here."""

from django.contrib import admin

from attendance.lessons import services
from attendance.lessons.models import Lesson, LessonAttendance, LessonTopic
from core.admin_base import ReadOnlyAdmin, SchoolScopedAdmin, adopt_saved


@admin.register(Lesson)
class LessonAdmin(SchoolScopedAdmin):
    list_display = ("date", "start_time", "class_group", "subject", "teacher", "recorded_at")
    list_filter = ("subject", "class_group", "teacher", "school")
    search_fields = ("class_group__name", "subject__name", "subject__code", "teacher__last_name")
    list_select_related = ("class_group", "subject", "teacher")
    date_hierarchy = "date"
    readonly_fields = ("version",)
    # Who recorded it and when: the one adding it, now.
    set_by_service = ("teacher", "recorded_at")
    # Its attendance and topics are of that period: moving it would leave them behind.
    fixed_once_saved = ("class_group", "subject", "date", "start_time")

    def perform_create(self, request, obj):
        # Every active student of the form present, as a sheet saved with nothing changed.
        saved = services.lesson_save(
            actor=request.user,
            class_group_id=obj.class_group_id,
            subject_id=obj.subject_id,
            date=obj.date,
            start_time=obj.start_time,
            expected_version=0,
        )
        adopt_saved(obj, saved.lesson)

    def perform_delete(self, request, obj):
        services.lesson_delete(actor=request.user, lesson=obj)


@admin.register(LessonTopic)
class LessonTopicAdmin(ReadOnlyAdmin):
    removed_with_parent = True
    list_display = ("lesson", "topic")
    list_filter = ("topic__subject", "school")
    search_fields = ("topic__name",)
    list_select_related = ("lesson__class_group", "lesson__subject", "topic")


@admin.register(LessonAttendance)
class LessonAttendanceAdmin(ReadOnlyAdmin):
    removed_with_parent = True
    list_display = ("date", "lesson", "student", "status", "understanding")
    list_filter = ("status", "understanding", "lesson__subject", "school")
    search_fields = ("student__first_name", "student__last_name", "student__student_id")
    list_select_related = ("lesson__class_group", "lesson__subject", "student")
    date_hierarchy = "date"
