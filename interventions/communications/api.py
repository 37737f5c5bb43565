"""JSON API of the contact log (SPEC §7). Thin: parse, fetch through the selectors, call a service."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import paginated
from core.api.serializers import choice_field, validated, validated_patch
from core.errors import ApplicationError
from core.ids import MAX_ID, MAX_VERSION
from core.permissions import HasRole
from interventions.communications import access, selectors, services
from interventions.communications.models import Channel, CommunicationLog, CommunicationTemplate
from interventions.programs.models import Intervention
from students.models import Student

ContactAccess = HasRole(*access.CONTACT_ROLES)


# Output shapes
class CommunicationSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.full_name", read_only=True)
    actor_name = serializers.SerializerMethodField()
    letter_url = serializers.SerializerMethodField()

    class Meta:
        model = CommunicationLog
        fields = [
            "id",
            "student",
            "student_name",
            "intervention",
            "channel",
            "template",
            "recipient",
            "subject",
            "body",
            "status",
            "sent_at",
            "actor",
            "actor_name",
            "error",
            "attempts",
            "absence_date",
            "created_at",
            "letter_url",
        ]

    def get_actor_name(self, log) -> str:
        return log.actor.display_name if log.actor_id else "School Support (automatic)"

    def get_letter_url(self, log) -> str | None:
        if log.channel != Channel.LETTER:
            return None
        return f"/api/interventions/communications/{log.pk}/letter/"


class CommunicationTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommunicationTemplate
        fields = ["id", "name", "channel", "subject", "body", "version", "created_at", "updated_at"]


# Input shapes
class CommunicationSendSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    channel = choice_field(Channel)
    template = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)
    intervention = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)


class CommunicationTemplateCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    channel = choice_field(Channel)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=200)
    body = serializers.CharField(trim_whitespace=False)


class CommunicationTemplateUpdateSerializer(CommunicationTemplateCreateSerializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)


def _program(actor, program_id):
    """The program a contact is about, of the actor's school (400 when there is none such)."""
    if not program_id:
        return None
    program = Intervention.objects.for_actor(actor).filter(pk=program_id).first()
    if program is None:
        raise ApplicationError(field_errors={"intervention": [f"No program with id {program_id}."]})
    return program


class CommunicationListCreateView(APIView):
    permission_classes = [ContactAccess]

    @extend_schema(
        parameters=[
            OpenApiParameter("student", int),
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("intervention", int),
            OpenApiParameter("status", str, enum=CommunicationLog.Status.values),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=CommunicationSerializer(many=True),
    )
    def get(self, request):
        filters = selectors.parse_communication_filters(request.query_params)
        rows = selectors.communication_list(actor=request.user, filters=filters)
        return paginated(request, self, rows, CommunicationSerializer)

    @extend_schema(request=CommunicationSendSerializer, responses={201: CommunicationSerializer})
    def post(self, request):
        data = validated(CommunicationSendSerializer, request.data)
        actor = request.user
        student = (
            Student.objects.for_actor(actor).select_related("class_group", "school").filter(pk=data["student"]).first()
        )
        if student is None:
            raise ApplicationError(field_errors={"student": [f"No student with id {data['student']}."]})
        template = None
        if data.get("template"):
            template = selectors.template_list(actor=actor).filter(pk=data["template"]).first()
            if template is None:
                raise ApplicationError(field_errors={"template": [f"No template with id {data['template']}."]})
        log = services.communication_send(
            actor=actor,
            student=student,
            channel=data["channel"],
            template=template,
            subject=data.get("subject", ""),
            body=data.get("body", ""),
            intervention=_program(actor, data.get("intervention")),
        )
        return Response(CommunicationSerializer(log).data, status=status.HTTP_201_CREATED)


class CommunicationDetailView(APIView):
    permission_classes = [ContactAccess]

    @extend_schema(responses=CommunicationSerializer)
    def get(self, request, pk):
        log = selectors.communication_get(actor=request.user, communication_id=pk)
        return Response(CommunicationSerializer(log).data)


class CommunicationRetryView(APIView):
    """Send a failed email or text message again (beyond SPEC §7's paths)."""

    permission_classes = [ContactAccess]

    @extend_schema(request=None, responses=CommunicationSerializer)
    def post(self, request, pk):
        log = selectors.communication_get(actor=request.user, communication_id=pk)
        log = services.communication_retry(actor=request.user, log_id=log.pk)
        return Response(CommunicationSerializer(log).data)


class CommunicationLetterView(APIView):
    """The printable PDF of a letter (beyond SPEC §7's paths)."""

    permission_classes = [ContactAccess]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        log = selectors.communication_get(actor=request.user, communication_id=pk)
        if log.channel != Channel.LETTER:
            raise ApplicationError("Only a letter has a printable PDF.")
        response = HttpResponse(services.letter_pdf(log), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="letter-{log.pk}.pdf"'
        return response


class TemplateListCreateView(APIView):
    permission_classes = [ContactAccess]

    @extend_schema(
        parameters=[OpenApiParameter("channel", str, enum=Channel.values)],
        responses=CommunicationTemplateSerializer(many=True),
    )
    def get(self, request):
        filters = selectors.parse_template_filters(request.query_params)  # a bad one: 400, as every list
        rows = selectors.template_list(actor=request.user, channel=filters.get("channel"))
        return paginated(request, self, rows, CommunicationTemplateSerializer)

    @extend_schema(request=CommunicationTemplateCreateSerializer, responses={201: CommunicationTemplateSerializer})
    def post(self, request):
        data = validated(CommunicationTemplateCreateSerializer, request.data)
        template = services.template_create(actor=request.user, **data)
        return Response(CommunicationTemplateSerializer(template).data, status=status.HTTP_201_CREATED)


class TemplateDetailView(APIView):
    permission_classes = [ContactAccess]

    @extend_schema(responses=CommunicationTemplateSerializer)
    def get(self, request, pk):
        return Response(
            CommunicationTemplateSerializer(selectors.template_get(actor=request.user, template_id=pk)).data
        )

    @extend_schema(request=CommunicationTemplateUpdateSerializer, responses=CommunicationTemplateSerializer)
    def patch(self, request, pk):
        template = selectors.template_get(actor=request.user, template_id=pk)
        version, data = validated_patch(CommunicationTemplateUpdateSerializer, request.data)
        template = services.template_update(actor=request.user, template=template, version=version, **data)
        return Response(CommunicationTemplateSerializer(template).data)
