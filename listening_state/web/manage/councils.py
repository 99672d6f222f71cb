"""Keeping a Public Council's records: membership (administrators), meetings, documents and
recommendations (the ministry, administrators and the council's members), and the ministry's
answers (its officers and administrators). The services decide who may do what."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from wtforms import SelectChoice

from listening_state import authz
from listening_state.models import (
    CouncilMeeting,
    CouncilRecommendation,
    MeetingStatus,
    MemberPosition,
    PublicCouncil,
    RecommendationStatus,
)
from listening_state.services import accounts, council_documents, council_recommendations, councils
from listening_state.services.council_recommendations import RecommendationInput
from listening_state.services.councils import MeetingInput, MemberInput
from listening_state.services.errors import InvalidTransition, ValidationFailed
from listening_state.web.access import login_required
from listening_state.web.forms_util import ActionForm, saved, show_service_errors
from listening_state.web.labels import answer_choices, as_choices
from listening_state.web.manage.forms import (
    AnswerForm,
    DocumentForm,
    EndMembershipForm,
    MeetingForm,
    MemberForm,
    RecommendationForm,
)

# The upload form shares its page with the meeting's form: a prefix keeps their ids apart.
DOCUMENT_PREFIX = "document"


def register(bp: Blueprint) -> None:
    """Attach the council pages to the manage blueprint: their URLs live under /manage."""
    rules = (
        ("/councils/<int:council_id>", council, ["GET"]),
        ("/councils/<int:council_id>/members", member_add, ["POST"]),
        ("/members/<int:member_id>/edit", member_edit, ["GET", "POST"]),
        ("/members/<int:member_id>/end", member_end, ["POST"]),
        ("/members/<int:member_id>/remove", member_remove, ["POST"]),
        ("/councils/<int:council_id>/meetings", meeting_add, ["POST"]),
        ("/meetings/<int:meeting_id>/edit", meeting_edit, ["GET", "POST"]),
        ("/meetings/<int:meeting_id>/documents", document_upload, ["POST"]),
        ("/documents/<int:document_id>/delete", document_delete, ["POST"]),
        ("/councils/<int:council_id>/recommendations/new", recommendation_new, ["GET", "POST"]),
        ("/recommendations/<int:recommendation_id>/edit", recommendation_edit, ["GET", "POST"]),
        (
            "/recommendations/<int:recommendation_id>/answer",
            recommendation_answer,
            ["GET", "POST"],
        ),
    )
    for rule, view, methods in rules:
        bp.add_url_rule(rule, view_func=view, methods=methods)


# ---------- Council overview and membership ----------


def _member_input(form: MemberForm) -> MemberInput:
    email = (form.account_email.data or "").strip()
    user = accounts.find_user_by_email(email) if email else None
    if email and user is None:
        raise ValidationFailed({"account_email": [_("No account uses this e-mail address.")]})
    return MemberInput(
        full_name=form.full_name.data or "",
        position=MemberPosition(form.position.data),
        affiliation=form.affiliation.data or "",
        started_on=form.started_on.data,
        ended_on=form.ended_on.data,
        user=user,
    )


def _council_page(
    council_id: int, member_form: MemberForm | None = None, meeting_form: MeetingForm | None = None
) -> str:
    council = councils.get_managed_council(actor=current_user, council_id=council_id)
    return render_template(
        "manage/council.html",
        council=council,
        roster=councils.member_roster(council, councils.local_today()),
        can_manage_membership=authz.can_manage_council_membership(current_user, council),
        answerable={
            r.id
            for r in council.recommendations
            if authz.can_answer_recommendation(current_user, r)
        },
        member_form=member_form or MemberForm(formdata=None),
        meeting_form=meeting_form or MeetingForm(formdata=None),
        end_form=EndMembershipForm(formdata=None),
        action_form=ActionForm(),
    )


@login_required
def council(council_id: int) -> str:
    """A council's members, meetings and recommendations, with the forms to keep them."""
    return _council_page(council_id)


@login_required
def member_add(council_id: int) -> ResponseReturnValue:
    """Add a member to the council (administrators)."""
    council = councils.get_managed_council(actor=current_user, council_id=council_id)
    form = MemberForm()
    if saved(
        form,
        lambda: councils.add_member(actor=current_user, council=council, data=_member_input(form)),
        _("The member was added."),
    ):
        return redirect(url_for("manage.council", council_id=council_id))
    return _council_page(council_id, member_form=form), 400


