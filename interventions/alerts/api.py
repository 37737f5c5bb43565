"""Alerts API: thin views over the selectors and the status-change service; serializers give the shape."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.api.serializers import TIMESTAMP
from core.ids import MAX_VERSION
from core.permissions import REGISTER_TAKERS, STAFF, HasRole
from interventions.alerts import selectors, services
from interventions.models import Alert

# Counsellors read their school's alerts but do not change them.


class AlertSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.full_name", read_only=True)
    reason = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "student",
            "student_name",
            "kind",
            "severity",
            "details",
            "reason",
            "status",
            "assigned_to",
            "note",
            "created_at",
            "resolved_at",
            "version",
        ]
        read_only_fields = fields

    def get_reason(self, alert) -> str:
        return selectors.alert_reason(alert)

    def to_representation(self, alert) -> dict:
        """The values the fields above give (a client is written against them; test_alerts_api compares
        the two), read straight off the row: DRF's generic walk over the fields was most of a list's time."""
        return {
            "id": alert.pk,
            "student": alert.student_id,
            "student_name": alert.student.full_name,
            "kind": alert.kind,
            "severity": alert.severity,
            "details": alert.details,
            "reason": selectors.alert_reason(alert),
            "status": alert.status,
            "assigned_to": alert.assigned_to_id,
            "note": alert.note,
            "created_at": TIMESTAMP.to_representation(alert.created_at),
            "resolved_at": TIMESTAMP.to_representation(alert.resolved_at),
            "version": alert.version,
        }


class AlertStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Alert.Status.choices)
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AlertListView(generics.ListAPIView):
    """The alerts that concern the user: admins and counsellors the school's, form masters those of their
    forms (and assigned to them), teachers those assigned to them. Open first, then by severity."""

    serializer_class = AlertSerializer
    filterset_class = selectors.AlertFilter
    permission_classes = [HasRole(*STAFF)]

    def get_queryset(self):
        # The rows name the student and give the assignee as an id: the form and the user are not joined.
        return selectors.alert_list(actor=self.request.user, joined=("student",))


class AlertDetailView(generics.GenericAPIView):
    """GET one alert; PATCH `{status, version, note?}` to acknowledge, resolve or dismiss it (409 when the
    version is stale; dismissing needs a note)."""

    serializer_class = AlertSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_permissions(self):
        roles = STAFF if self.request.method in ("GET", "HEAD", "OPTIONS") else REGISTER_TAKERS
        return [HasRole(*roles)()]

    def get_object(self):
        return selectors.alert_get(actor=self.request.user, alert_id=self.kwargs["pk"])

    def get(self, request, pk):
        return Response(AlertSerializer(self.get_object()).data)

    @extend_schema(request=AlertStatusSerializer, responses=AlertSerializer)
    def patch(self, request, pk):
        alert = self.get_object()
        payload = AlertStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        alert = services.alert_change_status(actor=request.user, alert=alert, **payload.validated_data)
        return Response(AlertSerializer(alert).data)
