"""What we heard: the themes dashboard of a consultation or a ministry, a theme's submissions,
campaigns, exports, publishing and the rebuild's progress.

Each page exists for both scopes: /consultations/<id>/themes... and /ministries/<code>/themes...
route to the same view, which receives the one URL argument of its scope.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from listening_state.extensions import limiter
from listening_state.models import JobStatus, Ministry, Stance, Theme
from listening_state.models.base import utcnow
from listening_state.personal_data_markers import personal_data_markers
from listening_state.services import (
    theme_builds,
    theme_dashboard,
    theme_export,
    theme_publication,
    theme_views,
)
from listening_state.services.errors import NotFound, PermissionDenied
from listening_state.services.theme_views import ThemeFilter, ThemeScope
from listening_state.web import charts
from listening_state.web.access import login_required
from listening_state.web.downloads import streamed_csv
from listening_state.web.forms_util import ActionForm
from listening_state.web.labels import as_choices
from listening_state.web.paging import requested_page
from listening_state.web.themes.forms import PublishForm, ThemeFilterForm

bp = Blueprint("themes", __name__)

IN_CONSULTATION = {"code": None}
IN_MINISTRY = {"consultation_id": None}
FILTER_ARGS = ("section", "stance", "language", "from", "to")  # kept by links between pages
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _limit() -> str:
    return str(current_app.config["THEMES_RATE_LIMIT"])


def _scope(consultation_id: int | None, code: str | None) -> ThemeScope:
    """The scope of the URL, refused before anything of it is read."""
    if consultation_id is not None:
        return theme_views.consultation_scope(actor=current_user, consultation_id=consultation_id)
    return theme_views.ministry_scope(actor=current_user, code=code or "")


def _scope_args(scope: ThemeScope) -> dict[str, Any]:
    if scope.consultation is not None:
        return {"consultation_id": scope.consultation.id}
    return {"code": scope.ministry.code}


def _filters(scope: ThemeScope) -> tuple[ThemeFilterForm, ThemeFilter]:
    form = ThemeFilterForm(request.args)
    sections = scope.consultation.sections if scope.consultation is not None else []
    form.section.choices = as_choices(
        [(0, _("All sections")), *((s.id, s.heading) for s in sections)]
    )
    if not form.validate():
        return form, ThemeFilter()
    return form, ThemeFilter(
        section_id=form.section.data or None,
        stance=Stance(form.stance.data) if form.stance.data else None,
        language=form.language.data or "",
        since=form.date_from.data,
        until=form.date_to.data,
    )


def _link_args(scope: ThemeScope) -> dict[str, Any]:
    """The scope and the filters of this request, for links to the theme pages and exports."""
    return {**_scope_args(scope), **{k: v for k, v in request.args.items() if k in FILTER_ARGS}}


def _page() -> int:
    return requested_page()


def _charts(heard: theme_dashboard.Dashboard) -> dict[str, Any]:
    labels = [count.theme.label for count in heard.themes if count.theme is not None]
    sizes = [count.count for count in heard.themes]
    return {
        "size_chart": charts.size_bars([*labels, _("Other")], [*sizes, heard.other.count]),
        "week_chart": charts.weekly_line(heard.week_starts, heard.weekly_total)
        if heard.week_starts
        else None,
        "sparks": [charts.sparkline(count.weekly) for count in heard.themes],
    }


@bp.route("/consultations/<int:consultation_id>/themes", defaults=IN_CONSULTATION)
@bp.route("/ministries/<code>/themes", defaults=IN_MINISTRY)
@login_required
def dashboard(consultation_id: int | None, code: str | None) -> ResponseReturnValue:
    """Themes, charts, quotes and campaigns of a consultation or of a ministry."""
    scope = _scope(consultation_id, code)
    form, chosen = _filters(scope)
    heard = theme_dashboard.dashboard(
        actor=current_user, scope=scope, filters=chosen, markers=personal_data_markers()
    )
    job = theme_views.latest_rebuild(actor=current_user, scope=scope)
    return render_template(
        "themes/dashboard.html",
        scope=scope,
        scope_args=_scope_args(scope),
        filters=form,
        link_args=_link_args(scope),
        heard=heard,
        job=job,
        job_active=job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        job_failed=job is not None
        and job.status is JobStatus.FAILED
        and (heard is None or job.created_at > heard.build.created_at),
        may_rebuild=theme_views.may_rebuild(current_user, scope),
        may_publish=theme_views.may_publish(current_user, scope),
        action_form=ActionForm(),
        publish_form=PublishForm(build=heard.build.id if heard else None),
        **(_charts(heard) if heard is not None else {}),
    ), 400 if form.errors else 200


@bp.route("/consultations/<int:consultation_id>/themes/<int:theme_id>", defaults=IN_CONSULTATION)
@bp.route(
    "/consultations/<int:consultation_id>/themes/other",
    defaults={**IN_CONSULTATION, "theme_id": None},
)
@bp.route("/ministries/<code>/themes/<int:theme_id>", defaults=IN_MINISTRY)
@bp.route("/ministries/<code>/themes/other", defaults={**IN_MINISTRY, "theme_id": None})
@login_required
def theme(
    consultation_id: int | None, code: str | None, theme_id: int | None
) -> ResponseReturnValue:
    """The submissions of one theme, or of none ("other"), under the dashboard's filters."""
    scope = _scope(consultation_id, code)
    form, chosen = _filters(scope)
    found: Theme | None = None
    if theme_id is not None:
        found = theme_views.find_theme(actor=current_user, scope=scope, theme_id=theme_id)
    listed = theme_views.theme_submissions(
        actor=current_user,
        scope=scope,
        theme=found,
        filters=chosen,
        page=_page(),
        per_page=current_app.config["QUEUE_PAGE_SIZE"],
    )
    inboxes: list[Ministry] = []
    inbox_args: dict[str, Any] = {}
    if found is not None:
        inboxes = theme_views.theme_inboxes(actor=current_user, scope=scope, theme=found)
        inbox_args["theme"] = found.id
        if scope.consultation is not None:
            # The inbox offers a consultation's themes once that consultation is chosen.
            inbox_args["consultation"] = scope.consultation.id
    return render_template(
        "themes/theme.html",
        scope=scope,
        scope_args=_scope_args(scope),
        theme=found,
        filters=form,
        link_args=_link_args(scope),
        listed=listed,
        inboxes=inboxes,
        inbox_args=inbox_args,
    ), 400 if form.errors else 200


