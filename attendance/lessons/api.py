"""Lessons API (SPEC §8): a lesson with its topics and attendance in one request."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from attendance.lessons import selectors, services
from attendance.lessons.models import Lesson, LessonAttendance
from core.api.filters import row_id_filter
from core.ids import MAX_ID, MAX_VERSION
from core.permissions import ACADEMIC_RECORDERS, STAFF, HasRole


class LessonAttendanceSerializer(serializers.ModelSerializer):
    student = serializers.IntegerField(source="student_id", min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=LessonAttendance.Status.choices, default="present")
    understanding = serializers.IntegerField(min_value=1, max_value=5, allow_null=True, required=False)
    notes = serializers.CharField(max_length=services.MAX_NOTES, allow_blank=True, required=False, default="")

    class Meta:
        model = LessonAttendance
        fields = ["student", "status", "understanding", "notes"]


class TopicIdsField(serializers.ListField):
    """The lesson's topic ids, read from its (prefetched) topic links."""

    def get_attribute(self, instance):
        return [link.topic_id for link in instance.lesson_topics.all()]


class LessonSerializer(serializers.ModelSerializer):
    """A lesson; on POST `topics_covered` (topic ids of the subject) and `attendance` (students not
    listed are present) are written with it, and `version` (0: a new lesson) guards against a save
    made since it was loaded."""

    class_group = serializers.IntegerField(source="class_group_id", min_value=1, max_value=MAX_ID)
    subject = serializers.IntegerField(source="subject_id", min_value=1, max_value=MAX_ID)
    teacher = serializers.IntegerField(source="teacher_id", read_only=True)
    topics_covered = TopicIdsField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list
    )
    attendance = LessonAttendanceSerializer(many=True, required=False, default=list)
    version = serializers.IntegerField(required=False, min_value=0, max_value=MAX_VERSION)

    class Meta:
        model = Lesson
        fields = [
            "id",
            "class_group",
            "subject",
            "teacher",
            "date",
            "start_time",
            "topics_covered",
            "attendance",
            "recorded_at",
            "version",
        ]
        read_only_fields = ["id", "teacher", "recorded_at"]
        validators = []  # one lesson per (form, subject, date, start time): a save updates it


class LessonFilter(django_filters.FilterSet):
    class_group = row_id_filter("form", field_name="class_group_id")
    subject = row_id_filter("subject", field_name="subject_id")
    date = django_filters.DateFilter()
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="from")
    to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Lesson
        fields = ["class_group", "subject", "date"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "from" in data:
            data = data.copy()
            data["start"] = data.get("from")
        super().__init__(data, *args, **kwargs)


class LessonListView(generics.ListCreateAPIView):
    """GET: the school's lessons, newest first, with topics and attendance (filters class_group,
    subject, date, from, to). POST: save a lesson — idempotent per (class_group, subject, date,
    start_time): the same lesson again updates it. 200 when it existed, 201 when new."""

    serializer_class = LessonSerializer
    filterset_class = LessonFilter

    def get_permissions(self):
        return [HasRole(*(ACADEMIC_RECORDERS if self.request.method == "POST" else STAFF))()]

    def get_queryset(self):
        return selectors.lesson_list(actor=self.request.user)

    @extend_schema(request=LessonSerializer, responses={200: LessonSerializer, 201: LessonSerializer})
    def post(self, request, *args, **kwargs):
        payload = LessonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = services.lesson_save(
            actor=request.user,
            class_group_id=data["class_group_id"],
            subject_id=data["subject_id"],
            date=data["date"],
            start_time=data["start_time"],
            topic_ids=data.get("topics_covered", []),
            records=[{**item, "student": item["student_id"]} for item in data.get("attendance", [])],
            expected_version=data.get("version"),
        )
        lesson = selectors.lesson_list(actor=request.user).get(pk=result.lesson.pk)
        return Response(
            LessonSerializer(lesson).data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )
