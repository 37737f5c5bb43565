"""JSON API of program outcomes (SPEC §7). Thin: parse, fetch through the selectors, call a service."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import paginated
from core.api.serializers import validated
from core.errors import ApplicationError
from core.ids import MAX_ID, MAX_VERSION
from core.permissions import PROGRAM_RUNNERS, STAFF, HasRole
from interventions.outcomes import selectors, services
from interventions.outcomes.models import ExitCriteria, ExitRecommendation, ProgressNote
from students.models import Student

StaffAccess = HasRole(*STAFF)
RunnerAccess = HasRole(*PROGRAM_RUNNERS)


class ProgressNoteSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.full_name", read_only=True)
    entered_by_name = serializers.CharField(source="entered_by.display_name", read_only=True)

    class Meta:
        model = ProgressNote
        fields = [
            "id",
            "intervention",
            "student",
            "student_name",
            "note",
            "rating",
            "metric_value",
            "entered_by",
            "entered_by_name",
            "entered_at",
        ]


class ProgressNoteCreateSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    note = serializers.CharField()
    rating = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    metric_value = serializers.DecimalField(max_digits=9, decimal_places=2, required=False, allow_null=True)


class ExitCriteriaSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExitCriteria
        fields = ["id", "intervention", "threshold_type", "target_value", "window", "metric_name", "created_at"]


class ExitCriteriaCreateSerializer(serializers.Serializer):
    threshold_type = serializers.ChoiceField(choices=ExitCriteria.ThresholdType.choices)
    target_value = serializers.DecimalField(max_digits=9, decimal_places=2)
    window = serializers.IntegerField(min_value=1, max_value=services.MAX_WINDOW)
    metric_name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ExitRecommendationSerializer(serializers.ModelSerializer):
    intervention = serializers.IntegerField(source="enrollment.intervention_id", read_only=True)
    student = serializers.IntegerField(source="enrollment.student_id", read_only=True)
    student_name = serializers.CharField(source="enrollment.student.full_name", read_only=True)

    class Meta:
        model = ExitRecommendation
        fields = [
            "id",
            "enrollment",
            "intervention",
            "student",
            "student_name",
            "figures",
            "status",
            "created_at",
            "decided_by",
            "decided_at",
            "version",
        ]


class ExitDecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("accepted", "accepted"), ("dismissed", "dismissed")])
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)


class ChartPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = serializers.FloatField()


class ChartWeekSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    rate = serializers.FloatField()


class ProgressChartSerializer(serializers.Serializer):
    baseline = serializers.FloatField(allow_null=True)
    goal = serializers.FloatField(allow_null=True)
    goal_date = serializers.DateField(allow_null=True)
    start_date = serializers.DateField()
    points = ChartPointSerializer(many=True)
    trend = serializers.DictField()
    attendance_weekly = ChartWeekSerializer(many=True)
    session_attendance_pct = serializers.FloatField(allow_null=True)
    fidelity = serializers.DictField()
    verdict = serializers.CharField()


class ProgramNotesView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(parameters=[OpenApiParameter("student", int)], responses=ProgressNoteSerializer(many=True))
    def get(self, request, pk):
        program = selectors.program_for_outcomes(actor=request.user, program_id=pk)
        filters = selectors.parse_note_filters(request.query_params)  # a bad one: 400, as every list
        rows = selectors.program_notes(program=program, student_id=filters.get("student"))
        return paginated(request, self, rows, ProgressNoteSerializer)

    @extend_schema(request=ProgressNoteCreateSerializer, responses={201: ProgressNoteSerializer})
    def post(self, request, pk):
        program = selectors.program_for_outcomes(actor=request.user, program_id=pk)
        data = validated(ProgressNoteCreateSerializer, request.data)
        student = Student.objects.for_actor(request.user).filter(pk=data["student"]).first()
        if student is None:
            raise ApplicationError(field_errors={"student": [f"No student with id {data['student']}."]})
        note = services.note_add(
            actor=request.user,
            program=program,
            student=student,
            note=data["note"],
            rating=data.get("rating"),
            metric_value=data.get("metric_value"),
        )
        return Response(ProgressNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class ProgramCriteriaView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(responses=ExitCriteriaSerializer(many=True))
    def get(self, request, pk):
        program = selectors.program_for_outcomes(actor=request.user, program_id=pk)
        return paginated(request, self, selectors.program_criteria(program=program), ExitCriteriaSerializer)

    @extend_schema(request=ExitCriteriaCreateSerializer, responses={201: ExitCriteriaSerializer})
    def post(self, request, pk):
        program = selectors.program_for_outcomes(actor=request.user, program_id=pk)
        data = validated(ExitCriteriaCreateSerializer, request.data)
        criterion = services.criteria_create(actor=request.user, program=program, **data)
        return Response(ExitCriteriaSerializer(criterion).data, status=status.HTTP_201_CREATED)


class ProgramEvaluateView(APIView):
    permission_classes = [RunnerAccess]

    @extend_schema(request=None, responses=ExitRecommendationSerializer(many=True))
    def post(self, request, pk):
        program = selectors.program_for_outcomes(actor=request.user, program_id=pk)
        created = services.evaluate_program(actor=request.user, program=program)
        rows = selectors.recommendation_list(actor=request.user).filter(pk__in=[row.pk for row in created])
        return Response(ExitRecommendationSerializer(rows, many=True).data)


class RecommendationListView(APIView):
    permission_classes = [RunnerAccess]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ExitRecommendation.Status.values),
            OpenApiParameter("program", int),
            OpenApiParameter("student", int),
        ],
        responses=ExitRecommendationSerializer(many=True),
    )
    def get(self, request):
        filters = selectors.parse_recommendation_filters(request.query_params)
        return paginated(
            request,
            self,
            selectors.recommendation_list(actor=request.user, filters=filters),
            ExitRecommendationSerializer,
        )


class RecommendationDetailView(APIView):
    permission_classes = [RunnerAccess]

    @extend_schema(responses=ExitRecommendationSerializer)
    def get(self, request, pk):
        return Response(
            ExitRecommendationSerializer(selectors.recommendation_get(actor=request.user, recommendation_id=pk)).data
        )

    @extend_schema(request=ExitDecisionSerializer, responses=ExitRecommendationSerializer)
    def patch(self, request, pk):
        recommendation = selectors.recommendation_get(actor=request.user, recommendation_id=pk)
        data = validated(ExitDecisionSerializer, request.data)
        services.recommendation_decide(
            actor=request.user, recommendation=recommendation, status=data["status"], version=data["version"]
        )
        fresh = selectors.recommendation_get(actor=request.user, recommendation_id=pk)
        return Response(ExitRecommendationSerializer(fresh).data)


class EnrollmentProgressView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(responses=ProgressChartSerializer)
    def get(self, request, pk):
        data = selectors.progress_chart(actor=request.user, enrollment_id=pk)
        return Response(ProgressChartSerializer(data).data)
