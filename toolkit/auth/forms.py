from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from ..forms import BaseForm
from .services import PASSWORD_MAX


class LoginForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=255)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
