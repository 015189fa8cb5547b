"""The base every form in the app builds on."""
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField
from wtforms.validators import ValidationError

# Dates are real days: a mistyped year (9999) would break the pages and printing that add days
# to it or count the weeks between sessions.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def within_sane_years(_form, field) -> None:
    """Refuse a date outside EARLIEST_YEAR..LATEST_YEAR, with a message saying what is accepted."""
    value = field.data
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")


def _drop_nul(value):
    """NUL is never meaningful in text, and PostgreSQL cannot store it: drop it everywhere."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class _CleanMeta:
    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, (FormField, FieldList)):
            return unbound_field.bind(form=form, **options)  # their parts get the filter themselves
        filters = [*unbound_field.kwargs.get("filters", ()), _drop_nul]
        return unbound_field.bind(form=form, filters=filters, **options)


class BaseForm(FlaskForm):
    """A FlaskForm (CSRF included) whose text arrives without NUL characters."""

    class Meta(_CleanMeta, FlaskForm.Meta):
        pass


class SubForm(Form):
    """For FormField parts of a larger form; the parent carries the CSRF token."""

    class Meta(_CleanMeta, Form.Meta):
        pass
