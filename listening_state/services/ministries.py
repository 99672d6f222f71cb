"""Ministries: the bodies that publish consultations and answer citizens."""

from __future__ import annotations

from sqlalchemy import select

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.limits import is_id
from listening_state.models import Ministry
from listening_state.services.errors import NotFound, PermissionDenied
from listening_state.text import sort_key


def list_ministries(language: str) -> list[Ministry]:
    """Every ministry, in the alphabetical order of the reader's language."""
    ministries = db.session.scalars(select(Ministry)).all()
    return sorted(ministries, key=lambda ministry: sort_key(ministry.name(language)))


def get_by_id(ministry_id: int) -> Ministry:
    ministry = db.session.get(Ministry, ministry_id) if is_id(ministry_id) else None
    if ministry is None:
        raise NotFound(f"ministry {ministry_id}")
    return ministry


def get_by_code(code: str) -> Ministry:
    ministry = db.session.scalar(select(Ministry).where(Ministry.code == code.upper()))
    if ministry is None:
        raise NotFound(f"ministry {code}")
    return ministry


def upsert_ministry(
    *, actor: Actor, code: str, name_kk: str, name_ru: str, name_en: str, mandate: str
) -> Ministry:
    """Create or update a ministry by its code (administrators and the demo loader)."""
    if not authz.is_admin(actor):
        raise PermissionDenied("only administrators maintain ministries")
    ministry = db.session.scalar(select(Ministry).where(Ministry.code == code.upper()))
    if ministry is None:
        ministry = Ministry(code=code.upper())
        db.session.add(ministry)
    ministry.name_kk, ministry.name_ru, ministry.name_en = name_kk, name_ru, name_en
    ministry.mandate = mandate
    db.session.commit()
    return ministry
