"""List filters from query parameters, for the API and the pages alike: django-filter `FilterSet`s built
from these pieces. A bad value is a 400 naming the parameter, never a database error and never a list
quietly unfiltered."""

import django_filters
from django import forms
from django.db.models import Q

from core.errors import ApplicationError
from core.ids import MAX_ID

INVALID_CHOICE = "\u201c%(value)s\u201d is not a valid {noun}. Allowed: {allowed}."


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number (`min_value` / `max_value` bound it); a word or a fraction is a 400."""

    field_class = forms.IntegerField


class IdFilter(WholeNumberFilter):
    """`?student=`, `?class_group=`…: a row id; anything else (a word, a fraction, a number past what the
    database stores) is a 400 naming the parameter, never a database error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def row_id_filter(noun: str, **kwargs) -> IdFilter:
    """An `IdFilter` whose every refusal reads "A <noun> id is a whole number." ("An owner id …")."""
    message = f"{'An' if noun[0] in 'aeiou' else 'A'} {noun} id is a whole number."
    return IdFilter(error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), message), **kwargs)


class TrimmedChoiceField(django_filters.fields.ChoiceField):
    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)


class TrimmedChoiceFilter(django_filters.ChoiceFilter):
    field_class = TrimmedChoiceField


class DateSpanForm(forms.Form):
    """The form of a `date_span_filterset`: its `to` may not fall before its `from`."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", "Must be on or after from.")
        return cleaned


def date_span_filterset(name: str, model, **others) -> type[django_filters.FilterSet]:
    """A FilterSet of a figure's span over `model`'s rows, `?from=&to=` (dates, either may be absent, `to`
    not before `from`), and of `others`: read with `filters_from`, for the figure's selector to apply.
    (`from` is a keyword, so the class is built here.)"""
    attrs = {"from": django_filters.DateFilter(), "to": django_filters.DateFilter(), **others}
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": [], "form": DateSpanForm})
    return type(name, (django_filters.FilterSet,), attrs)


def choice_filter(noun: str, choices, *, message: str = INVALID_CHOICE, **kwargs) -> TrimmedChoiceFilter:
    """One of `choices` (spaces around it ignored); a bad value reads, by default,
    "“x” is not a valid <noun>. Allowed: a, b."."""
    allowed = ", ".join(value for value, _ in choices)
    invalid = message.format(noun=noun, allowed=allowed)
    return TrimmedChoiceFilter(choices=choices, error_messages={"invalid_choice": invalid}, **kwargs)


TRUE_VALUES = {"true", "1", "yes", "on"}
FALSE_VALUES = {"false", "0", "no", "off"}


class FlagField(forms.Field):
    """true/false (also 1/0, yes/no, on/off — a ticked box —, any case) from a query parameter;
    anything else is refused."""

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return None if value == "" else value
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class FlagFilter(django_filters.BooleanFilter):
    """A BooleanFilter (so the API schema says boolean) that refuses what is not a yes or a no, where
    Django's NullBooleanField reads it as "not given"."""

    field_class = FlagField


def flag_filter(name: str, **kwargs) -> FlagFilter:
    """A yes/no parameter; a bad value reads "Use <name>=true or <name>=false."."""
    return FlagFilter(error_messages={"invalid": f"Use {name}=true or {name}=false."}, **kwargs)


SEARCH_MAX = 100  # a page's search box: the characters read; the rest is cut off


def words_matching(queryset, text: str, fields: tuple[str, ...]):
    """A search box: every word of `text` must appear (any case) in one of `fields`."""
    for term in (text or "").split():
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(match)
    return queryset


def search_text(value) -> str:
    """A page's search box as it is read: spaces around it dropped, cut to SEARCH_MAX characters."""
    return (value or "").strip()[:SEARCH_MAX]


def filters_from(filterset_class, params, **kwargs) -> dict:
    """{name: value} of the filters given in `params`, validated by `filterset_class` (an empty
    parameter is absent); a bad value is an ApplicationError listing every bad parameter (400)."""
    form = filterset_class(params, **kwargs).form
    if not form.is_valid():
        raise ApplicationError(field_errors={name: list(errors) for name, errors in form.errors.items()})
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
