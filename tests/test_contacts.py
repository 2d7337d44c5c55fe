"""A response's contact: validated on ingest; only `publish: yes` is kept (so nothing built prints the others)."""

from __future__ import annotations

import pytest
from conftest import write
from surveypaper.contacts import check_contact
from surveypaper.errors import ValidationFailed
from surveypaper.project import ingest


def test_a_published_contact_is_kept():
    contact, problems = check_contact({"name": " Ana  Pérez ", "email": "ana@example.org", "publish": "Yes"}, "f")
    assert problems == [] and contact == {"email": "ana@example.org", "name": "Ana Pérez"}


@pytest.mark.parametrize("publish", ["no", "NO", None])
def test_a_contact_not_to_publish_is_dropped(publish):
    value = {"name": "Nils", "phone": "+47 22 00 00 00"} | ({"publish": publish} if publish else {})
    assert check_contact(value, "f") == (None, [])


@pytest.mark.parametrize(
    ("value", "where", "expected"),
    [
        ("Ana", "contact", "a mapping"),
        ({"name": "Ana", "publish": "maybe"}, "contact.publish", "yes or no"),
        ({"email": "ana at example", "publish": "yes"}, "contact.email", "an e-mail address"),
        ({"phone": "call me", "publish": "no"}, "contact.phone", "a phone number"),
        ({"mail": "ana@example.org"}, "contact.mail", "one of name, email"),
        ({"publish": "yes"}, "contact", "at least one of"),
    ],
)
def test_a_bad_contact_is_one_problem_each(value, where, expected):
    contact, problems = check_contact(value, "f")
    assert contact is None
    assert [(p.where, expected in p.expected) for p in problems] == [(where, True)]


def test_ingest_keeps_only_published_contacts(tiny_raw):
    arg = tiny_raw / "responses/2008/ARG.yaml"
    arg.write_text(arg.read_text() + "contact: {name: Ana, email: ana@example.org, publish: yes}\n")
    nld = tiny_raw / "responses/2008/NLD.yaml"
    nld.write_text(nld.read_text() + "contact: {name: Nils Secret, email: nils@example.nl}\n")
    rounds = ingest(tiny_raw)["rounds"]["2008"]
    by_state = {r["state"]: r for r in rounds}
    assert by_state["ARG"]["contact"] == {"email": "ana@example.org", "name": "Ana"}
    assert "contact" not in by_state["NLD"] and "Nils" not in repr(rounds)


def test_ingest_reports_a_bad_contact(tiny_raw):
    write(tiny_raw / "responses/2008/NOR.yaml", "state: NOR\ncontact: {email: not-an-address, publish: yes}\n")
    with pytest.raises(ValidationFailed) as exc:
        ingest(tiny_raw)
    assert "responses/2008/NOR.yaml | contact.email | 'not-an-address'" in str(exc.value)
