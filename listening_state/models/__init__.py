"""Every model, imported here so that Alembic and the app see the whole schema."""

from listening_state.models.audit import AuditEntry
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
    CouncilRecommendation,
    MeetingDocument,
    MeetingStatus,
    MemberPosition,
    PublicCouncil,
    RecommendationStatus,
)
from listening_state.models.handling import (
    Answer,
    AnswerTemplate,
    CalendarDay,
    ConsultationReport,
    DayKind,
    OutboxMessage,
    OutboxStatus,
    ReportOutcome,
    ReportSection,
)
from listening_state.models.jobs import BackgroundJob, JobStatus
from listening_state.models.ministry import Ministry
from listening_state.models.moderation import (
    Flag,
    ModerationHintKind,
    ModerationMode,
    ModerationReason,
)
from listening_state.models.monitoring import (
    MinistryAnswerStat,
    MinistryAnswerWeek,
    MinistryOpenDue,
    MinistryStatusStat,
)
from listening_state.models.routing import RouterVersion, RoutingDecision, RoutingSource
from listening_state.models.submission import Stance, Submission, SubmissionStatus, Visibility
from listening_state.models.themes import Campaign, Theme, ThemeBuild, ThemeMember
from listening_state.models.user import ApiToken, RecoveryCode, Role, RoleGrant, User

__all__ = [
    "Answer",
    "AnswerTemplate",
    "ApiToken",
    "AuditEntry",
    "BackgroundJob",
    "CalendarDay",
    "Campaign",
    "Consultation",
    "ConsultationReport",
    "ConsultationSection",
    "ConsultationStatus",
    "CouncilKind",
    "CouncilMeeting",
    "CouncilMember",
    "CouncilRecommendation",
    "DayKind",
    "DemoSource",
    "Flag",
    "JobStatus",
    "MeetingDocument",
    "MeetingStatus",
    "MemberPosition",
    "Ministry",
    "MinistryAnswerStat",
    "MinistryAnswerWeek",
    "MinistryOpenDue",
    "MinistryStatusStat",
    "ModerationHintKind",
    "ModerationMode",
    "ModerationReason",
    "OutboxMessage",
    "OutboxStatus",
    "PublicCouncil",
    "RecommendationStatus",
    "RecoveryCode",
    "ReportOutcome",
    "ReportSection",
    "Role",
    "RoleGrant",
    "RouterVersion",
    "RoutingDecision",
    "RoutingSource",
    "Stance",
    "Submission",
    "SubmissionStatus",
    "Theme",
    "ThemeBuild",
    "ThemeMember",
    "User",
    "Visibility",
]
