"""Publishing demo consultations so that their record reads as if published when they opened."""

from __future__ import annotations

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import Consultation
from listening_state.services.consultations import publish_consultation


def publish_as_of_opening(consultation: Consultation) -> None:
    """Publish through the service, then date the publication to the opening.

    Demo consultations are created today with periods in the past; a publication date after
    the closing date would make their history contradict itself. Being past is also why the
    publication is `historical`: an officer could not publish a period that has ended.
    """
    if consultation.published_at is None:
        publish_consultation(actor=SYSTEM, consultation=consultation, historical=True)
    if consultation.published_at != consultation.opens_at:
        consultation.published_at = consultation.opens_at
        db.session.commit()
