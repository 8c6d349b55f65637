"""The REST API, version 1. Each module contributes its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from xiqia.accounts.api import MeView, PeopleViewSet, TokenView
from xiqia.directory.api import IndustryViewSet, OrganisationViewSet, RegionViewSet
from xiqia.fair.api import BadgeViewSet, EventViewSet, FairViewSet, GateViewSet, RegistrationViewSet
from xiqia.govservice.api import CaseViewSet as GovCaseViewSet
from xiqia.govservice.api import MatterViewSet as GovMatterViewSet
from xiqia.govservice.api import RequestViewSet as GovRequestViewSet
from xiqia.investment.api import (
    ClusterViewSet,
    DealViewSet,
    KpiView,
    MilestoneViewSet,
    ProjectViewSet,
)
from xiqia.matchmaking.api import (
    AgendaView,
    MeetingRequestViewSet,
    MeetingViewSet,
    ProfileViewSet,
    RecommendationsView,
    SchedulePlanViewSet,
)
from xiqia.tourism.api import VoucherCampaignViewSet, VoucherViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("industries", IndustryViewSet, basename="industry")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("people", PeopleViewSet, basename="person")
router.register("fairs", FairViewSet, basename="fair")
router.register("events", EventViewSet, basename="event")
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("badges", BadgeViewSet, basename="badge")
router.register("gates", GateViewSet, basename="gate")
router.register("voucher-campaigns", VoucherCampaignViewSet, basename="voucher-campaign")
router.register("vouchers", VoucherViewSet, basename="voucher")
router.register("investment/clusters", ClusterViewSet, basename="investment-cluster")
router.register("investment/projects", ProjectViewSet, basename="investment-project")
router.register("investment/deals", DealViewSet, basename="investment-deal")
router.register("investment/milestones", MilestoneViewSet, basename="investment-milestone")
router.register("matchmaking/profiles", ProfileViewSet, basename="matchmaking-profile")
router.register("matchmaking/requests", MeetingRequestViewSet, basename="matchmaking-request")
router.register("matchmaking/meetings", MeetingViewSet, basename="matchmaking-meeting")
router.register("matchmaking/plans", SchedulePlanViewSet, basename="matchmaking-plan")
router.register("govservice/matters", GovMatterViewSet, basename="govservice-matter")
router.register("govservice/cases", GovCaseViewSet, basename="govservice-case")
router.register("govservice/requests", GovRequestViewSet, basename="govservice-request")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("investment/kpis/", KpiView.as_view(), name="investment-kpis"),
    path(
        "matchmaking/recommendations/",
        RecommendationsView.as_view(),
        name="matchmaking-recommendations",
    ),
    path("matchmaking/agenda/", AgendaView.as_view(), name="matchmaking-agenda"),
    *router.urls,
]
