#!/usr/bin/env python3
"""Write data/gazetteer/syria-admin.csv from the OpenSyria geography release.

Usage: scripts/derive-gazetteer.py ../shared/data/gazetteer > data/gazetteer/syria-admin.csv

Keeps, for each governorate, district and sub-district, what Athar uses: the OCHA P-code,
the level, the parent's P-code, the English and Arabic names, the aliases people type, and
the centroid. Source: OpenSyria Data Geography (CC BY 4.0); see data/gazetteer/NOTICE.md.
"""
import csv
import json
import sys
from pathlib import Path


def main(root: str) -> None:
    base = Path(root)
    levels = [("governorate", "governorates.json", None), ("district", "districts.json", "governorateId"),
              ("subdistrict", "subdistricts.json", "districtId")]
    pcode_of = {}
    rows = []
    for level, name, parent_key in levels:
        for item in json.loads((base / name).read_text(encoding="utf-8")):
            pcode = item["externalIds"]["ochaPcode"]
            pcode_of[item["id"]] = pcode
            parent = pcode_of[item[parent_key]] if parent_key else ""
            aliases_en = sorted({a["value"] for a in item.get("aliases", []) if a["language"] == "en"} - {item["name"]["en"]})
            aliases_ar = sorted({a["value"] for a in item.get("aliases", []) if a["language"] == "ar"} - {item["name"]["ar"]})
            c = item.get("centroid") or {}
            rows.append([pcode, level, parent, item["name"]["en"], item["name"]["ar"], "|".join(aliases_en),
                         "|".join(aliases_ar), c.get("latitude", ""), c.get("longitude", "")])
    out = sys.stdout
    out.write("# Syrian administrative divisions: 14 governorates, 62 districts, 272 sub-districts.\n")
    out.write("# Facts from OpenSyria Data Geography (CC BY 4.0), which draws on OCHA/HDX via geoBoundaries,\n")
    out.write("# GeoNames and Wikidata. See NOTICE.md in this folder.\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["pcode", "level", "parent", "name_en", "name_ar", "aliases_en", "aliases_ar", "lat", "lon"])
    for r in sorted(rows, key=lambda r: r[0]):
        w.writerow(r)


if __name__ == "__main__":
    main(sys.argv[1])
