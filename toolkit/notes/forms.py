from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..forms import BaseForm
from .models import FORMATS

SECTION_MAX = 20000


class StartNoteForm(BaseForm):
    format = RadioField("Format", choices=[SelectChoice(f, f) for f in FORMATS], default="SOAP",
                        validators=[DataRequired()])


def note_form_class(note_format: str) -> type[BaseForm]:
    """A form with one text area per section of the format (keys never shadow Form attributes like `data`)."""
    fields = {key: TextAreaField(label, validators=[Length(max=SECTION_MAX)]) for key, label in FORMATS[note_format]}
    return type(f"{note_format}NoteForm", (BaseForm,), fields)


class AddendumForm(BaseForm):
    text = TextAreaField("Addendum", validators=[DataRequired("Write the addendum first."), Length(max=SECTION_MAX)])
