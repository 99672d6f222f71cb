"""Every model, imported here so that Alembic and the app see the whole schema."""

from listening_state.models.consultation import (
    Consultation,
    ConsultationSection,
    ConsultationStatus,
    DemoSource,
)
from listening_state.models.council import (
    CouncilKind,
    CouncilMeeting,
    CouncilMember,
    MeetingStatus,
    MemberPosition,
    PublicCouncil,
)
from listening_state.models.ministry import Ministry
from listening_state.models.routing import RouterVersion, RoutingDecision, RoutingSource
from listening_state.models.submission import Stance, Submission, SubmissionStatus, Visibility
from listening_state.models.user import Role, RoleGrant, User

__all__ = [
    "Consultation",
    "ConsultationSection",
    "ConsultationStatus",
    "CouncilKind",
    "CouncilMeeting",
    "CouncilMember",
    "DemoSource",
    "MeetingStatus",
    "MemberPosition",
    "Ministry",
    "PublicCouncil",
    "Role",
    "RoleGrant",
    "RouterVersion",
    "RoutingDecision",
    "RoutingSource",
    "Stance",
    "Submission",
    "SubmissionStatus",
    "User",
    "Visibility",
]
