"""Behaviour API: `GET, POST /api/behaviour/`, `PATCH /api/behaviour/{id}/` (appeal or resolve, with
`version`)."""

from __future__ import annotations

import django_filters
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.api.filters import choice_filter, row_id_filter
from core.errors import ApplicationError
from core.ids import MAX_VERSION
from core.permissions import REGISTER_TAKERS, STAFF, HasRole
from students import selectors as student_selectors
from students.behaviour import selectors, services
from students.behaviour.models import BehaviourRecord


class BehaviourRecordSerializer(serializers.ModelSerializer):
    student = serializers.IntegerField(source="student_id", min_value=1)
    student_name = serializers.CharField(source="student.full_name", read_only=True)
    created_by_name = serializers.CharField(source="created_by.display_name", read_only=True)
    counts = serializers.BooleanField(read_only=True)

    class Meta:
        model = BehaviourRecord
        fields = [
            "id",
            "student",
            "student_name",
            "type",
            "category",
            "reason",
            "points",
            "date",
            "created_by",
            "created_by_name",
            "status",
            "upheld",
            "appeal_reason",
            "resolution_note",
            "counts",
            "created_at",
            "version",
        ]
        read_only_fields = [
            "id",
            "created_by",
            "status",
            "upheld",
            "appeal_reason",
            "resolution_note",
            "created_at",
            "version",
        ]
        extra_kwargs = {"date": {"required": False}, "category": {"required": False}, "points": {"required": False}}


class BehaviourChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[BehaviourRecord.Status.APPEALED, BehaviourRecord.Status.RESOLVED])
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)
    appeal_reason = serializers.CharField(required=False, allow_blank=True, default="")
    upheld = serializers.BooleanField(required=False, allow_null=True, default=None)
    resolution_note = serializers.CharField(required=False, allow_blank=True, default="")


class BehaviourFilter(django_filters.FilterSet):
    student = row_id_filter("student", field_name="student_id")
    class_group = row_id_filter("form", field_name="student__class_group_id")
    type = choice_filter("type", BehaviourRecord.Type.choices)
    status = choice_filter("status", BehaviourRecord.Status.choices)
    category = choice_filter("category", BehaviourRecord.Category.choices)

    class Meta:
        model = BehaviourRecord
        fields = ["student", "class_group", "type", "status", "category"]


class BehaviourListView(generics.ListCreateAPIView):
    """GET: the school's behaviour records, newest first (filters student, class_group, type, status,
    category). POST: log a reward or a penalty (admins, form masters, teachers)."""

    serializer_class = BehaviourRecordSerializer
    filterset_class = BehaviourFilter

    def get_permissions(self):
        return [HasRole(*(REGISTER_TAKERS if self.request.method == "POST" else STAFF))()]

    def get_queryset(self):
        return selectors.behaviour_list(actor=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        student = student_selectors.student_get(actor=self.request.user, id=data.pop("student_id"))
        serializer.instance = services.behaviour_record_create(actor=self.request.user, student=student, **data)


class BehaviourDetailView(generics.RetrieveUpdateAPIView):
    """GET one record; PATCH `{status: "appealed", appeal_reason, version}` or `{status: "resolved",
    upheld, resolution_note, version}`. A stale version answers 409."""

    serializer_class = BehaviourRecordSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_permissions(self):
        return [HasRole(*STAFF)()]

    def get_object(self):
        return selectors.behaviour_get(actor=self.request.user, id=self.kwargs["pk"])

    def partial_update(self, request, *args, **kwargs):
        record = self.get_object()
        change = BehaviourChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        data = change.validated_data
        if data["status"] == BehaviourRecord.Status.APPEALED:
            record = services.behaviour_record_appeal(
                actor=request.user, record=record, version=data["version"], appeal_reason=data["appeal_reason"]
            )
        else:
            if data["upheld"] is None:
                raise ApplicationError(field_errors={"upheld": ["Say whether the penalty is upheld."]})
            record = services.behaviour_record_resolve(
                actor=request.user,
                record=record,
                version=data["version"],
                upheld=data["upheld"],
                resolution_note=data["resolution_note"],
            )
        return Response(self.get_serializer(record).data)
