"""Lessons and their attendance in Django admin: the school's rows only."""

from django.contrib import admin

from attendance.lessons.models import Lesson, LessonAttendance, LessonTopic
from core.admin_base import SchoolScopedAdmin


@admin.register(Lesson)
class LessonAdmin(SchoolScopedAdmin):
    list_display = ("date", "start_time", "class_group", "subject", "teacher", "recorded_at")
    list_filter = ("subject", "class_group", "teacher", "school")
    search_fields = ("class_group__name", "subject__name", "subject__code", "teacher__last_name")
    list_select_related = ("class_group", "subject", "teacher")
    date_hierarchy = "date"
    readonly_fields = ("version",)


@admin.register(LessonTopic)
class LessonTopicAdmin(SchoolScopedAdmin):
    list_display = ("lesson", "topic")
    list_filter = ("topic__subject", "school")
    search_fields = ("topic__name",)
    list_select_related = ("lesson__class_group", "lesson__subject", "topic")

    def perform_create(self, request, obj):
        obj.school_id = obj.lesson.school_id
        super().perform_create(request, obj)


@admin.register(LessonAttendance)
class LessonAttendanceAdmin(SchoolScopedAdmin):
    list_display = ("date", "lesson", "student", "status", "understanding")
    list_filter = ("status", "understanding", "lesson__subject", "school")
    search_fields = ("student__first_name", "student__last_name", "student__student_id")
    list_select_related = ("lesson__class_group", "lesson__subject", "student")
    date_hierarchy = "date"
    autocomplete_fields = ["student"]
    readonly_fields = ("date",)

    def perform_create(self, request, obj):
        obj.school_id = obj.lesson.school_id
        obj.date = obj.lesson.date
        super().perform_create(request, obj)
