"""One homework template definition builds its online form.

Field kind -> WTForms field:
  short_text -> StringField      (DataRequired, Length(max=max_length))
  long_text  -> TextAreaField    (DataRequired, Length(max=max_length))
  list       -> FieldList of N StringFields (at least one item when required; each Length(max=300))
  scale      -> RadioField min..max, coerce=int (InputRequired, so 0 is a valid answer; a choice in range)
  tracker    -> checkboxes Day 1..Day 7 (never required: a day not done is an answer too)
  yes_no     -> RadioField yes/no (InputRequired)
  choice     -> RadioField of the choices (InputRequired)
A draft uses the same form with every required check off, so half an answer can be saved.
"""
from functools import lru_cache

from wtforms import FieldList, RadioField, SelectMultipleField, StringField, TextAreaField
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
