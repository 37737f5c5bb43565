"""Admissions API (SPEC §9): thin views over the selectors and services; serializers give the shape."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import choice_filter, flag_filter, row_id_filter
from core.errors import ApplicationError
from core.ids import MAX_VERSION
from core.models import User
from core.permissions import PROGRAM_RUNNERS, HasRole
from students.admissions import scoring, selectors, services
from students.admissions.models import FollowUp, Inquiry
from students.models import ClassGroup, Student, Subject


class InquirySerializer(serializers.ModelSerializer):
    counselor_name = serializers.SerializerMethodField()
    lead_score_explained = serializers.SerializerMethodField()
    is_due = serializers.SerializerMethodField()
    tag_list = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "uuid",
            "counselor",
            "counselor_name",
            "student_name",
            "phone",
            "email",
            "interested_subjects",
            "source",
            "status",
            "priority",
            "next_follow_up_date",
            "notes",
            "tags",
            "tag_list",
            "lead_score",
            "lead_score_parts",
            "lead_score_explained",
            "scored_on",
            "received_on",
            "last_contacted_on",
            "is_due",
            "student",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_counselor_name(self, inquiry) -> str:
        return inquiry.counselor.display_name if inquiry.counselor else ""

    def get_lead_score_explained(self, inquiry) -> str:
        return scoring.explain(inquiry.lead_score_parts)

    def get_is_due(self, inquiry) -> bool:
        today = timezone.localdate()
        return inquiry.is_open and inquiry.next_follow_up_date is not None and inquiry.next_follow_up_date <= today


class _SchoolScoped:
    """Related-row fields whose choices are the rows of the requesting user's school."""

    def scope(self, name: str, queryset):
        request = self.context.get("request")
        school_id = getattr(getattr(request, "user", None), "school_id", None)
        field = self.fields[name]
        field = getattr(field, "child_relation", field)  # a many-to-many's choices are its child's
        field.queryset = queryset.filter(school_id=school_id)


class InquiryWriteSerializer(_SchoolScoped, serializers.ModelSerializer):
    counselor = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, required=False)

    class Meta:
        model = Inquiry
        # What the services let a client set: the inquiry's own fields, its subjects, the version it read.
        fields = [*services.INQUIRY_EDITABLE_FIELDS, "interested_subjects", "version"]
        extra_kwargs = {"status": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope("counselor", User.objects.all())
        self.scope("interested_subjects", Subject.objects.all())


class FollowUpSerializer(serializers.ModelSerializer):
    counselor_name = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "inquiry",
            "counselor",
            "counselor_name",
            "follow_up_date",
            "follow_up_type",
            "notes",
            "next_follow_up_date",
            "status",
            "outcome",
            "created_at",
        ]
        read_only_fields = ["id", "inquiry", "counselor", "counselor_name", "created_at"]
        extra_kwargs = {"status": {"required": False}, "follow_up_type": {"required": False}}

    def get_counselor_name(self, follow_up) -> str:
        return follow_up.counselor.display_name if follow_up.counselor else ""


class EnrolSerializer(_SchoolScoped, serializers.Serializer):
    class_group = serializers.PrimaryKeyRelatedField(queryset=ClassGroup.objects.none())
    student_id = serializers.CharField(max_length=32)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    gender = serializers.ChoiceField(choices=Student.Gender.choices, required=False, allow_blank=True, default="")
    guardian_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope("class_group", ClassGroup.objects.all())


class EnrolResponseSerializer(serializers.Serializer):
    inquiry = InquirySerializer()
    student = serializers.IntegerField()


class InquiryFilter(django_filters.FilterSet):
    status = choice_filter("status", Inquiry.Status.choices)
    priority = choice_filter("priority", Inquiry.Priority.choices)
    counselor = row_id_filter("counsellor", field_name="counselor_id")
    due = flag_filter("due", method="filter_due", help_text="true: open inquiries due today or overdue")
    search = django_filters.CharFilter(method="filter_search", help_text="words of the name, phone or email")

    class Meta:
        model = Inquiry
        fields = ["status", "priority", "counselor", "due", "search"]

    def filter_due(self, queryset, name, value):
        if value is None:
            return queryset
        due = selectors.due_filter(timezone.localdate())
        return queryset.filter(due) if value else queryset.exclude(due)

    def filter_search(self, queryset, name, value):
        return selectors.search_inquiries(queryset, value)