@login_required
def member_edit(member_id: int) -> ResponseReturnValue:
    """Change a member's position, dates, organisation or linked account (administrators)."""
    member = councils.get_managed_member(actor=current_user, member_id=member_id)
    form = MemberForm(obj=member)
    if not form.is_submitted():
        form.position.data = member.position.value
        form.account_email.data = member.user.email if member.user else ""
    elif form.validate_on_submit():
        try:
            councils.update_member(actor=current_user, member=member, data=_member_input(form))
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            flash(_("Your changes were saved."), "success")
            return redirect(url_for("manage.council", council_id=member.council_id))
    status = 400 if form.is_submitted() else 200
    return render_template("manage/council_member_form.html", form=form, member=member), status


@login_required
def member_end(member_id: int) -> ResponseReturnValue:
    """End a membership on a date (today if none is given); the member is then listed as past."""
    member = councils.get_managed_member(actor=current_user, member_id=member_id)
    form = EndMembershipForm()
    if form.validate_on_submit():
        try:
            councils.end_membership(
                actor=current_user,
                member=member,
                ended_on=form.ended_on.data or councils.local_today(),
            )
        except InvalidTransition:
            flash(_("This membership has already ended."), "error")
        except ValidationFailed as error:
            for messages in error.errors.values():
                for message in messages:
                    flash(message, "error")
        else:
            flash(_("The membership was ended."), "success")
    else:
        flash(_("Please enter a valid date."), "error")
    return redirect(url_for("manage.council", council_id=member.council_id))


@login_required
def member_remove(member_id: int) -> ResponseReturnValue:
    """Remove a member entered by mistake (past members are kept with an end date)."""
    member = councils.get_managed_member(actor=current_user, member_id=member_id)
    council_id = member.council_id
    if ActionForm().validate_on_submit():
        councils.remove_member(actor=current_user, member=member)
        flash(_("The member was removed."), "success")
    return redirect(url_for("manage.council", council_id=council_id))


# ---------- Meetings and their documents ----------


def _meeting_input(form: MeetingForm) -> MeetingInput:
    assert form.held_on.data  # noqa: S101 - DataRequired validated it
    return MeetingInput(
        held_on=form.held_on.data,
        title=form.title.data or "",
        agenda=form.agenda.data or "",
        minutes=form.minutes.data or "",
        status=MeetingStatus(form.status.data),
    )


@login_required
def meeting_add(council_id: int) -> ResponseReturnValue:
    """Schedule a meeting, or record one already held."""
    council = councils.get_managed_council(actor=current_user, council_id=council_id)
    form = MeetingForm()
    if saved(
        form,
        lambda: councils.schedule_meeting(
            actor=current_user, council=council, data=_meeting_input(form)
        ),
        _("The meeting was saved."),
    ):
        return redirect(url_for("manage.council", council_id=council_id))
    return _council_page(council_id, meeting_form=form), 400


def _meeting_page(
    meeting: CouncilMeeting,
    form: MeetingForm | None = None,
    document_form: DocumentForm | None = None,
) -> str:
    if form is None:
        form = MeetingForm(formdata=None, obj=meeting)
        form.status.data = meeting.status.value
    return render_template(
        "manage/council_meeting.html",
        meeting=meeting,
        form=form,
        document_form=document_form or DocumentForm(formdata=None, prefix=DOCUMENT_PREFIX),
        action_form=ActionForm(),
        max_megabytes=council_documents.max_document_bytes() // (1024 * 1024),
    )


@login_required
def meeting_edit(meeting_id: int) -> ResponseReturnValue:
    """Edit a meeting: its agenda before, its minutes and documents after."""
    meeting = councils.get_managed_meeting(actor=current_user, meeting_id=meeting_id)
    form = MeetingForm()
    if not form.is_submitted():
        return _meeting_page(meeting)
    if saved(
        form,
        lambda: councils.update_meeting(
            actor=current_user, meeting=meeting, data=_meeting_input(form)
        ),
        _("The meeting was saved."),
    ):
        return redirect(url_for("manage.council", council_id=meeting.council_id))
    return _meeting_page(meeting, form=form), 400


