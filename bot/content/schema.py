"""The one description of the service content (``data/content/*.yml``).

Each YAML record has a pydantic model here: field types, which fields are
required, "an https:// source", the allowed values, and for staff tools the
kind of each field (``kind``: text, int, url, list, bool, confidence,
nocopy, body_kind) and whether `set-fact` may change it (``fact``). The
importer (`bot.content.importer.load_content`), `bot.admin` set-fact and CSV
import/export, validate and the staff console all read these models, so a new
field is added here once.

Checks that need more than one record (unique keys, references between
records, counts against lists) stay in the importer.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple, Type

from pydantic import BaseModel, Field, ValidationError, conint, constr, validator
from typing_extensions import Literal

CONFIDENCE = ("HIGH", "MED-HIGH", "MED", "LOW-MED")
NOCOPY_VALUES = ("yes", "no", "partial")
AWARD_CATEGORIES = ("department", "province", "nocopy")
BODY_KINDS = (
    "department",
    "state_enterprise",
    "fund",
    "public_organisation",
    "province",
    "ministry_office",
    # names-only registry (data/content/registry.yml)
    "ministry",
    "independent_body",
    "local_government",
    "other",
)
MAX_BUTTON_TITLE = 20  # LINE quick replies cut longer labels

Text = constr(strict=True, strip_whitespace=True, min_length=1)
Slug = constr(strict=True, strip_whitespace=True, regex=r"^[A-Za-z0-9_-]+$")
HttpsUrl = constr(strict=True, strip_whitespace=True, regex=r"^https://\S+$")
Confidence = Literal["HIGH", "MED-HIGH", "MED", "LOW-MED"]
BodyKind = Literal[
    "department",
    "state_enterprise",
    "fund",
    "public_organisation",
    "ministry_office",
    "ministry",
    "independent_body",
    "local_government",
    "other",
]
NoCopy = Literal["yes", "no", "partial"]


def field(default: Any = None, kind: str = "text", fact: bool = True, **extra: Any):
    """A model field with its staff-tool `kind` and whether set-fact edits it."""
    return Field(default, kind=kind, fact=fact, **extra)


class Record(BaseModel):
    """Base of every content record: unknown keys are ignored (as YAML comments
    of a kind), values are checked strictly (no number where text belongs)."""

    class Config:
        extra = "ignore"
        anystr_strip_whitespace = True

    @validator("*", pre=True)
    def _names_as_text(cls, value: Any, field: Any) -> Any:  # noqa: N805
        """Lists of names may hold numbers in YAML (``[1111]``): as text."""
        if field.field_info.extra.get("kind") == "list":
            if value is None:
                return []
            if isinstance(value, list):
                return [str(v) if isinstance(v, int) else v for v in value]
        return value


class Body(Record):
    """A public body in bodies.yml (provinces use `Province`)."""

    key: Slug = field(..., kind="key", fact=False)
    name_th: Text = field(...)
    name_en: Optional[Text] = field()
    kind: BodyKind = field(..., kind="body_kind")
    parent_ministry: Optional[Text] = field()
    abbreviations: List[Text] = field([], kind="list", fact=False)
    aliases: List[Text] = field([], kind="list", fact=False)
    see_also: List[Slug] = field([], kind="list", fact=False)
    scan_needs_prefix: bool = field(False, kind="bool", fact=False)
    note_th: Optional[Text] = field(kind="longtext")
    confidence: Optional[Confidence] = field(kind="confidence")
    source: Optional[HttpsUrl] = field(kind="url")


class Province(Body):
    """A province in provinces.yml: a body whose kind is always province."""

    kind: Literal["province"] = field(
        "province", kind="body_kind", fact=False, csv=False
    )


class RegistryBody(Record):
    """A names-only public body in registry.yml: names, never facts."""

    key: Slug = field(..., kind="key", fact=False)
    name_th: Text = field(...)
    name_en: Optional[Text] = field()
    kind: BodyKind = field(..., kind="body_kind")
    abbreviations: List[Text] = field([], kind="list", fact=False)
    aliases: List[Text] = field([], kind="list", fact=False)
    scan_needs_prefix: bool = field(False, kind="bool", fact=False)
    confidence: Optional[Confidence] = field(kind="confidence")
    source: Optional[HttpsUrl] = field(kind="url")


class AwardCategory(Record):
    """One award category of the event (awards.yml ``categories``)."""

    key: Literal["department", "province", "nocopy"] = field(
        ..., kind="key", fact=False
    )
    name_th: Text = field(...)
    label_th: Text = field(...)
    count: conint(strict=True, ge=0) = field(..., kind="int")
    confidence: Optional[Confidence] = field(kind="confidence")
    source: HttpsUrl = field(..., kind="url")


class Award(Record):
    """One recipient of one category (awards.yml ``awards``)."""

    category: Text = field(..., kind="key", fact=False)
    recipient: Slug = field(..., kind="key", fact=False)
    confidence: Optional[Confidence] = field(kind="confidence")
    source: HttpsUrl = field(..., kind="url")


class AwardsFile(Record):
    """awards.yml's top level: the event, its year, categories and awards."""

    event: Text = field(..., fact_id="name")
    event_th: Optional[Text] = field(fact_id="name_th")
    year: conint(strict=True) = field(..., kind="int")
    categories: List[Dict[str, Any]] = field(..., kind="records", fact=False)
    awards: List[Dict[str, Any]] = field(..., kind="records", fact=False)