@bp.route(
    "/consultations/<int:consultation_id>/themes/campaigns/<int:campaign_id>",
    defaults=IN_CONSULTATION,
)
@bp.route("/ministries/<code>/themes/campaigns/<int:campaign_id>", defaults=IN_MINISTRY)
@login_required
def campaign(consultation_id: int | None, code: str | None, campaign_id: int) -> str:
    """Everyone who sent the same (or nearly the same) text, page by page."""
    scope = _scope(consultation_id, code)
    found, listed = theme_views.campaign_members(
        actor=current_user,
        scope=scope,
        campaign_id=campaign_id,
        page=_page(),
        per_page=current_app.config["QUEUE_PAGE_SIZE"],
    )
    return render_template(
        "themes/campaign.html",
        scope=scope,
        scope_args=_scope_args(scope),
        campaign=found,
        listed=listed,
    )


@bp.route(
    "/consultations/<int:consultation_id>/themes/rebuild",
    methods=["POST"],
    defaults=IN_CONSULTATION,
)
@bp.route("/ministries/<code>/themes/rebuild", methods=["POST"], defaults=IN_MINISTRY)
@login_required
@limiter.limit(_limit)
def rebuild(consultation_id: int | None, code: str | None) -> ResponseReturnValue:
    """Queue a rebuild of the themes; the dashboard shows its progress."""
    scope = _scope(consultation_id, code)
    if not ActionForm().validate_on_submit():
        abort(400)
    if scope.consultation is not None:
        theme_builds.request_rebuild(actor=current_user, consultation=scope.consultation)
    else:
        theme_builds.request_rebuild(actor=current_user, ministry=scope.ministry)
    flash(_("The themes are being rebuilt; this page shows the progress."), "success")
    return redirect(url_for("themes.dashboard", **_scope_args(scope)))


@bp.route("/consultations/<int:consultation_id>/themes/publish", methods=["POST"])
@login_required
@limiter.limit(_limit)
def publish(consultation_id: int) -> ResponseReturnValue:
    """Show these themes on the consultation's public page once it has closed."""
    scope = _scope(consultation_id, None)
    assert scope.consultation is not None  # noqa: S101 - a consultation's URL gives its scope
    theme_publication.require_publisher(actor=current_user, consultation=scope.consultation)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    build = theme_views.find_build(actor=current_user, scope=scope, build_id=form.build.data)
    theme_publication.publish_build(actor=current_user, build=build)
    flash(_("The themes are published."), "success")
    return redirect(url_for("themes.dashboard", **_scope_args(scope)))


def _export_name(scope: ThemeScope, extension: str) -> str:
    subject = f"consultation-{scope.consultation.id}" if scope.consultation else scope.ministry.code
    return f"themes-{subject}-{utcnow():%Y%m%d-%H%M%S}.{extension}"


@bp.route("/consultations/<int:consultation_id>/themes.csv", defaults=IN_CONSULTATION)
@bp.route("/ministries/<code>/themes.csv", defaults=IN_MINISTRY)
@login_required
@limiter.limit(_limit)
def export_csv(consultation_id: int | None, code: str | None) -> Response:
    """Every submission with its theme and campaign, under the filters, as CSV (streamed)."""
    scope = _scope(consultation_id, code)
    _, chosen = _filters(scope)
    chunks = theme_export.export_csv(
        actor=current_user, scope=scope, filters=chosen, markers=personal_data_markers()
    )
    return streamed_csv(chunks, _export_name(scope, "csv"))


@bp.route("/consultations/<int:consultation_id>/themes.xlsx", defaults=IN_CONSULTATION)
@bp.route("/ministries/<code>/themes.xlsx", defaults=IN_MINISTRY)
@login_required
@limiter.limit(_limit)
def export_xlsx(consultation_id: int | None, code: str | None) -> Response:
    """The same rows as an Excel workbook."""
    scope = _scope(consultation_id, code)
    _, chosen = _filters(scope)
    data = theme_export.export_xlsx(
        actor=current_user, scope=scope, filters=chosen, markers=personal_data_markers()
    )
    name = _export_name(scope, "xlsx")
    return Response(
        data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/jobs/<int:job_id>.json")
@login_required
def job(job_id: int) -> ResponseReturnValue:
    """A job's progress, for the dashboard's progress bar."""
    try:
        found = theme_views.job_status(actor=current_user, job_id=job_id)
    except PermissionDenied:
        return jsonify(error="forbidden"), 403
    except NotFound:
        return jsonify(error="not found"), 404
    return jsonify(
        id=found.id,
        status=found.status.value,
        progress=round(found.progress, 3),
        finished=found.status in (JobStatus.DONE, JobStatus.FAILED),
    )
