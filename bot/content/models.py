"""SQLAlchemy models of the service content (SQLAlchemy 1.4, 2.0 style).

Content tables mirror ``data/content/*.yml`` (the importer syncs them). The
runtime tables at the end (:class:`UnansweredQuestion`, :class:`AnswerRating`)
hold what citizens did; the importer never touches them.

Provinces are stored as :class:`Body` rows with ``kind == "province"``. Every
alias row stores the display text and its normalised form (``alias_norm``,
see :func:`bot.content.matcher.normalise`), which is unique per table.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

# Allowed kinds and categories: bot/content/schema.py (BODY_KINDS, AWARD_CATEGORIES).


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Body(Base):
    __tablename__ = "bodies"

    id = Column(Integer, primary_key=True)
    key = Column(String(64), nullable=False, unique=True)
    name_th = Column(String(255), nullable=False)
    name_en = Column(String(255))
    kind = Column(String(32), nullable=False)
    parent_ministry = Column(String(255))
    note_th = Column(Text)
    see_also = Column(JSON, nullable=False, default=list)
    scan_needs_prefix = Column(Boolean, nullable=False, default=False)
    confidence = Column(String(16))
    source_url = Column(String(500))
    sort_order = Column(Integer, nullable=False, default=0)

    aliases = relationship(
        "BodyAlias", back_populates="body", cascade="all, delete-orphan"
    )
    awards = relationship("Award", back_populates="body", cascade="all, delete-orphan")


class BodyAlias(Base):
    __tablename__ = "body_aliases"

    id = Column(Integer, primary_key=True)
    body_id = Column(
        Integer, ForeignKey("bodies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    alias = Column(String(255), nullable=False)
    alias_norm = Column(String(255), nullable=False, unique=True)
    kind = Column(String(16), nullable=False, default="alias")  # name|abbr|alias|en

    body = relationship("Body", back_populates="aliases")


class AwardCategory(Base):
    __tablename__ = "award_categories"

    id = Column(Integer, primary_key=True)
    key = Column(String(32), nullable=False, unique=True)
    event = Column(String(255), nullable=False)
    event_th = Column(String(255))
    year = Column(Integer, nullable=False)
    name_th = Column(String(255), nullable=False)
    label_th = Column(String(255), nullable=False)
    count = Column(Integer, nullable=False)
    confidence = Column(String(16))
    source_url = Column(String(500), nullable=False)


class Award(Base):
    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("event", "category", "body_id"),)

    id = Column(Integer, primary_key=True)
    event = Column(String(255), nullable=False)
    year = Column(Integer, nullable=False)
    category = Column(String(32), nullable=False, index=True)
    body_id = Column(
        Integer, ForeignKey("bodies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    confidence = Column(String(16))
    source_url = Column(String(500), nullable=False)
    sort_order = Column(Integer, nullable=False, default=0)

    body = relationship("Body", back_populates="awards")


class Answer(Base):
    __tablename__ = "answers"

    id = Column(Integer, primary_key=True)
    key = Column(String(64), nullable=False, unique=True)
    text_th = Column(Text, nullable=False)
    confidence = Column(String(16))
    sources = Column(JSON, nullable=False, default=list)
    buttons = Column(JSON, nullable=False, default=list)
    # [{when: [words], lead_th, lead_en?}]: the first line for a yes/no question
    yes_no = Column(JSON)
    summary_en = Column(Text)  # first line when the question was in English
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class BusinessType(Base):
    __tablename__ = "business_types"

    id = Column(Integer, primary_key=True)
    key = Column(String(64), nullable=False, unique=True)
    name_th = Column(String(255), nullable=False)
    guide_th = Column(String(255))
    licences = Column(JSON, nullable=False, default=list)
    related = Column(JSON, nullable=False, default=list)
    note_th = Column(Text)
    confidence = Column(String(16))
    source_url = Column(String(500))
    sort_order = Column(Integer, nullable=False, default=0)

    aliases = relationship(
        "BusinessTypeAlias",
        back_populates="business_type",
        cascade="all, delete-orphan",
    )


class BusinessTypeAlias(Base):
    __tablename__ = "business_type_aliases"

    id = Column(Integer, primary_key=True)
    business_type_id = Column(
        Integer,
        ForeignKey("business_types.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    alias = Column(String(255), nullable=False)
    alias_norm = Column(String(255), nullable=False, unique=True)

    business_type = relationship("BusinessType", back_populates="aliases")


class DocumentType(Base):
    __tablename__ = "document_types"

    id = Column(Integer, primary_key=True)
    key = Column(String(64), nullable=False, unique=True)
    name_th = Column(String(255), nullable=False)
    nocopy = Column(String(16), nullable=False)  # yes | no | partial
    note_th = Column(Text)
    confidence = Column(String(16))
    source_url = Column(String(500))
    sort_order = Column(Integer, nullable=False, default=0)

    aliases = relationship(
        "DocumentTypeAlias",
        back_populates="document_type",
        cascade="all, delete-orphan",
    )


class DocumentTypeAlias(Base):
    __tablename__ = "document_type_aliases"

    id = Column(Integer, primary_key=True)
    document_type_id = Column(
        Integer,
        ForeignKey("document_types.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    alias = Column(String(255), nullable=False)
    alias_norm = Column(String(255), nullable=False, unique=True)

    document_type = relationship("DocumentType", back_populates="aliases")


class ContentMeta(Base):
    """Key/value settings that come with the content (e.g. the licence
    catalogue note)."""

    __tablename__ = "content_meta"

    key = Column(String(64), primary_key=True)
    value = Column(Text, nullable=False)


# ---------------------------------------------------------------- runtime data
# Written by the actions while the bot runs; never touched by the importer.
# fallback: NLU was unsure (nlu_fallback); core_fallback: the dialogue
# policies could not place the message (RulePolicy's core fallback);
# low_confidence: answered, but with an uncertain intent.
UNANSWERED_REASONS = ("fallback", "core_fallback", "low_confidence")
RATINGS = ("good", "bad")


class UnansweredQuestion(Base):
    """A message the bot could not answer (NLU fallback) or answered with low
    intent confidence. ``text`` is PII-masked (bot.privacy.mask_pii)."""

    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    channel = Column(String(64))
    text = Column(Text, nullable=False)
    reason = Column(String(16), nullable=False)  # one of UNANSWERED_REASONS
    intent = Column(String(64))  # best real intent (never nlu_fallback)
    confidence = Column(Float)
    top_intents = Column(JSON, nullable=False, default=list)  # [{name, confidence}]
    # sha256 of sender + message id: the same message is recorded once
    message_ref = Column(String(64), unique=True)
    taught_at = Column(DateTime)
    taught_intent = Column(String(64))


class AnswerRating(Base):
    """A citizen's 👍 / 👎 on an answer, with the intent that answer served."""

    __tablename__ = "answer_ratings"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    channel = Column(String(64))
    intent = Column(String(64), nullable=False, index=True)
    action = Column(String(64))
    rating = Column(String(8), nullable=False)  # good | bad
    message_ref = Column(String(64), unique=True)
