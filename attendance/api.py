"""Attendance API: the records list, a student's records and the bulk register save."""

from __future__ import annotations

import django_filters
from django import forms as django_forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance import selectors, services
from attendance.models import AttendanceRecord
from core.api.filters import choice_filter, row_id_filter
from core.ids import MAX_ID, MAX_VERSION, parse_id
from core.permissions import REGISTER_TAKERS, STAFF, HasRole
from students.selectors import student_get


class AttendanceRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttendanceRecord
        fields = ["id", "student", "date", "status", "reason", "marked_by", "marked_at"]
        read_only_fields = fields


class AttendanceFilterForm(django_forms.Form):
    def clean(self):
        data = super().clean()
        # Refused like /api/students/{id}/attendance/ does, rather than answered with an empty list.
        if data.get("start") and data.get("to") and data["start"] > data["to"]:
            self.add_error("to", "Must not be before from.")
        return data


class AttendanceFilter(django_filters.FilterSet):
    date = django_filters.DateFilter()
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="from")
    to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    # Validated here, applied by the selector (see AttendanceListView.get_queryset).
    class_group = row_id_filter("form", method="applied_by_selector")
    student = row_id_filter("student", method="applied_by_selector")
    status = choice_filter("status", AttendanceRecord.Status.choices)

    class Meta:
        model = AttendanceRecord
        fields = ["date", "class_group", "student", "status"]
        form = AttendanceFilterForm

    def applied_by_selector(self, queryset, name, value):
        return queryset

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "from" in data:
            data = data.copy()
            data["start"] = data.get("from")
        super().__init__(data, *args, **kwargs)


class AttendanceListView(generics.ListAPIView):
    """The school's attendance records, newest first; filters date, from, to, class_group, student, status."""

    serializer_class = AttendanceRecordSerializer
    filterset_class = AttendanceFilter
    permission_classes = [HasRole(*STAFF)]

    def get_queryset(self):
        return selectors.attendance_list(
            actor=self.request.user,
            class_group_id=self._int_param("class_group"),
            student_id=self._int_param("student"),
        )

    def _int_param(self, name: str) -> int | None:
        # A value that is not an id is answered with 400 by the filter set.
        return parse_id(self.request.query_params.get(name))


class BulkRecordSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=AttendanceRecord.Status.choices)
    reason = serializers.CharField(max_length=services.MAX_REASON, allow_blank=True, required=False, default="")


class BulkRegisterSerializer(serializers.Serializer):
    class_group = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    date = serializers.DateField()
    records = BulkRecordSerializer(many=True, allow_empty=True)
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_VERSION, help_text="The register version you loaded (0: none)."
    )


class BulkRegisterResponseSerializer(serializers.Serializer):
    register = serializers.IntegerField()
    class_group = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    date = serializers.DateField()
    version = serializers.IntegerField()
    taken_by = serializers.IntegerField()
    taken_at = serializers.DateTimeField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class BulkRegisterView(APIView):
    """Save a form's register for one day: every active student of the form, present unless listed.

    Idempotent: sending the same day twice changes nothing but who took it last. Refused (400) for a
    future date, a weekend or holiday, a student not in the form, an unknown status or a student listed
    twice; 409 with `version` when the register was saved since that version was loaded.
    """

    permission_classes = [HasRole(*REGISTER_TAKERS)]

    @extend_schema(request=BulkRegisterSerializer, responses={200: BulkRegisterResponseSerializer})
    def post(self, request):
        payload = BulkRegisterSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = services.register_save(
            actor=request.user,
            class_group_id=data["class_group"],
            date=data["date"],
            records=data["records"],
            expected_version=data.get("version"),
        )
        register = result.register
        body = {
            "register": register.pk,
            "class_group": register.class_group_id,
            "date": register.date,
            "version": register.version,
            "taken_by": register.taken_by_id,
            "taken_at": register.taken_at,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        return Response(BulkRegisterResponseSerializer(body).data, status=status.HTTP_200_OK)


class StudentAttendanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    student = serializers.IntegerField(source="student_id")
    date = serializers.DateField()
    status = serializers.CharField()
    reason = serializers.CharField()
    marked_by = serializers.IntegerField(source="marked_by_id", allow_null=True)
    marked_by_name = serializers.CharField(source="marked_by.display_name", default=None)
    marked_at = serializers.DateTimeField()


class DateRangeSerializer(serializers.Serializer):
    """`?from=&to=`: "from" is a Python keyword, so the fields are declared here."""

    def get_fields(self):
        return {"from": serializers.DateField(required=False), "to": serializers.DateField(required=False)}

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": ["Must not be before from."]})
        return attrs


class StudentAttendanceView(generics.ListAPIView):
    """A student's attendance records, oldest first; `?from=&to=` (YYYY-MM-DD) limit the dates."""

    serializer_class = StudentAttendanceSerializer
    permission_classes = [HasRole(*STAFF)]
    queryset = AttendanceRecord.objects.none()  # for the schema; requests use get_queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="first date (YYYY-MM-DD)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="last date (YYYY-MM-DD)"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AttendanceRecord.objects.none()
        student = student_get(actor=self.request.user, id=self.kwargs["pk"])
        dates = DateRangeSerializer(data=self.request.query_params)
        dates.is_valid(raise_exception=True)
        return selectors.student_attendance(
            actor=self.request.user,
            student=student,
            start=dates.validated_data.get("from"),
            end=dates.validated_data.get("to"),
        )
