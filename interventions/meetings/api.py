"""JSON API of intervention meetings (SPEC §4). Thin: parse, fetch through the selectors, call a service."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import paginated
from core.api.serializers import DATE, TIMESTAMP, choice_field, validated
from core.errors import ApplicationError
from core.ids import MAX_ID, MAX_VERSION
from core.models import allowed_next_statuses
from core.permissions import HasRole
from interventions.meetings import access, selectors, services
from interventions.models import InterventionMeeting, ProgressUpdate
from students.models import Student

Meeting = InterventionMeeting
MeetingAccess = HasRole(*access.MEETING_ROLES)


# Output shapes
class ProgressUpdateSerializer(serializers.ModelSerializer):
    created_by_name = serializers.CharField(source="created_by.display_name", read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "meeting",
            "update_text",
            "previous_status",
            "new_status",
            "created_by",
            "created_by_name",
            "created_at",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.full_name", read_only=True)
    created_by_name = serializers.CharField(source="created_by.display_name", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    allowed_next_statuses = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "school",
            "student",
            "student_name",
            "alert",
            *services.EDITABLE_FIELDS,
            "created_by",
            "created_by_name",
            "created_at",
            "updated_at",
            "version",
            "is_overdue",
            "allowed_next_statuses",
        ]

    def get_is_overdue(self, meeting) -> bool:
        today = self.context.get("today") or timezone.localdate()
        return bool(
            meeting.follow_up_date and meeting.follow_up_date < today and meeting.status != Meeting.Status.CLOSED
        )

    def get_allowed_next_statuses(self, meeting) -> list[str]:
        return allowed_next_statuses(meeting)

    def to_representation(self, meeting) -> dict:
        """The values the fields above give (a client is written against them; test_meetings_api compares
        the two), read straight off the row: DRF's generic walk over the fields was most of a list's time."""
        return {
            "id": meeting.pk,
            "school": meeting.school_id,
            "student": meeting.student_id,
            "student_name": meeting.student.full_name,
            "alert": meeting.alert_id,
            "meeting_date": DATE.to_representation(meeting.meeting_date),
            "absence_reason": meeting.absence_reason,
            "root_cause": meeting.root_cause,
            "intervention_notes": meeting.intervention_notes,
            "action_plan": meeting.action_plan,
            "follow_up_date": DATE.to_representation(meeting.follow_up_date),
            "urgency_level": meeting.urgency_level,
            "status": meeting.status,
            "created_by": meeting.created_by_id,
            "created_by_name": meeting.created_by.display_name,
            "created_at": TIMESTAMP.to_representation(meeting.created_at),
            "updated_at": TIMESTAMP.to_representation(meeting.updated_at),
            "version": meeting.version,
            "is_overdue": self.get_is_overdue(meeting),
            "allowed_next_statuses": self.get_allowed_next_statuses(meeting),
        }


class MeetingDetailSerializer(MeetingSerializer):
    progress_updates = ProgressUpdateSerializer(many=True, read_only=True)

    # One meeting with its updates: the declared fields, walked the usual way.
    to_representation = serializers.ModelSerializer.to_representation

    class Meta(MeetingSerializer.Meta):
        fields = MeetingSerializer.Meta.fields + ["progress_updates"]


class StatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    active = serializers.IntegerField()
    high_urgency = serializers.IntegerField()
    overdue_follow_ups = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())


class RecurringStudentSerializer(serializers.Serializer):
    student = serializers.IntegerField(source="student_id")
    student_name = serializers.SerializerMethodField()
    admission_number = serializers.CharField(source="student__student_id")
    meeting_count = serializers.IntegerField()
    active_count = serializers.IntegerField()
    last_meeting_date = serializers.DateField()

    def get_student_name(self, row) -> str:
        return f"{row['student__first_name']} {row['student__last_name']}"


# Input shapes
class MeetingFieldsSerializer(serializers.Serializer):
    meeting_date = serializers.DateField()
    absence_reason = serializers.CharField(trim_whitespace=True)
    root_cause = choice_field(Meeting.RootCause)
    intervention_notes = serializers.CharField(trim_whitespace=True)
    action_plan = serializers.CharField(trim_whitespace=True)
    follow_up_date = serializers.DateField(required=False, allow_null=True)
    urgency_level = choice_field(Meeting.Urgency, required=False)


class MeetingCreateSerializer(MeetingFieldsSerializer):
    student = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    alert = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)


class MeetingUpdateSerializer(MeetingFieldsSerializer):
    student = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    status = choice_field(Meeting.Status, required=False)
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)


class ProgressCreateSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    update_text = serializers.CharField(trim_whitespace=True)
    status = choice_field(Meeting.Status, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, required=False, allow_null=True)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)


class MeetingListCreateView(APIView):
    permission_classes = [MeetingAccess]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Meeting.Status.values),
            OpenApiParameter("urgency", str, enum=Meeting.Urgency.values),
            OpenApiParameter("student", int),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("active", bool, description="true: not closed; false: closed only"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=MeetingSerializer(many=True),
    )
    def get(self, request):
        filters = selectors.parse_meeting_filters(request.query_params)
        today = timezone.localdate()
        meetings = selectors.meeting_list(actor=request.user, filters=filters, today=today)
        return paginated(request, self, meetings, MeetingSerializer, today=today, request=request)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer})
    def post(self, request):
        data = validated(MeetingCreateSerializer, request.data)
        student = (
            Student.objects.for_actor(request.user).select_related("class_group").filter(pk=data["student"]).first()
        )
        if student is None:
            raise ApplicationError(field_errors={"student": [f"No student with id {data['student']}."]})
        alert = None
        if data.get("alert"):
            alert = selectors.alert_for_recording(actor=request.user, alert_id=data["alert"], student=student)
            if alert is None:
                raise ApplicationError(field_errors={"alert": ["No such alert for this student."]})
        meeting = services.meeting_create(
            actor=request.user,
            student=student,
            alert=alert,
            **services.meeting_create_fields(data),
        )
        meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting.pk, just_written=True)
        return Response(MeetingDetailSerializer(meeting).data, status=status.HTTP_201_CREATED)


def _refuse_unknown_fields(data, serializer_class) -> None:
    """A field the request may not write is a 400 naming it, rather than ignored as if it had been saved."""
    if not hasattr(data, "keys"):
        return  # not an object: the serializer says so
    # A form-encoded body from a browser also carries its CSRF token.
    accepted = set(serializer_class().fields) | {"csrfmiddlewaretoken"}
    shown = set(MeetingDetailSerializer.Meta.fields)
    errors = {
        name: ["This field is read-only." if name in shown else "Unknown field."]
        for name in sorted(set(data.keys()) - accepted)
    }
    if errors:
        raise ApplicationError(field_errors=errors)


class MeetingDetailView(APIView):
    permission_classes = [MeetingAccess]

    @extend_schema(responses=MeetingDetailSerializer)
    def get(self, request, pk):
        meeting = selectors.meeting_get(actor=request.user, meeting_id=pk)
        return Response(MeetingDetailSerializer(meeting).data)

    @extend_schema(request=MeetingUpdateSerializer, responses=MeetingDetailSerializer)
    def put(self, request, pk):
        return self._update(request, pk, partial=False)

    @extend_schema(request=MeetingUpdateSerializer, responses=MeetingDetailSerializer)
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    def _update(self, request, pk, *, partial: bool):
        meeting = selectors.meeting_get_for_update(actor=request.user, meeting_id=pk)
        _refuse_unknown_fields(request.data, MeetingUpdateSerializer)
        if partial and hasattr(request.data, "keys") and "version" not in request.data:
            raise ApplicationError(field_errors={"version": ["This field is required."]})
        data = validated(MeetingUpdateSerializer, request.data, partial=partial)  # not an object: a 400
        if not partial:
            # PUT replaces the meeting's fields: an optional field left out goes back to its default.
            # (The status is the case's workflow, moved only when sent.)
            data.setdefault("follow_up_date", None)
            data.setdefault("urgency_level", Meeting.Urgency.MEDIUM)
        version = data.pop("version")
        student_id = data.pop("student", None)
        if student_id is not None and student_id != meeting.student_id:
            raise ApplicationError(
                field_errors={"student": ["The student of a meeting cannot be changed; record a new meeting."]}
            )
        services.meeting_update(actor=request.user, meeting=meeting, version=version, **data)
        meeting = selectors.meeting_get(actor=request.user, meeting_id=pk, just_written=True)
        return Response(MeetingDetailSerializer(meeting).data)

    @extend_schema(parameters=[OpenApiParameter("version", int, required=True)], responses={204: None})
    def delete(self, request, pk):
        meeting = selectors.meeting_get_for_update(actor=request.user, meeting_id=pk)
        raw = request.query_params.get("version")
        if raw is None and isinstance(request.data, dict):
            raw = request.data.get("version")
        data = validated(VersionSerializer, {} if raw is None else {"version": raw})
        services.meeting_delete(actor=request.user, meeting=meeting, version=data["version"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProgressCreateView(APIView):
    permission_classes = [MeetingAccess]

    @extend_schema(request=ProgressCreateSerializer, responses={201: MeetingDetailSerializer})
    def post(self, request):
        data = validated(ProgressCreateSerializer, request.data)
        meeting = selectors.meeting_get_for_update(actor=request.user, meeting_id=data["meeting"])
        services.progress_add(
            actor=request.user,
            meeting=meeting,
            update_text=data["update_text"],
            status=data.get("status") or None,
            version=data.get("version"),
        )
        # The meeting as it now stands (new status and version) with its updates, newest first.
        meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting.pk, just_written=True)
        return Response(MeetingDetailSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingStatsView(APIView):
    permission_classes = [MeetingAccess]

    @extend_schema(responses=StatsSerializer)
    def get(self, request):
        return Response(selectors.meeting_stats(actor=request.user))


class RecurringStudentsView(APIView):
    permission_classes = [MeetingAccess]

    @extend_schema(parameters=[OpenApiParameter("min", int)], responses=RecurringStudentSerializer(many=True))
    def get(self, request):
        min_meetings = selectors.parse_min_meetings(request.query_params.get("min"))
        rows = selectors.recurring_students(actor=request.user, min_meetings=min_meetings)
        return paginated(request, self, rows, RecurringStudentSerializer, request=request)


class StudentMeetingsView(APIView):
    permission_classes = [MeetingAccess]

    @extend_schema(responses=MeetingDetailSerializer(many=True))
    def get(self, request, student_id):
        student = selectors.student_get(actor=request.user, student_id=student_id)
        today = timezone.localdate()
        meetings = selectors.student_meetings(actor=request.user, student=student)
        return paginated(request, self, meetings, MeetingDetailSerializer, today=today, request=request)
