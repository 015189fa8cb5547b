"""The base every form in the app builds on."""
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField


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