@login_required
def document_upload(meeting_id: int) -> ResponseReturnValue:
    """Publish a file with a meeting; a refused file comes back with a clear reason."""
    meeting = councils.get_managed_meeting(actor=current_user, meeting_id=meeting_id)
    form = DocumentForm(prefix=DOCUMENT_PREFIX)
    if form.validate_on_submit():
        upload: FileStorage = form.file.data
        try:
            council_documents.upload_document(
                actor=current_user,
                meeting=meeting,
                file_name=upload.filename or "",
                stream=upload.stream,
                title=form.title.data or "",
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            flash(_("The document was published."), "success")
            return redirect(url_for("manage.meeting_edit", meeting_id=meeting_id))
    return _meeting_page(meeting, document_form=form), 400


@login_required
def document_delete(document_id: int) -> ResponseReturnValue:
    """Withdraw a document from a meeting's page."""
    document = council_documents.get_managed_document(actor=current_user, document_id=document_id)
    meeting_id = document.meeting_id
    if ActionForm().validate_on_submit():
        council_documents.delete_document(actor=current_user, document=document)
        flash(_("The document was deleted."), "success")
    return redirect(url_for("manage.meeting_edit", meeting_id=meeting_id))


# ---------- Recommendations and the ministry's answers ----------


def _recommendation_form(
    council: PublicCouncil, recommendation: CouncilRecommendation | None = None
) -> RecommendationForm:
    form = RecommendationForm(obj=recommendation)
    none = SelectChoice(0, _("(none)"))
    form.meeting.choices = [
        none,
        *as_choices((m.id, f"{format_date(m.held_on)} · {m.title}") for m in council.meetings),
    ]
    form.consultation.choices = [
        none,
        *as_choices((c.id, c.title) for c in councils.council_consultations(council)),
    ]
    if not form.is_submitted():
        form.meeting.data = (recommendation.meeting_id if recommendation else None) or 0
        form.consultation.data = (recommendation.consultation_id if recommendation else None) or 0
        if recommendation is None:
            form.issued_on.data = councils.local_today()
    return form


def _recommendation_input(council: PublicCouncil, form: RecommendationForm) -> RecommendationInput:
    assert form.issued_on.data  # noqa: S101 - DataRequired validated it
    meetings = {m.id: m for m in council.meetings}
    consultations = {c.id: c for c in councils.council_consultations(council)}
    return RecommendationInput(
        title=form.title.data or "",
        text=form.text.data or "",
        issued_on=form.issued_on.data,
        meeting=meetings.get(form.meeting.data or 0),
        consultation=consultations.get(form.consultation.data or 0),
    )


@login_required
def recommendation_new(council_id: int) -> ResponseReturnValue:
    """Issue a recommendation of the council to its ministry."""
    council = councils.get_managed_council(actor=current_user, council_id=council_id)
    form = _recommendation_form(council)
    if saved(
        form,
        lambda: council_recommendations.issue_recommendation(
            actor=current_user, council=council, data=_recommendation_input(council, form)
        ),
        _("The recommendation was issued."),
    ):
        return redirect(url_for("manage.council", council_id=council_id))
    status = 400 if form.is_submitted() else 200
    page = render_template(
        "manage/council_recommendation_form.html",
        form=form,
        council=council,
        recommendation=None,
    )
    return page, status


@login_required
def recommendation_edit(recommendation_id: int) -> ResponseReturnValue:
    """Correct a recommendation the ministry has not answered yet."""
    recommendation = council_recommendations.get_managed_recommendation(
        actor=current_user, recommendation_id=recommendation_id
    )
    council = recommendation.council
    if recommendation.status is not RecommendationStatus.ISSUED:
        flash(_("The ministry has answered this recommendation; it can no longer change."), "error")
        return redirect(url_for("manage.council", council_id=council.id))
    form = _recommendation_form(council, recommendation)
    if saved(
        form,
        lambda: council_recommendations.update_recommendation(
            actor=current_user,
            recommendation=recommendation,
            data=_recommendation_input(council, form),
        ),
        _("Your changes were saved."),
    ):
        return redirect(url_for("manage.council", council_id=council.id))
    status = 400 if form.is_submitted() else 200
    page = render_template(
        "manage/council_recommendation_form.html",
        form=form,
        council=council,
        recommendation=recommendation,
    )
    return page, status


@login_required
def recommendation_answer(recommendation_id: int) -> ResponseReturnValue:
    """The ministry's decision on a recommendation, with its reasons (officers, admins)."""
    recommendation = council_recommendations.get_answerable_recommendation(
        actor=current_user, recommendation_id=recommendation_id
    )
    form = AnswerForm()
    form.status.choices = answer_choices()
    if not form.is_submitted() and recommendation.status is not RecommendationStatus.ISSUED:
        form.status.data = recommendation.status.value
        form.answer.data = recommendation.ministry_answer
    if saved(
        form,
        lambda: council_recommendations.answer_recommendation(
            actor=current_user,
            recommendation=recommendation,
            status=RecommendationStatus(form.status.data),
            answer=form.answer.data or "",
        ),
        _("The ministry's answer was published."),
    ):
        return redirect(url_for("manage.council", council_id=recommendation.council_id))
    status = 400 if form.is_submitted() else 200
    page = render_template(
        "manage/council_recommendation_answer.html", form=form, recommendation=recommendation
    )
    return page, status
