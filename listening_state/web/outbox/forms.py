"""The outbox page's filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from listening_state.models import OutboxStatus
from listening_state.web.form_base import SiteForm
from listening_state.web.labels import as_choices

STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Waiting to be sent"),
    OutboxStatus.SENT: _l("Sent by e-mail"),
    OutboxStatus.FAILED: _l("Failed"),
}


class OutboxFilterForm(SiteForm):
    """GET filter: reading the outbox changes nothing, so no CSRF token is needed."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=as_choices(
            [("", _l("Any")), *((status.value, label) for status, label in STATUS_LABELS.items())]
        ),
        validators=[Optional()],
    )
