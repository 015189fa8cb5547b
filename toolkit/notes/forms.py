from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..forms import BaseForm
from .models import FORMATS

SECTION_MAX = 20000


class StartNoteForm(BaseForm):
    format = RadioField("Format", choices=[SelectChoice(f, f) for f in FORMATS], default="SOAP",
                        validators=[DataRequired()])


class NoteForm(BaseForm):
    """The sections of a note's draft: what Save draft, autosave and Sign and lock all send."""

    section_keys: tuple[str, ...] = ()

    def sections_sent(self) -> dict:
        """The sections this request carried; a section it did not carry is absent, not blanked."""
        return {key: self[key].data or "" for key in self.section_keys if self[key].raw_data}


def note_form_class(note_format: str) -> type[NoteForm]:
    """A form with one text area per section of the format (keys never shadow Form attributes like `data`)."""
    fields = {key: TextAreaField(label, validators=[Length(max=SECTION_MAX)]) for key, label in FORMATS[note_format]}
    return type(f"{note_format}NoteForm", (NoteForm,), {**fields, "section_keys": tuple(fields)})


class AddendumForm(BaseForm):
    text = TextAreaField("Addendum", validators=[DataRequired("Write the addendum first."), Length(max=SECTION_MAX)])
