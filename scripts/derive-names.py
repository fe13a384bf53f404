#!/usr/bin/env python3
"""Derive data/names/levant-names.tsv from the name index of the MIT-licensed
`arabic-name-romanizer` package (UNICEF and contributors).

Usage:  pip download --no-deps arabic-name-romanizer==0.2.0 && unzip the wheel, then
        scripts/derive-names.py PATH/TO/resources/names.sqlite3 > data/names/levant-names.tsv

Keeps given names and family names attested in Syria and its neighbours, their Latin
spellings ordered by attestation count, and a frequency weight. The index stores Arabic
keys normalised (ة written ه); a final ه is written back as ة where the Latin spellings end
in a vowel ("Salama", "Salameh"), so demo names look as people write them.
"""
import re
import sqlite3
import sys
from collections import defaultdict

COUNTRIES = ("SY", "LB", "JO", "PS", "IQ")
LATIN = re.compile(r"^[A-Za-z][A-Za-z' -]*[A-Za-z]$")
MASCULINE_WITH_TA = {
    "اسامة", "حمزة", "طلحة", "معاوية", "عبيدة", "ابو عبيدة", "قتيبة", "حذيفة", "عكرمة", "عطية",
    "عروة", "جبلة", "خليفة", "ربيعة", "سلامة", "عبادة", "قدامة", "شيبة", "مسلمة", "حارثة",
}
FEMININE_WITHOUT_TA = {
    "مريم", "زينب", "هند", "نور", "سعاد", "وداد", "اسماء", "هيفاء", "رغد", "ريم", "دعاء",
    "الاء", "رنا", "لمى", "سلمى", "ليلى", "منى", "هدى", "نجوى", "سناء", "وفاء", "رجاء",
    "ابتسام", "انتصار", "اعتدال", "ميساء", "لين", "جود", "شهد", "غدير", "نسرين", "ياسمين",
    "حنين", "ميس", "روان", "جنى", "رهف", "بتول", "ايمان", "سوزان", "ريما", "ديما", "لانا", "تالا",
    "ليال", "هيام", "احلام", "سهام", "الهام", "رشا", "علا", "منار", "عبير", "ملك", "سلوى", "نجلاء",
    "رزان", "حلا", "دانا", "جمان", "غنى", "شيماء", "هناء", "صفاء", "ضحى", "بشرى", "نهى", "مها",
    "لبنى", "كوثر", "امل", "وئام", "سحر", "فاتن", "اسراء", "بيان", "ساندي", "لمياء", "نوال", "ابتهال",
    "سمر", "رحاب", "زهراء", "اسيل", "ريهام", "مرام", "نغم", "هديل", "يسرى", "عفاف", "ختام", "وصال",
}


def tidy(latin: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() if w.isupper() else w for w in latin.split())


def main(path: str) -> None:
    db = sqlite3.connect(path)
    rows = db.execute(
        f"SELECT role, arabic_key, latin, SUM(count) FROM units WHERE role IN ('given','surname') "
        f"AND country IN ({','.join('?' * len(COUNTRIES))}) GROUP BY role, arabic_key, latin",
        COUNTRIES,
    )
    spellings = defaultdict(lambda: defaultdict(int))
    for role, arabic, latin, count in rows:
        latin = tidy(latin.strip())
        words = [w for w in re.split(r"[ -]", latin) if w.lower() not in ("al", "el")]
        if not LATIN.match(latin) or len(words) > len(arabic.split()):
            continue
        spellings[(role, arabic)][latin] += count
    print("# Arabic personal names attested in Syria, Lebanon, Jordan, Palestine and Iraq, with")
    print("# their Latin spellings (most attested first). Derived from the name index of")
    print("# arabic-name-romanizer 0.2.0 (MIT licence, (c) 2026 UNICEF and the arabic-name-romanizer")
    print("# contributors; the index itself draws on Wikidata, CC0). Used for synthetic demo data.")
    print("role\tsex\tarabic\tweight\tlatin")
    for (role, arabic), latins in sorted(spellings.items(), key=lambda kv: (kv[0][0], -sum(kv[1].values()), kv[0][1])):
        weight = sum(latins.values())
        if weight < 2:
            continue
        ordered = [l for l, _ in sorted(latins.items(), key=lambda kv: (-kv[1], kv[0]))][:8]
        ordered = [l for l in ordered if latins[l] >= 2] or ordered[:1]
        if arabic.endswith("ه") and not arabic.endswith(("لله", "طه", "الله")) and any(l.lower().endswith(("a", "ah", "eh")) for l in ordered[:2]):
            arabic = arabic[:-1] + "ة"
        sex = "-"
        if role == "given":
            feminine = arabic.endswith("ة") and arabic not in MASCULINE_WITH_TA
            sex = "f" if feminine or arabic in FEMININE_WITHOUT_TA else "m"
        print(f"{'given' if role == 'given' else 'family'}\t{sex}\t{arabic}\t{weight}\t{'|'.join(ordered)}")


if __name__ == "__main__":
    main(sys.argv[1])