class Source(Record):
    """Where an answer comes from."""

    url: HttpsUrl = field(..., kind="url")
    title: Text = field(...)


class Button(Record):
    """A button under an answer: Thai text that goes through NLU."""

    title: constr(strict=True, strip_whitespace=True, min_length=1) = field(...)
    payload: Text = field(...)

    @validator("title")
    def _short_title(cls, value: str) -> str:  # noqa: N805
        if len(value) > MAX_BUTTON_TITLE:
            raise ValueError(
                f"button title '{value}' is longer than {MAX_BUTTON_TITLE}"
            )
        return value

    @validator("payload")
    def _no_intent(cls, value: str) -> str:  # noqa: N805
        if value.startswith("/"):
            raise ValueError(f"button payload '{value}' must be Thai text, not /intent")
        return value


class YesNoRule(Record):
    """The first line of an answer to a yes/no question with these words."""

    when: List[Text] = field(..., kind="list")
    lead_th: Text = field(...)
    lead_en: Optional[Text] = field()

    @validator("lead_th")
    def _one_line(cls, value: str) -> str:  # noqa: N805
        if "\n" in value:
            raise ValueError("'lead_th' must be one line")
        return value


class Answer(Record):
    """An answer in answers.yml, keyed by its intent."""

    text: Text = field(..., kind="longtext")
    sources: List[Source] = field(..., kind="records", fact=False, min_items=1)
    buttons: List[Button] = field([], kind="records", fact=False)
    yes_no: Optional[List[YesNoRule]] = field(kind="records", fact=False)
    summary_en: Optional[Text] = field()
    confidence: Confidence = field(..., kind="confidence")


class CitizenLink(Record):
    """The page a citizen should open instead of a source meant for staff."""

    url: HttpsUrl = field(..., kind="url")
    label: Text = field(...)


class AnswersFile(Record):
    """answers.yml's top level."""

    answers: Dict[str, Dict[str, Any]] = field(..., kind="records", fact=False)
    citizen_links: Dict[HttpsUrl, CitizenLink] = field({}, kind="records", fact=False)


class Licence(Record):
    """A licence a business type needs."""

    name: Text = field(...)
    note: Optional[Text] = field()
    confidence: Optional[Confidence] = field(kind="confidence")


class BusinessType(Record):
    """A business type in business_types.yml with its licences."""

    key: Slug = field(..., kind="key", fact=False)
    name_th: Text = field(...)
    guide_th: Optional[Text] = field()
    aliases: List[Text] = field([], kind="list", fact=False)
    licences: List[Licence] = field([], kind="records", fact=False)
    related: List[Slug] = field([], kind="list", fact=False)
    note_th: Optional[Text] = field(kind="longtext")
    confidence: Optional[Confidence] = field(kind="confidence")
    source: Optional[HttpsUrl] = field(kind="url")


class BusinessTypesFile(Record):
    """business_types.yml's top level."""

    default_source: Optional[HttpsUrl] = field(kind="url")
    catalogue_note: Optional[Text] = field(kind="longtext")
    business_types: List[Dict[str, Any]] = field(..., kind="records", fact=False)


