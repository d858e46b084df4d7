"""Telephone numbers (kb/checks/phones.py): every written form of a Chinese landline or mobile is
found on the page, and dates, standard and CAS numbers, amounts and years are not."""

from __future__ import annotations

from sitebuild import FIXTURES

from kb.checks.phones import find_phone_numbers
from kb.content.pages import parse_page

PAGES = FIXTURES / "phone-numbers"


def _numbers(case: str, name: str) -> list[tuple[int, str, str]]:
    path = PAGES / case / "docs" / "zh" / name
    page = parse_page(f"docs/zh/{name}", "zh", name, path.read_bytes())
    return [(line, n.e164, n.kind) for line, text in page.prose for n in find_phone_numbers(text)]


def test_landlines_in_every_written_form_and_mobiles_are_found():
    assert _numbers("flag", "landlines-and-mobiles.md") == [
        (13, "+861062345678", "landline"),
        (14, "+8675588886666", "landline"),
        (15, "+861062345678", "landline"),
        (16, "+861062345678", "landline"),
        (17, "+8613812345678", "mobile"),  # full-width digits
        (18, "+862168889999", "landline"),
    ]


def test_dates_standard_numbers_amounts_and_years_are_not_numbers():
    assert _numbers("clean", "dates-standards-and-amounts.md") == []


def test_hotlines_are_service_numbers_and_masked_values_hide_the_number():
    (hotline,) = find_phone_numbers("服务热线 400-810-8888")
    assert hotline.kind == "service"
    (landline,) = find_phone_numbers("电话 0755 8888 6666")
    assert landline.raw == "0755 8888 6666" and landline.region == "CN"
    assert landline.masked == "+8675*******66" and "88886666" not in landline.masked
