"""Filters shared by the list endpoints."""

import django_filters
from django import forms

from core.ids import MAX_ID


class IdFilter(django_filters.NumberFilter):
    """`?student=`, `?class_group=`…: a row id; anything else (a word, a fraction, a number past what the
    database stores) is a 400 naming the parameter, never a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
