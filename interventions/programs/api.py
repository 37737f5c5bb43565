"""JSON API of intervention programs (SPEC §7). Thin: parse, fetch through the selectors, call a service."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import paginated
from core.api.serializers import choice_field, validated, validated_patch
from core.errors import ApplicationError, PermissionDeniedError
from core.ids import MAX_ID, MAX_VERSION
from core.models import User, allowed_next_statuses
from core.permissions import PROGRAM_RUNNERS, STAFF, HasRole
from interventions.models import (
    Enrollment,
    Intervention,
    InterventionMeeting,
    InterventionSession,
    InterventionTemplate,
)
from interventions.programs import access, selectors, services
from interventions.programs.models import Tier
from students.models import Student

Program = Intervention
Session = InterventionSession
StaffAccess = HasRole(*STAFF)
ENROLLMENT_END_CHOICES = [(Enrollment.Status.WITHDRAWN, "Withdrawn"), (Enrollment.Status.EXITED, "Exited")]
RunnerAccess = HasRole(*PROGRAM_RUNNERS)


def _refuse_unknown(data, serializer_class) -> None:
    if not hasattr(data, "keys"):
        return
    accepted = set(serializer_class().fields) | {"csrfmiddlewaretoken"}
    unknown = sorted(set(data.keys()) - accepted)
    if unknown:
        raise ApplicationError(field_errors={name: ["This field cannot be written here."] for name in unknown})


def _staff_member(actor, user_id, field: str = "facilitator") -> User:
    user = User.objects.filter(pk=user_id, school_id=actor.school_id).first() if user_id else None
    if user is None:
        raise ApplicationError(field_errors={field: [f"No member of staff with id {user_id}."]})
    return user


# Templates
class ProgramTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = InterventionTemplate
        fields = ["id", *services.TEMPLATE_FIELDS, "created_at", "updated_at", "version"]
        read_only_fields = ["id", "created_at", "updated_at", "version"]


class ProgramTemplateUpdateSerializer(ProgramTemplateSerializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)

    class Meta(ProgramTemplateSerializer.Meta):
        read_only_fields = ["id", "created_at", "updated_at"]


class TemplateListCreateView(APIView):
    permission_classes = [RunnerAccess]

    @extend_schema(responses=ProgramTemplateSerializer(many=True))
    def get(self, request):
        return paginated(request, self, selectors.template_list(actor=request.user), ProgramTemplateSerializer)

    @extend_schema(request=ProgramTemplateSerializer, responses={201: ProgramTemplateSerializer})
    def post(self, request):
        _refuse_unknown(request.data, ProgramTemplateSerializer)
        data = validated(ProgramTemplateSerializer, request.data)
        template = services.template_create(actor=request.user, **data)
        return Response(ProgramTemplateSerializer(template).data, status=status.HTTP_201_CREATED)


class TemplateDetailView(APIView):
    permission_classes = [RunnerAccess]

    @extend_schema(responses=ProgramTemplateSerializer)
    def get(self, request, pk):
        return Response(ProgramTemplateSerializer(selectors.template_get(actor=request.user, template_id=pk)).data)

    @extend_schema(request=ProgramTemplateUpdateSerializer, responses=ProgramTemplateSerializer)
    def patch(self, request, pk):
        template = selectors.template_get(actor=request.user, template_id=pk)
        _refuse_unknown(request.data, ProgramTemplateUpdateSerializer)
        version, data = validated_patch(ProgramTemplateUpdateSerializer, request.data)
        template = services.template_update(actor=request.user, template=template, version=version, **data)
        return Response(ProgramTemplateSerializer(template).data)


# Programs
class FidelitySerializer(serializers.Serializer):
    planned = serializers.IntegerField()
    delivered = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    delivered_pct = serializers.FloatField(allow_null=True)
    upcoming = serializers.IntegerField()
    total = serializers.IntegerField()


class ProgramSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    enrolled = serializers.IntegerField(read_only=True)
    fidelity = serializers.SerializerMethodField()
    allowed_next_statuses = serializers.SerializerMethodField()

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "objective",
            "owner",
            "owner_name",
            "template",
            "tier",
            "duration_minutes",
            "sessions_per_week",
            "progress_metric",
            "location_type",
            "start_date",
            "end_date",
            "status",
            "created_at",
            "version",
            "enrolled",
            "fidelity",
            "allowed_next_statuses",
        ]

    @extend_schema_field(FidelitySerializer)
    def get_fidelity(self, program) -> dict:
        return selectors.fidelity_of(program)

    def get_allowed_next_statuses(self, program) -> list[str]:
        return allowed_next_statuses(program)


class ProgramCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    objective = serializers.CharField(required=False, allow_blank=True)
    template = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    status = choice_field(Program.Status, required=False)
    owner = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class ProgramUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    objective = serializers.CharField(required=False, allow_blank=True)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    status = choice_field(Program.Status, required=False)
    owner = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)


def _program_response(request, program_id, code=status.HTTP_200_OK):
    program = selectors.program_get(actor=request.user, program_id=program_id)
    return Response(ProgramSerializer(program).data, status=code)


class ProgramListCreateView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Program.Status.values),
            OpenApiParameter("owner", int),
            OpenApiParameter("student", int, description="programs the student is actively enrolled in"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=ProgramSerializer(many=True),
    )
    def get(self, request):
        filters = selectors.parse_program_filters(request.query_params)
        return paginated(request, self, selectors.program_list(actor=request.user, filters=filters), ProgramSerializer)

    @extend_schema(request=ProgramCreateSerializer, responses={201: ProgramSerializer})
    def post(self, request):
        if not access.runs_programs(request.user):
            raise PermissionDeniedError("Only counsellors and admins make programs.")
        _refuse_unknown(request.data, ProgramCreateSerializer)
        data = validated(ProgramCreateSerializer, request.data)
        template = None
        if data.get("template"):
            template = selectors.template_list(actor=request.user).filter(pk=data["template"]).first()
            if template is None:
                raise ApplicationError(field_errors={"template": [f"No template with id {data['template']}."]})
        owner = _staff_member(request.user, data["owner"], "owner") if data.get("owner") else None
        program = services.program_create(
            actor=request.user,
            name=data["name"],
            objective=data.get("objective", ""),
            template=template,
            tier=data.get("tier"),
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            status=data.get("status") or Program.Status.DRAFT,
            owner=owner,
        )
        return _program_response(request, program.pk, status.HTTP_201_CREATED)


class ProgramDetailView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(responses=ProgramSerializer)
    def get(self, request, pk):
        return _program_response(request, pk)

    @extend_schema(request=ProgramUpdateSerializer, responses=ProgramSerializer)
    def patch(self, request, pk):
        program = selectors.program_get_for_update(actor=request.user, program_id=pk)
        _refuse_unknown(request.data, ProgramUpdateSerializer)
        version, data = validated_patch(ProgramUpdateSerializer, request.data)
        if "owner" in data:
            data["owner"] = _staff_member(request.user, data["owner"], "owner")
        services.program_update(actor=request.user, program=program, version=version, **data)
        return _program_response(request, pk)


# Sessions
class SessionSerializer(serializers.ModelSerializer):
    facilitator_name = serializers.CharField(source="facilitator.display_name", read_only=True)
    attendance_taken_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "intervention",
            "start_time",
            "end_time",
            "location",
            "facilitator",
            "facilitator_name",
            "status",
            "cancel_reason",
            "attendance_taken_by",
            "attendance_taken_by_name",
            "attendance_taken_at",
            "version",
        ]

    def get_attendance_taken_by_name(self, session) -> str | None:
        return session.attendance_taken_by.display_name if session.attendance_taken_by_id else None


class SessionCreateSerializer(serializers.Serializer):
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, trim_whitespace=False)
    facilitator = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class SessionUpdateSerializer(serializers.Serializer):
    start_time = serializers.DateTimeField(required=False)
    end_time = serializers.DateTimeField(required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, trim_whitespace=False)
    facilitator = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    status = choice_field(Session.Status, required=False)
    cancel_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)


class GenerateSerializer(serializers.Serializer):
    start = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"])
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=4), allow_empty=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, trim_whitespace=False)
    facilitator = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    def get_fields(self):
        fields = super().get_fields()
        # `from` is a Python keyword: declared here.
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class ProgramSessionsView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(responses=SessionSerializer(many=True))
    def get(self, request, pk):
        program = selectors.program_get_for_update(actor=request.user, program_id=pk)
        return paginated(request, self, selectors.session_list(program=program), SessionSerializer)

    @extend_schema(request=SessionCreateSerializer, responses={201: SessionSerializer})
    def post(self, request, pk):
        program = selectors.program_get_for_update(actor=request.user, program_id=pk)
        if not access.can_manage_program(request.user, program):
            raise PermissionDeniedError("Only the program's owner or an admin schedules its sessions.")
        _refuse_unknown(request.data, SessionCreateSerializer)
        data = validated(SessionCreateSerializer, request.data)
        session = services.session_create(
            actor=request.user,
            program=program,
            start_time=data["start_time"],
            end_time=data["end_time"],
            location=data.get("location", ""),
            facilitator=_staff_member(request.user, data["facilitator"]),
        )
        session = selectors.session_get(actor=request.user, session_id=session.pk)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class GenerateSessionsView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(request=GenerateSerializer, responses={201: SessionSerializer(many=True)})
    def post(self, request, pk):
        program = selectors.program_get_for_update(actor=request.user, program_id=pk)
        if not access.can_manage_program(request.user, program):
            raise PermissionDeniedError("Only the program's owner or an admin schedules its sessions.")
        _refuse_unknown(request.data, GenerateSerializer)
        data = validated(GenerateSerializer, request.data)
        sessions = services.sessions_generate(
            actor=request.user,
            program=program,
            request=services.SeriesRequest(
                date_from=data["from"],
                date_to=data["to"],
                weekdays=sorted(set(data["weekdays"])),
                start=data["start"],
                location=data.get("location", ""),
                facilitator=_staff_member(request.user, data["facilitator"]),
            ),
        )
        rows = selectors.session_list(program=program).filter(pk__in=[s.pk for s in sessions])
        return Response(
            {"count": len(sessions), "results": SessionSerializer(rows, many=True).data},
            status=status.HTTP_201_CREATED,
        )


class SessionDetailView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(responses=SessionSerializer)
    def get(self, request, pk):
        return Response(SessionSerializer(selectors.session_get(actor=request.user, session_id=pk)).data)

    @extend_schema(request=SessionUpdateSerializer, responses=SessionSerializer)
    def patch(self, request, pk):
        session = selectors.session_get(actor=request.user, session_id=pk)
        if not access.can_manage_program(request.user, session.intervention):
            raise PermissionDeniedError("Only the program's owner or an admin reschedules or cancels its sessions.")
        _refuse_unknown(request.data, SessionUpdateSerializer)
        version, data = validated_patch(SessionUpdateSerializer, request.data)
        if "facilitator" in data:
            data["facilitator"] = _staff_member(request.user, data["facilitator"])
        services.session_update(actor=request.user, session=session, version=version, **data)
        return Response(SessionSerializer(selectors.session_get(actor=request.user, session_id=pk)).data)


class SessionAttendanceRecordSerializer(serializers.Serializer):
    student = serializers.IntegerField(source="student.pk")
    student_name = serializers.CharField(source="student.full_name")
    status = serializers.CharField()
    notes = serializers.CharField()
    recorded = serializers.BooleanField()
    taken_by = serializers.SerializerMethodField()
    recorded_at = serializers.DateTimeField(allow_null=True)

    def get_taken_by(self, row) -> int | None:
        return row.taken_by.pk if row.taken_by else None


class AttendanceSaveSerializer(serializers.Serializer):
    records = serializers.ListField(child=serializers.DictField(), allow_empty=True)
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, required=False, allow_null=True)


def _attendance_body(session) -> dict:
    rows = selectors.session_attendance_rows(session=session)
    return {
        "session": SessionSerializer(session).data,
        "records": SessionAttendanceRecordSerializer(rows, many=True).data,
    }


class SessionAttendanceView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(responses=SessionAttendanceRecordSerializer(many=True))
    def get(self, request, pk):
        session = selectors.session_get(actor=request.user, session_id=pk)
        return Response(_attendance_body(session))

    @extend_schema(request=AttendanceSaveSerializer, responses=SessionAttendanceRecordSerializer(many=True))
    def post(self, request, pk):
        data = validated(AttendanceSaveSerializer, request.data)
        result = services.session_attendance_save(
            actor=request.user, session_id=pk, records=data["records"], expected_version=data.get("version")
        )
        return Response(
            {
                "session": result.session.pk,
                "status": result.session.status,
                "version": result.session.version,
                "taken_by": request.user.pk,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )


# Enrollments
class EnrollmentSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.full_name", read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "intervention",
            "student",
            "student_name",
            "source",
            "status",
            "enrolled_at",
            "enrolled_by",
            "withdrawn_at",
            "exit_reason",
            "referred_by_meeting",
            "baseline",
            "goal",
            "goal_date",
            "version",
        ]


class EnrollmentCreateSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    source = choice_field(Enrollment.Source, required=False)
    referred_by_meeting = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    baseline = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    goal = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    goal_date = serializers.DateField(required=False, allow_null=True)


class EnrollmentUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ENROLLMENT_END_CHOICES)
    exit_reason = serializers.CharField(allow_blank=True, required=False)
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)


class ProgramEnrollmentsView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(responses=EnrollmentSerializer(many=True))
    def get(self, request, pk):
        program = selectors.program_get_for_update(actor=request.user, program_id=pk)
        return paginated(
            request, self, selectors.enrollment_list(actor=request.user, program=program), EnrollmentSerializer
        )

    @extend_schema(request=EnrollmentCreateSerializer, responses={201: EnrollmentSerializer})
    def post(self, request, pk):
        program = selectors.program_get_for_update(actor=request.user, program_id=pk)
        _refuse_unknown(request.data, EnrollmentCreateSerializer)
        data = validated(EnrollmentCreateSerializer, request.data)
        student = (
            Student.objects.for_actor(request.user).select_related("class_group").filter(pk=data["student"]).first()
        )
        if student is None:
            raise ApplicationError(field_errors={"student": [f"No student with id {data['student']}."]})
        meeting = None
        if data.get("referred_by_meeting"):
            meeting = InterventionMeeting.objects.for_actor(request.user).filter(pk=data["referred_by_meeting"]).first()
            if meeting is None:
                raise ApplicationError(
                    field_errors={"referred_by_meeting": [f"No meeting with id {data['referred_by_meeting']}."]}
                )
        enrollment = services.enrollment_create(
            actor=request.user,
            program=program,
            student=student,
            source=data.get("source") or Enrollment.Source.MANUAL,
            referred_by_meeting=meeting,
            baseline=data.get("baseline"),
            goal=data.get("goal"),
            goal_date=data.get("goal_date"),
        )
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)


class EnrollmentDetailView(APIView):
    permission_classes = [StaffAccess]

    @extend_schema(responses=EnrollmentSerializer)
    def get(self, request, pk):
        return Response(EnrollmentSerializer(selectors.enrollment_get(actor=request.user, enrollment_id=pk)).data)

    @extend_schema(request=EnrollmentUpdateSerializer, responses=EnrollmentSerializer)
    def patch(self, request, pk):
        enrollment = selectors.enrollment_get(actor=request.user, enrollment_id=pk)
        _refuse_unknown(request.data, EnrollmentUpdateSerializer)
        data = validated(EnrollmentUpdateSerializer, request.data)
        services.enrollment_update(
            actor=request.user,
            enrollment=enrollment,
            version=data["version"],
            status=data["status"],
            exit_reason=data.get("exit_reason", ""),
        )
        return Response(EnrollmentSerializer(selectors.enrollment_get(actor=request.user, enrollment_id=pk)).data)


class RiskEntrySerializer(serializers.Serializer):
    student = serializers.IntegerField(source="student.pk")
    student_name = serializers.CharField(source="student.full_name")
    admission_number = serializers.CharField(source="student.student_id")
    class_group = serializers.IntegerField(source="student.class_group_id", allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    alerts = serializers.SerializerMethodField()
    escalated_meetings = serializers.SerializerMethodField()

    def get_alerts(self, entry) -> list[dict]:
        return [{"id": a.pk, "kind": a.kind, "severity": a.severity} for a in entry.alerts]

    def get_escalated_meetings(self, entry) -> list[int]:
        return [meeting.pk for meeting in entry.escalated_meetings]


class RiskListView(APIView):
    permission_classes = [RunnerAccess]

    @extend_schema(responses=RiskEntrySerializer(many=True))
    def get(self, request):
        return paginated(request, self, selectors.risk_list(actor=request.user), RiskEntrySerializer)
