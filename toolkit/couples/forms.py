from wtforms import DateField, EmailField, FormField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import BaseForm, SubForm, SubmittedOnce, within_sane_years


class PartnerForm(SubForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    pronouns = StringField("Pronouns", validators=[Optional(), Length(max=40)],
                           description="Optional, e.g. she/her, he/him, they/them")
    email = EmailField("Email", validators=[Optional(), Email(), Length(max=255)],
                       description="Optional: used to send this partner their private link")


class CoupleForm(BaseForm):
    partner_1 = FormField(PartnerForm, label="First partner")
    partner_2 = FormField(PartnerForm, label="Second partner")
    started_on = DateField("Therapy started", validators=[Optional(), within_sane_years])
    notes = TextAreaField("Private notes", validators=[Optional(), Length(max=5000)],
                          description="For you only: referral source, scheduling, anything practical.")


class NewCoupleForm(SubmittedOnce, CoupleForm):
    """Adding a couple: a double click adds it once."""
