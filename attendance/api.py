"""Attendance API: the records list and the bulk register save."""

from __future__ import annotations

import django_filters
from django import forms as django_forms
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance import selectors, services
from attendance.models import AttendanceRecord
from core.api.filters import IdFilter
from core.ids import MAX_ID, MAX_VERSION, parse_id
from core.permissions import REGISTER_TAKERS, STAFF, HasRole


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
    class_group = IdFilter(method="applied_by_selector")
    student = IdFilter(method="applied_by_selector")
    status = django_filters.ChoiceFilter(choices=AttendanceRecord.Status.choices)

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
