"""What a module file's front matter may hold, as pydantic models, and its problems in plain words.

Every rule of handouts/README.md is declared here: the keys each level and each field kind takes
(any other key is refused), their types, the values allowed and the defaults. The loader turns a
validated front matter into the app's own dataclasses (models.py); nothing else uses these models.
"""
import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from .models import FIELD_KINDS, FREQUENCIES, STAGES, THEMES, WHO

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_LINES = 40  # a letter gets a page (26 lines); more than a page and a half is not a worksheet any more
DEFAULT_LINES = 6  # a long_text with no max_length; one with it gets room by its length (FormField.print_lines)
CARD_PROMPTS = (1, 6)  # what fits on a card a wallet holds
CARD_PROMPT_LENGTH = 60
CARD_EXAMPLE = "like [My signal word, Where I go]"


def problem(message: str, *at: str | int) -> PydanticCustomError:
    """A rule's own plain message; `at` names the key it is about when a whole model is checked."""
    return PydanticCustomError("problem", "{problem}", {"problem": message, "at": at})


# --- values ------------------------------------------------------------------------------

def _blank_as_absent(value):
    # `title:` with nothing after it, or only spaces, is a text left out, not a text.
    return None if isinstance(value, str) and not value.strip() else value


Text = Annotated[str, BeforeValidator(_blank_as_absent)]
OptionalText = Annotated[str | None, BeforeValidator(_blank_as_absent)]


def _one_line(value: str) -> str:
    if "\n" in value:
        raise problem("must be one line")
    return value


def matching(pattern: re.Pattern, describe: str):
    """Text matching `pattern`, described to the author as `describe`."""
    def check(value: str) -> str:
        if not pattern.match(value):
            raise problem(f"must be {describe}, not {value!r}")
        return value
    return Annotated[Text, AfterValidator(check)]


def one_of(allowed, noun: str):
    """Text that must be one of `allowed`; anything else is an unknown `noun`, with the known ones listed."""
    known = tuple(allowed)

    def check(value: str) -> str:
        if value not in known:
            raise problem(f"unknown {noun} {value!r} (known: {', '.join(known)})")
        return value
    return Annotated[Text, AfterValidator(check)]


def whole_number(low: int, high: int):
    """A whole number from `low` to `high` (strict models take neither true nor "20" for one)."""
    def check(value: int) -> int:
        if not low <= value <= high:
            raise problem(f"must be from {low} to {high}, not {value}")
        return value
    return Annotated[int, AfterValidator(check)]


def at_least(count: int, message: str):
    """An after-validator for a list: `message` when it holds fewer than `count` entries."""
    def check(values: list) -> list:
        if len(values) < count:
            raise problem(message)
        return values
    return AfterValidator(check)


def unique(key: str):
    """An after-validator for a list of models: the first entry whose `key` an earlier one has."""
    def check(entries: list) -> list:
        seen = set()
        for i, entry in enumerate(entries):
            value = getattr(entry, key)
            if value in seen:
                raise problem(f"duplicate {key} {value!r}", i, key)
            seen.add(value)
        return entries
    return AfterValidator(check)


def needed(kind_of_value, hint: str):
    """A key that must be there; left out, the problem says what it is for (`hint`)."""
    def check(value):
        if value is None:
            raise problem(f"is missing: {hint}")
        return value
    # Left out, the key takes None, which is then validated: pydantic's own "missing" could not carry the hint.
    return Annotated[kind_of_value, BeforeValidator(check), Field(default=None, validate_default=True)]


def _absent_as_empty(value):
    # An optional list written as `sources:` with nothing after it is an empty list.
    return [] if value is None else value


Slug = matching(SLUG, "lower-case letters, digits and hyphens")
FieldName = matching(FIELD_NAME, "lower-case letters, digits and underscores")
OptionalTexts = Annotated[list[Text], BeforeValidator(_absent_as_empty)]


class _Strict(BaseModel):
    # strict: YAML has already typed every value, so "20" stays text and is not taken for 20;
    # forbid: a misspelt key is refused, never silently ignored.
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


# --- form fields -------------------------------------------------------------------------

