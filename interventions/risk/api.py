"""Risk API: `GET /api/risk/` (filters level_gte, class_group, no_action) and
`GET /api/students/{id}/risk/` (level, indicators, figures, forecast). Everyone on staff reads."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import STAFF, HasRole
from interventions.risk import selectors
from interventions.risk.models import StudentRisk
from students.selectors import student_get

INDICATORS = ("attendance", "behaviour", "course")


class StudentRiskSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.full_name", read_only=True)
    class_group = serializers.IntegerField(source="student.class_group_id", read_only=True, allow_null=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = StudentRisk
        fields = [
            "id",
            "student",
            "student_name",
            "class_group",
            "level",
            "attendance_level",
            "behaviour_level",
            "course_level",
            "reasons",
            "figures",
            "computed_at",
        ]
        read_only_fields = fields

    def get_reasons(self, risk) -> list[str]:
        return [risk.figures.get(name, {}).get("words", "") for name in INDICATORS if risk.figures.get(name)]


class RiskListView(generics.ListAPIView):
    """The school's students with their ABC level, most at risk first."""

    serializer_class = StudentRiskSerializer
    permission_classes = [HasRole(*STAFF)]
    queryset = StudentRisk.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("level_gte", OpenApiTypes.INT, description="level at least (0–4)"),
            OpenApiParameter("class_group", OpenApiTypes.INT, description="one form"),
            OpenApiParameter("no_action", OpenApiTypes.BOOL, description="no meeting/enrollment/contact in 30 days"),
            OpenApiParameter("ordering", OpenApiTypes.STR, enum=list(selectors.ORDERINGS)),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StudentRisk.objects.none()
        return selectors.risk_levels(actor=self.request.user, **selectors.parse_risk_filters(self.request.query_params))


class StudentRiskView(APIView):
    """One student's level, the three indicators with their figures, strengths and the forecast."""

    permission_classes = [HasRole(*STAFF)]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        student = student_get(actor=request.user, id=pk)
        risk = selectors.student_risk(student=student)
        forecast = selectors.student_forecast(student=student)
        figures = risk.figures if risk else {}
        return Response(
            {
                "student": student.pk,
                "student_name": student.full_name,
                "level": risk.level if risk else None,
                "indicators": {
                    name: {"level": getattr(risk, f"{name}_level") if risk else None, **figures.get(name, {})}
                    for name in INDICATORS
                },
                "strengths": figures.get("strengths", []),
                "figures": figures,
                "computed_at": risk.computed_at if risk else None,
                "forecast": forecast.as_dict() if forecast else None,
            }
        )
