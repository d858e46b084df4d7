"""Telephone numbers in text, found with Google's libphonenumber metadata (the ``phonenumbers``
package): mobiles and landlines in every way they are written (010 6234 5678, 0755 8888 6666,
+86-10-62345678, (010) 62345678, 021-6888 9999, full-width digits), checked against the numbering
plan of their country, so that dates, standard numbers (GB 31571-2015), CAS numbers (7439-97-6)
and amounts are not taken for numbers.

For the personal-data rule: ``find_phone_numbers(text)`` returns what it found; the rule decides
what to report (organisation hotlines such as 400 or 800 numbers are ``service``, not personal)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberType

# Only lines with a run of at least 7 digits (separators allowed) can hold a number: the matcher
# is not run on the others (it costs about 1 ms per page otherwise).
CANDIDATE_RE = re.compile(r"[0-9０-９](?:[ \-.()（）/]{0,3}[0-9０-９]){6}")

KINDS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
    PhoneNumberType.TOLL_FREE: "service",
    PhoneNumberType.SHARED_COST: "service",
    PhoneNumberType.UAN: "service",
    PhoneNumberType.PREMIUM_RATE: "service",
}


@dataclass(frozen=True)
class PhoneNumber:
    raw: str  # as written in the text
    start: int  # offsets in the text
    end: int
    e164: str  # +861062345678
    kind: str  # mobile | landline | service | other
    region: str  # CN, HK, US…

    @property
    def masked(self) -> str:
        """Shown in a finding without repeating the number: +86 10****78."""
        digits = self.e164.lstrip("+")
        return "+" + digits[:4] + "*" * max(0, len(digits) - 6) + digits[-2:]


def find_phone_numbers(text: str, region: str = "CN") -> list[PhoneNumber]:
    """Valid telephone numbers in *text*; numbers without a country code are read as *region*'s."""
    if not CANDIDATE_RE.search(text):
        return []
    found: list[PhoneNumber] = []
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
        number = match.number
        found.append(PhoneNumber(
            raw=match.raw_string, start=match.start, end=match.end,
            e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            kind=KINDS.get(phonenumbers.number_type(number), "other"),
            region=phonenumbers.region_code_for_number(number) or "",
        ))
    return found
