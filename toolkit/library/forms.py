"""One homework template definition builds its online form.

Field kind -> WTForms field:
  short_text -> StringField      (DataRequired, Length(max=max_length))
  long_text  -> TextAreaField    (DataRequired, Length(max=max_length))
  list       -> FieldList of N StringFields (at least one item when required; each Length(max=300))
  scale      -> RadioField min..max, coerce=int (InputRequired, so 0 is a valid answer; a choice in range)
  tracker    -> checkboxes Day 1..Day 7 (never required: a day not done is an answer too)
  yes_no     -> RadioField yes/no (InputRequired)
  choice     -> RadioField of the choices (InputRequired)
  card, two_column, conflict_log -> PartsField: a text box per prompt or table cell, every box named
               after the field (as a tracker's boxes are) and read in page order; one answer or more
               when required; each box Length(max=max_length)
A draft uses the same form with every required check off, so half an answer can be saved.
"""
from functools import lru_cache
from typing import NamedTuple

from wtforms import Field, FieldList, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm
from .models import FormField, HomeworkTemplate

REQUIRED = "Please answer this question."
TOO_LONG = "Please keep this to %(max)d characters or fewer."


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AtLeastOneItem:
    """A required list needs one item or more; the rest may stay empty."""

    def __call__(self, form, field):
        if not any((entry.data or "").strip() for entry in field.entries):
            raise StopValidation(REQUIRED)


class Box(NamedTuple):
    """One text box of a field answered in parts, as the page shows it."""

    id: str
    label: str  # what a screen reader says: the prompt, or the column and the entry
    heading: str  # what the page shows: the prompt or the column heading
    value: str


class PartsField(Field):
    """A card's answers or a table's rows, typed into several boxes and stored as one value.

    Every box carries the field's name, so the browser sends them in page order (text boxes are
    always sent, even empty) and the order says which prompt or cell a text belongs to. Stored:
    a card as one text per prompt ("" for none), a table as one dict per row written in, keyed
    by column; an answer with nothing in it is [].
    """

    def __init__(self, label=None, validators=None, *, spec: FormField, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.spec = spec
        self.cells: list[str] = [""] * spec.box_count

    def _fill(self, texts: list[str]) -> None:
        count = self.spec.box_count
        self.cells = (texts + [""] * count)[:count]
        self.data = self._shaped()

    def process_data(self, value):
        spec = self.spec
        entries = value if isinstance(value, list) else []
        if spec.kind == "card":
            self._fill([v if isinstance(v, str) else "" for v in entries])
        else:
            rows = [row for row in entries if isinstance(row, dict)][:spec.rows]
            self._fill([str(row.get(key) or "") for row in rows for key, _ in spec.columns])

    def process_formdata(self, valuelist):
        self._fill([v.replace("\x00", "").strip() for v in valuelist])

    def _shaped(self) -> list:
        spec = self.spec
        if spec.kind == "card":
            return list(self.cells) if any(self.cells) else []
        keys, width = [key for key, _ in spec.columns], len(spec.columns)
        rows = [self.cells[i:i + width] for i in range(0, len(self.cells), width)]
        return [dict(zip(keys, row)) for row in rows if any(row)]

    @property
    def boxes(self) -> list[list[Box]]:
        """The boxes row by row (a card is one row), with their ids, labels and values."""
        spec = self.spec
        if spec.kind == "card":
            return [[Box(f"{self.id}-{n}", prompt, prompt, self.cells[n]) for n, prompt in enumerate(spec.prompts)]]
        width = len(spec.columns)
        return [[Box(f"{self.id}-{r}-{c}", f"{heading}, entry {r + 1}", heading, self.cells[r * width + c])
                 for c, (_, heading) in enumerate(spec.columns)] for r in range(spec.rows)]

    def pre_validate(self, form):
        limit = self.spec.max_length
        for row in self.boxes:
            for box in row:
                if len(box.value) > limit:
                    self.errors.append(f"{box.label}: " + TOO_LONG % {"max": limit})


class AtLeastOneAnswer:
    """A required card or table needs one box written in or more; the rest may stay empty."""

    def __call__(self, form, field):
        if not field.data:
            raise StopValidation(REQUIRED)


def _presence(spec: FormField, draft: bool, *, picked: bool = False):
    if draft or not spec.required:
        return [Optional()]
    return [InputRequired(REQUIRED)] if picked else [DataRequired(REQUIRED)]


def wtforms_field(spec: FormField, draft: bool = False):
    """The unbound WTForms field for one template field."""
    kw = {"label": spec.label, "description": spec.help or ""}
    if spec.kind == "short_text":
        return StringField(validators=_presence(spec, draft) + [Length(max=spec.max_length, message=TOO_LONG)], **kw)
    if spec.kind == "long_text":
        return TextAreaField(validators=_presence(spec, draft) + [Length(max=spec.max_length, message=TOO_LONG)], **kw)
    if spec.kind == "list":
        item = StringField(validators=[Optional(), Length(max=spec.max_length, message=TOO_LONG)])
        validators = [] if draft or not spec.required else [AtLeastOneItem()]
        return FieldList(item, min_entries=spec.items, max_entries=spec.items, validators=validators, **kw)
    if spec.kind == "scale":
        return RadioField(choices=[SelectChoice(n, str(n)) for n in range(spec.min, spec.max + 1)], coerce=int,
                          validators=_presence(spec, draft, picked=True), **kw)
    if spec.kind in ("yes_no", "choice"):
        return RadioField(choices=_choices(spec), validators=_presence(spec, draft, picked=True), **kw)
    if spec.kind == "tracker":
        return CheckboxesField(choices=_choices(spec), validators=[Optional()], **kw)
    if spec.in_parts:
        return PartsField(spec=spec, validators=[] if draft or not spec.required else [AtLeastOneAnswer()], **kw)
    raise ValueError(f"unknown field kind {spec.kind!r}")


def _choices(spec: FormField) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in spec.options]


@lru_cache(maxsize=None)
def form_class(template: HomeworkTemplate, draft: bool = False) -> type[BaseForm]:
    """A BaseForm class for a template (built once per template and mode)."""
    attrs = {spec.name: wtforms_field(spec, draft) for spec in template.fields}
    return type(f"Homework_{template.id.replace('-', '_')}", (BaseForm,), attrs)


def answers_from(form: BaseForm, template: HomeworkTemplate) -> dict:
    """The form's data as stored: lists trimmed of empty items, empty text as None."""
    answers = {}
    for spec in template.fields:
        value = form[spec.name].data
        if spec.kind == "list":
            value = [v for v in (value or [])]
            value = value if any((v or "").strip() for v in value) else []
        elif isinstance(value, str) and not value.strip():
            value = None
        answers[spec.name] = value
    return answers
