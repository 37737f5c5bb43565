from core.permissions import ACADEMIC_RECORDERS, INTERVENTION_ROLES, PROGRAM_RUNNERS, REGISTER_TAKERS, STAFF, Role

# (label, path, roles that see it; empty = everyone signed in)
NAVIGATION = [
    ("Home", "/", ()),
    ("Attendance", "/attendance/", REGISTER_TAKERS),
    ("Students", "/students/", STAFF),
    ("Alerts", "/alerts/", STAFF),
    ("Interventions", "/form-master/interventions/", INTERVENTION_ROLES),
    ("Programs", "/programs/", STAFF),
    ("Admissions", "/admissions/", PROGRAM_RUNNERS),
    ("Lessons", "/lessons/", ACADEMIC_RECORDERS),
    ("Marks", "/marks/", ACADEMIC_RECORDERS),
    ("Subjects", "/subjects/", (Role.ADMIN,)),
    ("Risk", "/risk/", STAFF),
    ("Feedback", "/interventions/feedback/", PROGRAM_RUNNERS),
    # New areas add their entry here, before Admin, with the role set of core.permissions that sees it.
    ("Admin", "/admin/", (Role.ADMIN,)),
    ("API", "/api/docs/", (Role.ADMIN,)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"label": label, "path": path, "active": _is_active(request.path, path)}
        for label, path, roles in NAVIGATION
        if not roles or user.role in roles or (user.is_superuser and path == "/admin/")
    ]
    return {"nav_items": items}


def _is_active(current: str, path: str) -> bool:
    return current == "/" if path == "/" else current.startswith(path)
