"""What the admin's edit forms say of an inline row (a condition's cause, a therapy's side
effect...) in its one-line heading: templates/wagtailadmin/panels/inline_panel_child.html
(Wagtail's, with the heading naming the row and saved rows collapsed)."""

from django import template

from modelcluster.fields import ParentalKey

register = template.Library()
NAMING_FIELDS = ("name", "title", "label", "value")


@register.filter
def row_summary(row):
    """One line naming a saved inline row: the title of what it links to (its first foreign
    key but its parent's), else its own name; "" for a row not saved yet."""
    if row is None or row.pk is None:
        return ""
    for field in row._meta.concrete_fields:
        if field.many_to_one and not isinstance(field, ParentalKey):
            target = getattr(row, field.name, None)
            if target is not None:
                return getattr(target, "title", None) or str(target)
    return next((str(getattr(row, name)) for name in NAMING_FIELDS if getattr(row, name, "")), "")