class InquiryListView(generics.ListCreateAPIView):
    """The school's inquiries, best lead score first. POST records one (a counsellor's is theirs)."""

    permission_classes = [HasRole(*PROGRAM_RUNNERS)]
    filterset_class = InquiryFilter

    def get_serializer_class(self):
        return InquiryWriteSerializer if self.request.method == "POST" else InquirySerializer

    def get_queryset(self):
        return selectors.inquiry_list(actor=self.request.user, today=timezone.localdate())

    @extend_schema(request=InquiryWriteSerializer, responses={201: InquirySerializer})
    def post(self, request):
        payload = InquiryWriteSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("version", None)
        if data.pop("status", Inquiry.Status.NEW) != Inquiry.Status.NEW:
            raise ApplicationError(field_errors={"status": ["A new inquiry starts as new."]})
        inquiry = services.inquiry_create(actor=request.user, **data)
        inquiry = selectors.inquiry_get(actor=request.user, id=inquiry.pk)
        return Response(InquirySerializer(inquiry).data, status=status.HTTP_201_CREATED)


class InquiryDetailView(generics.GenericAPIView):
    """GET one inquiry; PATCH changes it against `version` (409 when stale); a status change must move
    forward (or reopen lost → contacted), else 400."""

    permission_classes = [HasRole(*PROGRAM_RUNNERS)]
    serializer_class = InquirySerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return selectors.inquiry_get(actor=self.request.user, id=self.kwargs["pk"])

    def get(self, request, pk):
        return Response(InquirySerializer(self.get_object()).data)

    @extend_schema(request=InquiryWriteSerializer, responses=InquirySerializer)
    def patch(self, request, pk):
        inquiry = self.get_object()
        payload = InquiryWriteSerializer(inquiry, data=request.data, partial=True, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "version" not in data:
            raise ApplicationError(field_errors={"version": ["This field is required."]})
        services.inquiry_update(actor=request.user, inquiry=inquiry, **data)
        return Response(InquirySerializer(selectors.inquiry_get(actor=request.user, id=pk)).data)


class FollowUpListView(generics.ListCreateAPIView):
    """The inquiry's follow-ups, newest first; POST records one (completed or pending)."""

    permission_classes = [HasRole(*PROGRAM_RUNNERS)]
    serializer_class = FollowUpSerializer
    filterset_class = None

    def inquiry(self):
        if not hasattr(self, "_inquiry"):
            self._inquiry = selectors.inquiry_get(actor=self.request.user, id=self.kwargs["pk"], subjects=False)
        return self._inquiry

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        return selectors.follow_up_list(actor=self.request.user, inquiry=self.inquiry())

    def post(self, request, pk):
        payload = FollowUpSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        follow_up = services.follow_up_create(actor=request.user, inquiry=self.inquiry(), **payload.validated_data)
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)


class EnrolView(APIView):
    """Create the student from the inquiry and mark it enrolled, in one transaction (400 and nothing
    written when the admission number is taken or the form is not of the current year)."""

    permission_classes = [HasRole(*PROGRAM_RUNNERS)]

    @extend_schema(request=EnrolSerializer, responses={201: EnrolResponseSerializer})
    def post(self, request, pk):
        inquiry = selectors.inquiry_get(actor=request.user, id=pk)
        payload = EnrolSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        student = services.inquiry_enrol(actor=request.user, inquiry=inquiry, **payload.validated_data)
        inquiry = selectors.inquiry_get(actor=request.user, id=pk)
        return Response({"inquiry": InquirySerializer(inquiry).data, "student": student.pk}, status=201)


class FunnelView(APIView):
    """Counts and conversion rates per stage, overall and per source, and a month trend, for the
    inquiries received between `?from=` and `?to=` (dates, both optional). Two aggregate queries."""

    permission_classes = [HasRole(*PROGRAM_RUNNERS)]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="YYYY-MM-DD, first day received"),
            OpenApiParameter("to", str, description="YYYY-MM-DD, last day received"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        filters = selectors.parse_funnel_filters(request.query_params)  # a bad one: one 400 naming each
        return Response(selectors.funnel(actor=request.user, date_from=filters.get("from"), date_to=filters.get("to")))
