from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..forms import BaseForm
from .services import PASSWORD_MAX, password_problem


class LoginForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=255)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class CodeForm(BaseForm):
    code = StringField("Code", validators=[DataRequired("Type the code."), Length(max=20)],
                       description="The 6-digit code from your authenticator app, or one of your recovery codes.",
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off"})


class EnrolForm(BaseForm):
    code = StringField("The 6-digit code your app shows now", validators=[DataRequired("Type the code."), Length(max=12)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class NewPasswordForm(BaseForm):
    """A new password, typed twice; checked against the email and the breached-password list."""

    email_for_check = ""  # set by the view: the account's email, which the password must not be
    password = PasswordField("New password", validators=[DataRequired(), Length(max=PASSWORD_MAX)],
                             description="8 to 128 characters. A long phrase is easiest to remember.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("The new password again",
                            validators=[DataRequired(), EqualTo("password", "The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.email_for_check)
        if problem:
            raise ValidationError(problem)


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)],
                            render_kw={"autocomplete": "current-password"})
