from wtforms import DateTimeLocalField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import EARLIEST_YEAR, LATEST_YEAR, BaseForm, SubmittedOnce, within_sane_years
from .models import STATUSES


class SessionForm(BaseForm):
    starts_at = DateTimeLocalField("Date and time", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(), within_sane_years],
                                   render_kw={"min": f"{EARLIEST_YEAR}-01-01T00:00",
                                              "max": f"{LATEST_YEAR}-12-31T23:59"})
    status = SelectField("Status", choices=[SelectChoice(k, v) for k, v in STATUSES.items()])
    note_to_couple = TextAreaField("Note to the couple", validators=[Optional(), Length(max=2000)],
                                   description="Printed on the packet's cover. Both partners read it.")


class NewSessionForm(SubmittedOnce, SessionForm):
    """Adding a session: a double click adds it once."""
