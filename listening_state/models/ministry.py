"""Ministries and other central government bodies that own consultations."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from listening_state.models.base import Model


class Ministry(Model):
    __tablename__ = "ministry"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_kk: Mapped[str] = mapped_column(String(255))
    name_ru: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    mandate: Mapped[str] = mapped_column(Text, default="")

    def name(self, language: str) -> str:
        """The body's name in the given interface language, English as the fallback."""
        return str(getattr(self, f"name_{language}", None) or self.name_en)

    def __repr__(self) -> str:
        return f"<Ministry {self.code}>"
