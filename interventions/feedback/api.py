"""Feedback API (SPEC §9): the review list, resolving, analytics, and sending links."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.ids import MAX_VERSION
from core.tenancy import get_scoped
from interventions.feedback import selectors, services
from interventions.feedback.models import Feedback, FeedbackLink
from interventions.models import Intervention, InterventionSession


class MayReview(BasePermission):
    """Admins, counsellors and owners of a program (else 403; anonymous 401)."""

    message = "Only program owners, counsellors and admins review feedback."

    def has_permission(self, request, view):
        return selectors.may_review(request.user)


class FeedbackSerializer(serializers.ModelSerializer):
    intervention_name = serializers.CharField(source="intervention.name", read_only=True, default="")
    facilitator = serializers.IntegerField(source="session.facilitator_id", read_only=True, default=None)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "student",
            "intervention",
            "intervention_name",
            "session",
            "facilitator",
            "rating",
            "comments",
            "feedback_type",
            "sentiment",
            "sentiment_score",
            "status",
            "reviewed_by",
            "reviewed_at",
            "resolution",
            "submitted_at",
            "version",
        ]
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000)
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)


class FeedbackListView(generics.ListAPIView):
    """Feedback the user reviews, newest first: filter `status` (or `needs_review`), `sentiment`,
    `intervention`."""

    permission_classes = [MayReview]
    serializer_class = FeedbackSerializer
    filterset_class = selectors.FeedbackFilter

    def get_queryset(self):
        return selectors.feedback_list(actor=self.request.user)


class FeedbackResolveView(APIView):
    """Close the loop: `{resolution, version}` (409 when stale, 400 when already resolved)."""

    permission_classes = [MayReview]

    @extend_schema(request=ResolveSerializer, responses=FeedbackSerializer)
    def post(self, request, pk):
        feedback = selectors.feedback_get(actor=request.user, id=pk)
        payload = ResolveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.feedback_resolve(actor=request.user, feedback=feedback, **payload.validated_data)
        return Response(FeedbackSerializer(selectors.feedback_get(actor=request.user, id=pk)).data)


class FeedbackAnalyticsView(APIView):
    """Mean rating and sentiment split overall, per program, per facilitator and per month
    (`?from=&to=` dates, `?intervention=`). Four aggregate queries."""

    permission_classes = [MayReview]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="YYYY-MM-DD"),
            OpenApiParameter("to", str, description="YYYY-MM-DD"),
            OpenApiParameter("intervention", int),
        ],
        responses={200: dict},
    )
    def get(self, request):
        filters = selectors.parse_analytics_filters(request.query_params)  # a bad one: one 400 naming each
        return Response(
            selectors.feedback_analytics(
                actor=request.user,
                date_from=filters.get("from"),
                date_to=filters.get("to"),
                intervention=filters.get("intervention"),
            )
        )


class SendLinksSerializer(serializers.Serializer):
    intervention = serializers.IntegerField(min_value=1)
    session = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=FeedbackLink.Channel.choices, default=FeedbackLink.Channel.EMAIL)


class SendSummarySerializer(serializers.Serializer):
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.CharField())


class FeedbackSendLinksView(APIView):
    """Send a finished session's attendees, or a program's students at its end, a feedback link each,
    through the contact log."""

    permission_classes = [MayReview]

    @extend_schema(request=SendLinksSerializer, responses=SendSummarySerializer)
    def post(self, request):
        payload = SendLinksSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        intervention = get_scoped(Intervention, request.user, pk=data["intervention"])
        session = None
        if data.get("session"):
            session = get_scoped(InterventionSession, request.user, pk=data["session"])
        summary = services.feedback_links_send(
            actor=request.user,
            intervention=intervention,
            session=session,
            channel=data["channel"],
            link_for=lambda token: request.build_absolute_uri(f"/feedback/{token}/"),
        )
        return Response({"sent": summary.sent, "failed": summary.failed, "skipped": summary.skipped})
