"""The partner's own forms: the passcode at the door, setting one, and agreeing to the policy."""
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Regexp

from ..forms import BaseForm

PASSCODE_RULE = Regexp(r"^\d{4,8}$", message="Use 4 to 8 digits, numbers only.")


def _digits_field(label: str, *validators) -> PasswordField:
    # A numeric keypad on phones, and no browser offering to save it.
    return PasswordField(label, validators=list(validators),
                         render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 8})


class ContinueForm(BaseForm):
    """Continue from the link; with the partner's passcode when they set one."""

    passcode = _digits_field("Your passcode")


class PasscodeForm(BaseForm):
    passcode = _digits_field("New passcode", InputRequired("Choose a passcode."), PASSCODE_RULE)
    confirm = _digits_field("The same passcode again",
                            InputRequired("Type the passcode again."), EqualTo("passcode", "The two passcodes differ."))


class PolicyForm(BaseForm):
    agree = BooleanField("I have read how my answers are kept, and I agree.",
                         validators=[DataRequired("Please tick the box to go on.")])
