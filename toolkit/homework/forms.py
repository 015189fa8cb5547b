from wtforms import DateField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import BaseForm, SubmittedOnce, within_sane_years
from ..library.models import WHO


class AssignForm(SubmittedOnce, BaseForm):
    """Assigning homework: a double click assigns it once."""

    # Choices per couple (each, joint, or one partner alone): set by the view from who_choices().
    who = RadioField("Who fills it in", choices=[SelectChoice(k, v) for k, v in WHO.items()],
                     validators=[DataRequired()])
    due_on = DateField("Due", validators=[DataRequired(), within_sane_years])
    instructions = TextAreaField("Your own instructions", validators=[Optional(), Length(max=2000)],
                                 description="Optional. Shown above the form, to both partners.")


class ReviewForm(BaseForm):
    comment = TextAreaField("Comment for your records", validators=[Optional(), Length(max=4000)])
