from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class AssignForm(FlaskForm):
    who = RadioField("Who fills it in", choices=[("each", "Each partner separately"), ("joint", "The couple together")],
                     validators=[DataRequired()])
    due_on = DateField("Due", validators=[DataRequired()])
    instructions = TextAreaField("Your own instructions", validators=[Optional(), Length(max=2000)],
                                 description="Optional. Shown above the form, to both partners.")


class ReviewForm(FlaskForm):
    comment = TextAreaField("Comment for your records", validators=[Optional(), Length(max=4000)])
