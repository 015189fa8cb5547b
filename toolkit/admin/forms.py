from wtforms import DateField, EmailField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..forms import BaseForm, within_sane_years

ROLES = {"therapist": "Therapist", "admin": "Practice admin"}


class NewTherapistForm(BaseForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=255)])
    credentials = StringField("Credentials", validators=[Optional(), Length(max=60)], description="e.g. LMFT")
    role = RadioField("Role", choices=[SelectChoice(k, v) for k, v in ROLES.items()], default="therapist",
                      validators=[DataRequired()])


class ReassignForm(BaseForm):
    """Move every couple of one therapist to another (a departure, a long leave)."""

    from_id = SelectField("From", coerce=int, validators=[DataRequired()])
    to_id = SelectField("To", coerce=int, validators=[DataRequired()])

    def validate_to_id(self, field):
        if field.data == self.from_id.data:
            raise ValidationError("Choose two different therapists.")


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form: it changes nothing

    actor = StringField("Person", validators=[Optional(), Length(max=64)],
                        description="e.g. therapist:3, partner:12, anonymous")
    object_type = StringField("Record type", validators=[Optional(), Length(max=32)], description="e.g. couple, note")
    object_id = StringField("Record id", validators=[Optional(), Length(max=12)])
    since = DateField("From", validators=[Optional(), within_sane_years])
    until = DateField("To", validators=[Optional(), within_sane_years])

    def validate_object_id(self, field):
        if field.data and not field.data.isdigit():
            raise ValidationError("A record id is a whole number.")
