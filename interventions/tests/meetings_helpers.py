"""Fixtures and builders shared by the meeting tests."""

import datetime
import threading

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from interventions.tests.factories import InterventionMeetingFactory
from students.tests.factories import ClassGroupFactory, StudentFactory


def days(n: int) -> datetime.date:
    """Today plus n days (negative: in the past)."""
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def fm_form(school, form_master):
    return ClassGroupFactory(school=school, form_master=form_master, name="Form 2B")


@pytest.fixture
def other_form(school, other_form_master):
    return ClassGroupFactory(school=school, form_master=other_form_master, name="Form 3C")


@pytest.fixture
def student(school, fm_form):
    return StudentFactory(school=school, class_group=fm_form, first_name="Sam", last_name="Lee")


@pytest.fixture
def other_student(school, other_form):
    """A student of another form master's form in the same school."""
    return StudentFactory(school=school, class_group=other_form, first_name="Ola", last_name="Berg")


@pytest.fixture
def foreign_student(other_school):
    return StudentFactory(school=other_school, first_name="Far", last_name="Away")


def make_meeting(*, student, created_by, **fields):
    return InterventionMeetingFactory(school=student.school, student=student, created_by=created_by, **fields)


def meeting_payload(student, /, **overrides) -> dict:
    payload = {
        "student": student.pk,
        "meeting_date": str(days(-1)),
        "absence_reason": "Missed Monday and Tuesday.",
        "root_cause": "family",
        "intervention_notes": "Talked with Sam; mother is unwell.",
        "action_plan": "Daily check-in; call home on Friday.",
        "follow_up_date": str(days(7)),
        "urgency_level": "high",
    }
    payload.update(overrides)
    return payload


def race(requests):
    """Run each request in its own thread (its own connection and client), released together; their
    responses. An exception in a thread (a "database is locked") fails the test."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)
    errors = []

    def run(index, request):
        try:
            barrier.wait(timeout=10)
            responses[index] = request()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return responses


def client_of(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client
