from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def control(field):
    """Render a form field's widget with Tabler's form-control class and its error state."""
    css = "form-control is-invalid" if field.errors else "form-control"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