def _answers(value) -> list:
    # One answer may be written without brackets; YAML 1.1 reads a bare yes/no as true/false,
    # so take the author's meaning.
    answers = value if isinstance(value, list) else [value]
    return ["yes" if a is True else "no" if a is False else a for a in answers]


class _Field(_Strict):
    """What every kind of form field has."""

    kind: str  # each kind's model narrows it to its own name: the tag that picks the model
    name: FieldName
    label: Text
    help: OptionalText = None
    required: bool = True
    private: bool = False
    safety: bool = False
    concern: Annotated[list, BeforeValidator(_answers)] = []

    def answers(self) -> tuple | None:
        """The answers a safety field's `concern` may name; None for a kind that has none to name."""
        return None

    @model_validator(mode="after")
    def _concern_names_answers(self):
        if "concern" not in self.model_fields_set:
            return self
        if not self.safety:
            raise problem("only a safety field (safety: true) can have concern answers", "concern")
        answers = self.answers()
        if answers is None:
            raise problem(f"a {self.kind} field cannot have concern answers", "concern")
        for answer in self.concern:
            if answer not in answers:
                raise problem(f"{answer!r} is not one of this field's answers", "concern")
        return self


class ShortTextField(_Field):
    kind: Literal["short_text"]
    max_length: whole_number(1, 20000) = 200


class LongTextField(_Field):
    kind: Literal["long_text"]
    max_length: whole_number(1, 20000) = 5000
    lines: whole_number(1, MAX_LINES) | None = None

    @model_validator(mode="after")
    def _room_when_no_length_is_expected(self):
        # With no max_length the 5000 is only a cap, not a length expected: the room a sheet always gave.
        if self.lines is None and "max_length" not in self.model_fields_set:
            self.lines = DEFAULT_LINES
        return self


class ListField(_Field):
    kind: Literal["list"]
    items: whole_number(1, 10)


class ScaleField(_Field):
    kind: Literal["scale"]
    min: needed(whole_number(0, 100), "a rating scale needs both bounds, min and max")
    max: needed(whole_number(0, 100), "a rating scale needs both bounds, min and max")
    min_label: Text
    max_label: Text

    @model_validator(mode="after")
    def _a_few_steps(self):
        # The row of choices online and the numbers to circle on paper: 2 to 11 of them.
        if not 1 <= self.max - self.min <= 10:
            raise problem(f"must be 1 to 10 above min ({self.min}), not {self.max}", "max")
        return self

    def answers(self) -> tuple:
        return tuple(range(self.min, self.max + 1))


class TrackerField(_Field):
    kind: Literal["tracker"]


class YesNoField(_Field):
    kind: Literal["yes_no"]

    def answers(self) -> tuple:
        return ("yes", "no")


class ChoiceField(_Field):
    kind: Literal["choice"]
    choices: Annotated[list[Text], at_least(2, "a choice field needs at least two choices")]

    def answers(self) -> tuple:
        return tuple(self.choices)


class ConflictLogField(_Field):
    kind: Literal["conflict_log"]
    rows: whole_number(1, 10) = 3
    max_length: whole_number(1, 1000) = 300


class TwoColumnField(_Field):
    kind: Literal["two_column"]
    rows: whole_number(1, 10) = 4
    max_length: whole_number(1, 1000) = 300
    left_label: OptionalText = None  # left out: "My part" and "What I need"
    right_label: OptionalText = None


def _card_prompts(value) -> tuple[str, ...]:
    """A card's `items`: its prompts, a few short texts."""
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
        raise problem(f"must be a list of prompts (texts), {CARD_EXAMPLE}")
    prompts = tuple(p.strip() for p in value)
    low, high = CARD_PROMPTS
    if not low <= len(prompts) <= high:
        raise problem(f"a card holds {low} to {high} prompts, not {len(prompts)}")
    for prompt in prompts:
        if len(prompt) > CARD_PROMPT_LENGTH:
            raise problem(f"{prompt!r} is too long for a card (at most {CARD_PROMPT_LENGTH} characters)")
    if len(set(prompts)) != len(prompts):
        raise problem("has the same prompt twice")
    return prompts