class DocumentType(Record):
    """A document type in document_types.yml: may it be asked for as a copy?"""

    key: Slug = field(..., kind="key", fact=False)
    name_th: Text = field(...)
    aliases: List[Text] = field([], kind="list", fact=False)
    nocopy: NoCopy = field(..., kind="nocopy")
    note_th: Optional[Text] = field(kind="longtext")
    confidence: Optional[Confidence] = field(kind="confidence")
    source: Optional[HttpsUrl] = field(kind="url")

    @validator("nocopy", pre=True)
    def _yaml_booleans(cls, value: Any) -> Any:  # noqa: N805
        """YAML 1.1 reads an unquoted yes/no as a boolean."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value.lower() if isinstance(value, str) else value


# ------------------------------------------------------------ reading models
class SchemaError(ValueError):
    """A record does not fit its model; the message names file, record, field."""


def parse(model: Type[Record], data: Any, fname: str, where: str) -> Any:
    """`data` as a `model`, or `SchemaError` ("<file>: <where>: <problem>")."""
    if not isinstance(data, dict):
        raise SchemaError(f"{fname}: {where}: must be a mapping")
    try:
        return model.parse_obj(data)
    except ValidationError as error:
        first = error.errors()[0]
        raise SchemaError(f"{fname}: {where}: {describe(first)}") from None


def describe(problem: Dict[str, Any]) -> str:
    """One pydantic error as a sentence that says what the field must be."""
    loc = [str(part) for part in problem.get("loc", ()) if part != "__root__"]
    words = [part for part in loc if not part.isdigit()]
    name = words[-1] if words else "value"
    path = ".".join(loc) or name
    kind = problem.get("type", "")
    msg = problem.get("msg", "")
    if kind == "value_error.missing":
        return f"'{path}' is required"
    if "regex" in kind and name in ("source", "url", "default_source"):
        return f"'{path}': source must be an https:// URL"
    if "regex" in kind:
        return f"'{path}' must be an ASCII slug (letters, digits, - and _)"
    ctx = problem.get("ctx") or {}
    if "permitted" in ctx:
        permitted = [str(v) for v in ctx["permitted"]]
        return f"'{path}' must be one of {permitted}, got {ctx.get('given')!r}"
    if kind.startswith("type_error.str") or kind == "value_error.any_str.min_length":
        return f"'{path}' must be a non-empty string"
    if kind.startswith("value_error.list.min_items"):
        return f"'{path}' must be a non-empty list"
    if kind == "value_error":
        return msg
    return f"'{path}': {msg}"


def fields_of(model: Type[Record]) -> Iterator[Tuple[str, Any]]:
    """(YAML key, pydantic field) of `model`, in the order they are declared."""
    yield from model.__fields__.items()


def kind_of(model: Type[Record], name: str) -> str:
    """The staff-tool kind of field `name` of `model`."""
    return model.__fields__[name].field_info.extra.get("kind", "text")


def fact_fields(model: Type[Record]) -> Dict[str, Tuple[str, str, bool]]:
    """Fields staff may change one at a time (set-fact, the console):
    fact id -> (YAML key, kind, optional)."""
    out = {}
    for name, f in fields_of(model):
        extra = f.field_info.extra
        if not extra.get("fact", True):
            continue
        kind = extra.get("kind", "text")
        out[extra.get("fact_id", name)] = (name, kind, not f.required)
    return out


_CSV_TYPES = {"longtext": "text", "list": "list", "bool": "bool", "int": "int"}


def csv_columns(model: Type[Record]) -> List[Tuple[str, str, str]]:
    """(column, YAML key, cell type) of `model` for the CSV sheets: every field
    but nested records; cell types: str, text, list, bool, int, nocopy."""
    out = []
    for name, f in fields_of(model):
        extra = f.field_info.extra
        kind = extra.get("kind", "text")
        if kind == "records" or not extra.get("csv", True):
            continue
        typ = "nocopy" if kind == "nocopy" else _CSV_TYPES.get(kind, "str")
        out.append((name, name, typ))
    return out


def allowed_values(kind: str) -> Optional[List[str]]:
    """The values a field of `kind` may take (None: free)."""
    return {
        "confidence": list(CONFIDENCE),
        "nocopy": list(NOCOPY_VALUES),
        "body_kind": [k for k in BODY_KINDS if k != "province"],
    }.get(kind)
