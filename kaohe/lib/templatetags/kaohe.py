from __future__ import annotations

from django import template

from kaohe.lib import inputs

register = template.Library()


@register.filter
def control(field):
    """Render a form field's widget with Tabler's class for its kind, and its error state."""
    input_type = getattr(field.field.widget, "input_type", "")
    if input_type == "checkbox":
        css = "form-check-input"
    elif input_type == "select":
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": f"{css} is-invalid" if field.errors else css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def plain(value):
    """A Decimal as people write it: 5, 94.5, 94.83 (no trailing zeros); None stays None."""
    return inputs.plain(value)