class CardField(_Field):
    kind: Literal["card"]
    items: needed(Annotated[tuple[str, ...], BeforeValidator(_card_prompts)],
                  f"a card needs its prompts, {CARD_EXAMPLE}")
    max_length: whole_number(1, 200) = 120


FIELD_MODELS = (ShortTextField, LongTextField, ListField, ScaleField, TrackerField, YesNoField, ChoiceField,
                ConflictLogField, TwoColumnField, CardField)
FormFieldSpec = Annotated[Union[FIELD_MODELS], Field(discriminator="kind")]
# A key some kind takes: on a field of another kind it "does not apply" rather than being a typo.
FIELD_KEYS = frozenset().union(*(m.model_fields for m in FIELD_MODELS))


# --- homework templates and the module ---------------------------------------------------

class HomeworkSpec(_Strict):
    """One homework template: the form a client fills in, online or on paper."""

    id: Slug
    title: Text
    instructions: Text
    frequency: one_of(FREQUENCIES, "frequency")
    who: one_of(WHO, "value")
    fields: Annotated[list[FormFieldSpec], at_least(1, "needs at least one form field"), unique("name")]


class FrontMatter(_Strict):
    """A module file's front matter."""

    slug: Slug
    title: Text
    summary: Annotated[Text, AfterValidator(_one_line)]
    themes: Annotated[list[one_of(THEMES, "theme")], at_least(1, "needs at least one theme")]
    stage: one_of(STAGES, "stage")
    minutes: whole_number(5, 120)
    sources: OptionalTexts = []
    related: OptionalTexts = []
    homework: Annotated[list[HomeworkSpec], BeforeValidator(_absent_as_empty), unique("id")] = []
    crisis_resources: bool = False


# --- problems in plain words -------------------------------------------------------------

def field_path(error: ErrorDetails) -> tuple[str, str | None]:
    """Where a problem is, as the README writes it (`homework[0].fields[2].max`), and the field kind there.

    A problem with the front matter as a whole (not a set of keys at all) is at "front matter".
    """
    path, kind, previous = "", None, None
    loc = tuple(error["loc"]) + tuple((error.get("ctx") or {}).get("at", ()))
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc += ("kind",)
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(previous, int) and part in FIELD_KINDS:
            kind = part  # pydantic names the kind it checked a field as; the author never wrote it there
        else:
            path += f".{part}" if path else part
        previous = part
    return path or "front matter", kind


def plain_message(error: ErrorDetails, kind: str | None) -> str:
    """A pydantic error as a sentence a practice manager reads without knowing Python."""
    error_type, value = error["type"], error.get("input")
    if error_type == "problem":
        return error["ctx"]["problem"]
    if error_type in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a set of 'key: value' lines"
    if error_type in ("bool_type", "bool_parsing"):
        # Only optional keys are true or false: one left empty is still neither, not missing.
        return "must be true or false" + ("" if value is None else f", not {value!r}")
    if error_type in ("missing", "union_tag_not_found") or (value is None and error_type.endswith("_type")):
        return "is missing"
    if error_type in ("extra_forbidden", "invalid_key"):
        if kind and error["loc"][-1] in FIELD_KEYS:
            return f"does not apply to a {kind} field"
        return "is not a known field (check the spelling)"
    if error_type == "union_tag_invalid":
        written = value.get("kind") if isinstance(value, dict) else None
        if written is None:
            return "is missing"
        return f"unknown field kind {written!r} (known: {', '.join(FIELD_KINDS)})"
    if error_type == "string_type":
        return f"must be text, not {type(value).__name__}"
    if error_type in ("int_type", "int_from_float", "int_parsing"):
        return f"must be a whole number, not {value!r}"
    if error_type in ("list_type", "tuple_type"):
        return f"must be a list, not {value!r}"
    return error["msg"][:1].lower() + error["msg"][1:]  # a rule no module has broken yet: pydantic's words


def problems_in(errors: list[ErrorDetails]) -> list[tuple[str, str]]:
    """(where, what is wrong) for each of a failed validation's errors."""
    found = []
    for error in errors:
        path, kind = field_path(error)
        found.append((path, plain_message(error, kind)))
    return found
