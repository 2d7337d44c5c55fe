"""A response's contact person: validated on ingest, and kept only where the respondent said to publish it.

A response may carry ``contact: {name, email, phone, publish}``. ``publish`` is ``yes`` or ``no``
(any case; left out means no). A contact whose ``publish`` is not ``yes`` is checked like the
rest of the response, then dropped: it never reaches ``responses.json``, so nothing built from
the data (the paper, the site, the profiles, the statistics) can print it.
"""

from __future__ import annotations

import re

from .errors import Problem, closest

FIELDS = ("name", "email", "phone", "publish")
# Pragmatic shapes, not RFC 5322: one @, no spaces, a dot in the domain; a phone number of digits
# with the usual separators and an optional leading +.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
PHONE = re.compile(r"\+?[0-9][0-9 ().\-/]{4,30}[0-9]")
MAX_CHARS = 200


def check_contact(value, file: str, where: str = "contact") -> tuple[dict | None, list[Problem]]:
    """(the contact to publish or None, the problems found); ``value`` is the YAML ``contact:`` field."""
    if value is None or value == "":
        return None, []
    if not isinstance(value, dict):
        return None, [Problem(file, where, str(value), "a mapping with name, email, phone, publish")]
    problems = []
    contact = {}
    for key, raw in value.items():
        key = str(key)
        if key not in FIELDS:
            problems.append(Problem(file, f"{where}.{key}", "", "one of " + ", ".join(FIELDS), closest(key, FIELDS)))
            continue
        text = "" if raw is None else " ".join(str(raw).split())
        if text:
            contact[key] = text
    publish = contact.pop("publish", "no").casefold()
    if publish not in ("yes", "no"):
        problems.append(Problem(file, f"{where}.publish", publish, "yes or no (left out: no)"))
    for key, text in contact.items():
        if len(text) > MAX_CHARS:
            problems.append(Problem(file, f"{where}.{key}", text[:37] + "...", f"at most {MAX_CHARS} characters"))
    if "email" in contact and not EMAIL.fullmatch(contact["email"]):
        problems.append(Problem(file, f"{where}.email", contact["email"], "an e-mail address (name@example.org)"))
    if "phone" in contact and not PHONE.fullmatch(contact["phone"]):
        problems.append(Problem(file, f"{where}.phone", contact["phone"], "a phone number (digits, spaces, + - ( ) .)"))
    if not contact and not problems:
        problems.append(Problem(file, where, "", "at least one of name, email, phone"))
    if problems or publish != "yes":
        return None, problems
    return dict(sorted(contact.items())), []
