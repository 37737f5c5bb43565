"""Students and forms API: thin views over the selectors and services; serializers give the shape."""

from __future__ import annotations

from rest_framework import generics, serializers

from core.api.serializers import DATE
from core.ids import MAX_VERSION
from core.permissions import STAFF, HasRole, Role
from core.sections import STUDENT_FIGURES, figures_for
from students import selectors, services
from students.models import ClassGroup, Student


class ClassGroupSerializer(serializers.ModelSerializer):
    form_master_name = serializers.CharField(source="form_master.display_name", default=None, read_only=True)

    class Meta:
        model = ClassGroup
        fields = ["id", "name", "grade_level", "academic_year", "form_master", "form_master_name"]
        read_only_fields = fields


class StudentSerializer(serializers.ModelSerializer):
    class_group = serializers.PrimaryKeyRelatedField(
        queryset=ClassGroup.objects.none(), allow_null=True, required=False
    )

    class Meta:
        model = Student
        fields = ["id", *services.STUDENT_EDITABLE_FIELDS, "version"]
        read_only_fields = ["id", "version"]
        # Uniqueness per school is the service's rule (it knows the school).
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Another school's form is "does not exist", like a missing one.
            self.fields["class_group"].queryset = ClassGroup.objects.for_actor(request.user)

    def to_representation(self, student) -> dict:
        """The values the fields above give (a client is written against them; test_api compares the
        two), read straight off the row: DRF's generic walk over the fields was most of a list's time."""
        return {
            "id": student.pk,
            "student_id": student.student_id,
            "first_name": student.first_name,
            "last_name": student.last_name,
            "date_of_birth": DATE.to_representation(student.date_of_birth),
            "gender": student.gender,
            "class_group": student.class_group_id,
            "status": student.status,
            "guardian_name": student.guardian_name,
            "guardian_phone": student.guardian_phone,
            "guardian_email": student.guardian_email,
            "guardian_address": student.guardian_address,
            "version": student.version,
        }


# A student's figures that other apps contribute (core.sections.figures_for), read-only.
FIGURES = ("attendance_rate", "days_marked", "open_alert_count")


class StudentDetailSerializer(StudentSerializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_VERSION)
    attendance_rate = serializers.FloatField(read_only=True, allow_null=True)
    days_marked = serializers.IntegerField(read_only=True)
    open_alert_count = serializers.IntegerField(read_only=True)

    class Meta(StudentSerializer.Meta):
        fields = [*StudentSerializer.Meta.fields, *FIGURES]
        read_only_fields = ["id"]

    # One student at a time, with its figures: DRF's walk over the declared fields.
    to_representation = serializers.ModelSerializer.to_representation


class StudentListView(generics.ListCreateAPIView):
    """GET: the school's students (filters class_group, status, search). POST: admins add a student."""

    serializer_class = StudentSerializer
    filterset_class = selectors.StudentFilter

    def get_permissions(self):
        roles = (Role.ADMIN,) if self.request.method == "POST" else STAFF
        return [HasRole(*roles)()]

    def get_queryset(self):
        # The rows give their form as an id: nothing is joined.
        return selectors.student_list(actor=self.request.user, joined=())

    def perform_create(self, serializer):
        serializer.instance = services.student_create(
            actor=self.request.user, school_id=self.request.user.school_id, **serializer.validated_data
        )


class StudentDetailView(generics.RetrieveUpdateAPIView):
    """GET a student with their attendance rate this year and open alert count; PATCH (admins) with an
    optional `version`: a stale one answers 409."""

    serializer_class = StudentDetailSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_permissions(self):
        roles = (Role.ADMIN,) if self.request.method == "PATCH" else STAFF
        return [HasRole(*roles)()]

    def get_object(self):
        student = selectors.student_get(actor=self.request.user, id=self.kwargs["pk"])
        # The attendance rate and the open alerts come from the apps that hold them (their sections.py).
        for name, value in figures_for(STUDENT_FIGURES, student=student).items():
            setattr(student, name, value)
        return student

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        student = services.student_update(actor=self.request.user, student=serializer.instance, version=version, **data)
        for name in FIGURES:
            setattr(student, name, getattr(serializer.instance, name))
        serializer.instance = student


class ClassGroupListView(generics.ListAPIView):
    """The school's forms; a form master's own forms first. `?current=1` limits to the current year."""

    serializer_class = ClassGroupSerializer
    permission_classes = [HasRole(*STAFF)]

    filterset_class = selectors.ClassGroupFilter

    def get_queryset(self):
        return selectors.class_group_list(actor=self.request.user)
