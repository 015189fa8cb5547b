from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..forms import BaseForm
from .scale import ITEMS

ANSWER_NEEDED = "Please choose an answer."


# One radio group per item, answers labelled as published, scored 0 upward.
MeasureForm = type("MeasureForm", (BaseForm,), {
    item.name: RadioField(item.text, coerce=int, validators=[InputRequired(ANSWER_NEEDED)],
                          choices=[SelectChoice(n, label) for n, label in enumerate(item.answers)])
    for item in ITEMS
})


def answers_of(form: BaseForm) -> list[int]:
    return [form[item.name].data for item in ITEMS]
