"""Academic records API (SPEC §8): subjects and their topics, assessments one at a time or a whole
form's marks. Thin views over the selectors and services; serializers give the shape."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import choice_filter, row_id_filter
from core.ids import MAX_ID, MAX_VERSION
from core.permissions import ACADEMIC_RECORDERS, STAFF, HasRole
from students.academics import selectors, services
from students.academics.access import SUBJECT_MANAGER
from students.academics.models import Assessment, Subject, Topic


class SubjectSerializer(serializers.ModelSerializer):
    topic_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Subject
        fields = ["id", "name", "code", "description", "status", "topic_count"]
        read_only_fields = ["id", "topic_count"]
        validators = []  # the code's uniqueness per school is the service's rule


class SubjectFilter(django_filters.FilterSet):
    status = choice_filter("status", Subject.Status.choices)

    class Meta:
        model = Subject
        fields = ["status"]


class SubjectListView(generics.ListCreateAPIView):
    """GET: the school's subjects (filter `status`). POST: admins add one `{name, code, description?,
    status?}`; the code is upper-cased and unique in the school."""

    serializer_class = SubjectSerializer
    filterset_class = SubjectFilter

    def get_permissions(self):
        return [HasRole(*((SUBJECT_MANAGER,) if self.request.method == "POST" else STAFF))()]

    def get_queryset(self):
        return selectors.subject_list(actor=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.subject_create(actor=self.request.user, **serializer.validated_data)


class TopicSerializer(serializers.ModelSerializer):
    order_index = serializers.IntegerField(required=False, min_value=0, max_value=10_000)
    estimated_duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=10_000
    )

    class Meta:
        model = Topic
        fields = ["id", "subject", "name", "order_index", "estimated_duration_minutes", "difficulty_level"]
        read_only_fields = ["id", "subject"]
        validators = []


class SubjectTopicsView(generics.ListCreateAPIView):
    """GET: a subject's topics in syllabus order. POST: admins add one `{name, order_index?,
    estimated_duration_minutes?, difficulty_level?}` (without order_index it comes last)."""

    serializer_class = TopicSerializer
    pagination_class = None  # a syllabus is read whole
    queryset = Topic.objects.none()

    def get_permissions(self):
        return [HasRole(*((SUBJECT_MANAGER,) if self.request.method == "POST" else STAFF))()]

    def subject(self):
        return selectors.subject_get(actor=self.request.user, id=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Topic.objects.none()
        return selectors.topic_list(subject=self.subject())

    def perform_create(self, serializer):
        serializer.instance = services.topic_create(
            actor=self.request.user, subject=self.subject(), **serializer.validated_data
        )


class AssessmentSerializer(serializers.ModelSerializer):
    student = serializers.IntegerField(source="student_id", min_value=1, max_value=MAX_ID)
    subject = serializers.IntegerField(source="subject_id", min_value=1, max_value=MAX_ID)
    topic = serializers.IntegerField(source="topic_id", min_value=1, max_value=MAX_ID, allow_null=True, required=False)
    class_group = serializers.IntegerField(source="class_group_id", read_only=True)
    teacher = serializers.IntegerField(source="teacher_id", read_only=True)
    total_marks = serializers.DecimalField(max_digits=6, decimal_places=2)
    marks_obtained = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, required=False)
    feedback = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "student",
            "subject",
            "topic",
            "class_group",
            "assessment_type",
            "title",
            "total_marks",
            "marks_obtained",
            "percentage",
            "grade",
            "assessment_date",
            "teacher",
            "feedback",
            "status",
            "version",
            "created_at",
        ]
        read_only_fields = ["id", "percentage", "grade", "status", "version", "created_at"]
        validators = []


class AssessmentFilter(django_filters.FilterSet):
    student = row_id_filter("student", field_name="student_id")
    subject = row_id_filter("subject", field_name="subject_id")
    class_group = row_id_filter("form", field_name="student__class_group_id")
    status = choice_filter("status", Assessment.Status.choices)
    assessment_type = choice_filter("assessment type", Assessment.Type.choices)
    date = django_filters.DateFilter(field_name="assessment_date")

    class Meta:
        model = Assessment
        fields = ["student", "subject", "class_group", "status", "assessment_type", "date"]


class AssessmentListView(generics.ListCreateAPIView):
    """GET: the school's assessments, newest first (filters student, subject, class_group, status,
    assessment_type, date). POST: one student's `{student, subject, topic?, assessment_type, title,
    total_marks, marks_obtained?, assessment_date, feedback?}`; percentage and grade are derived, no
    marks is pending. Teachers record for their subjects and forms."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter

    def get_permissions(self):
        return [HasRole(*(ACADEMIC_RECORDERS if self.request.method == "POST" else STAFF))()]

    def get_queryset(self):
        return selectors.assessment_list(actor=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.assessment_create(
            actor=self.request.user,
            student_id=data["student_id"],
            subject_id=data["subject_id"],
            topic_id=data.get("topic_id"),
            assessment_type=data["assessment_type"],
            title=data["title"],
            total_marks=data["total_marks"],
            marks_obtained=data.get("marks_obtained"),
            assessment_date=data["assessment_date"],
            feedback=data.get("feedback", ""),
        )


class BulkMarkSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    # Checked by the service, so that every student's problem is reported at once.
    marks_obtained = serializers.JSONField(required=False, allow_null=True, help_text="A number, or null: pending.")
    feedback = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    version = serializers.IntegerField(required=False, min_value=0, max_value=MAX_VERSION)


class BulkAssessmentSerializer(serializers.Serializer):
    class_group = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    subject = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    topic = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    title = serializers.CharField(max_length=services.MAX_TITLE)
    assessment_type = serializers.ChoiceField(choices=Assessment.Type.choices)
    total_marks = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    assessment_date = serializers.DateField()
    marks = BulkMarkSerializer(many=True, allow_empty=True)


class BulkAssessmentResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    assessments = AssessmentSerializer(many=True)


class AssessmentBulkView(APIView):
    """One assessment for a whole form: a row per active student, with the marks given (null or left
    out: pending). All or nothing: 400 `{"marks": {"<student id>": ["…"]}}` lists every bad mark and
    nothing is saved. Sending it again updates the rows (students left out keep theirs); a mark may
    carry the `version` of its row: 409 when it was saved since."""

    permission_classes = [HasRole(*ACADEMIC_RECORDERS)]

    @extend_schema(request=BulkAssessmentSerializer, responses={200: BulkAssessmentResponseSerializer})
    def post(self, request):
        payload = BulkAssessmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = services.assessment_bulk_save(
            actor=request.user,
            class_group_id=data["class_group"],
            subject_id=data["subject"],
            topic_id=data.get("topic"),
            title=data["title"],
            assessment_type=data["assessment_type"],
            total_marks=data["total_marks"],
            assessment_date=data["assessment_date"],
            marks=data["marks"],
        )
        body = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "assessments": result.assessments,
        }
        return Response(BulkAssessmentResponseSerializer(body).data, status=status.HTTP_200_OK)
