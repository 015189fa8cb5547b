from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import BaseForm
from .safety import SAFETY_QUESTIONS
from .scale import ITEMS

ANSWER_NEEDED = "Please choose an answer."


# One radio group per item, answers labelled as published, scored 0 upward.
MeasureForm = type("MeasureForm", (BaseForm,), {
    item.name: RadioField(item.text, coerce=int, validators=[InputRequired(ANSWER_NEEDED)],
                          choices=[SelectChoice(n, label) for n, label in enumerate(item.answers)])
    for item in ITEMS
})


# The check-in a partner answers online: the measure, then the private safety questions (optional).
CheckinForm = type("CheckinForm", (MeasureForm,), {
    q.name: RadioField(q.label, validators=[Optional()], choices=[SelectChoice(v, label) for v, label in q.options])
    for q in SAFETY_QUESTIONS
})


def checkin_form_class(couple):
    """The check-in with its safety questions, unless the therapist turned them off for this couple."""
    return CheckinForm if couple.safety_questions_on else MeasureForm


def answers_of(form: BaseForm) -> list[int]:
    return [form[item.name].data for item in ITEMS]


def safety_answers_of(form: BaseForm) -> dict | None:
    """The safety answers given ({} when none were), or None when the questions were not asked."""
    if not isinstance(form, CheckinForm):
        return None
    return {q.name: form[q.name].data for q in SAFETY_QUESTIONS if form[q.name].data}


class SafetyQuestionsOffForm(BaseForm):
    reason = TextAreaField("Why the safety questions are off for this couple",
                           validators=[DataRequired("Give a reason; it is kept in the record."), Length(max=1000)])
