"""Form pieces shared by the apps' pages."""

from __future__ import annotations

from django import forms


class RowChoiceField(forms.TypedChoiceField):
    """A choice of one of the rows `offer`ed to it (their pk as the value, `str(row)` as the label), cleaned
    to the row itself, with ModelChoiceField's messages.

    A ModelChoiceField queries its queryset each time it renders its options and again to validate. This
    field reads the rows it is offered once, when first needed: a list the view has read already, or a
    queryset the page also lists elsewhere (a filter's options), which then keeps its rows for both, and
    is not read at all by a response that does not render the field."""

    default_error_messages = {"invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]}

    def __init__(self, *, empty_label: str = "---------", **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.empty_label = empty_label
        self.rows = ()

    def offer(self, rows) -> None:
        self.rows = rows
        empty_label = self.empty_label
        self.choices = lambda: [("", empty_label), *((row.pk, str(row)) for row in rows)]

    def clean(self, value):
        pk = super().clean(value)
        return None if pk is None else next(row for row in self.rows if row.pk == pk)
