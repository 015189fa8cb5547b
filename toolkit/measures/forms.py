from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..forms import BaseForm
from .scale import ITEMS

ANSWER_NEEDED = "Please choose an answer."


def measure_form_class(prefix_label: bool = False) -> type[BaseForm]:
    """One radio group per item, answers labelled as published, scored 0 upward."""
    fields = {
        item.name: RadioField(item.text, coerce=int, validators=[InputRequired(ANSWER_NEEDED)],
                              choices=[SelectChoice(n, label) for n, label in enumerate(item.answers)])
        for item in ITEMS
    }
    return type("MeasureForm", (BaseForm,), fields)


MeasureForm = measure_form_class()


def answers_of(form: BaseForm) -> list[int]:
    return [form[item.name].data for item in ITEMS]
