"""Synthetic national data for benchmarks and recall checks (`dangso bench …`).

The organisation tree has the national shape of limits.md (34 provinces → ~3,300 communes →
~200,000 cells: `tree`). Member lists are in our import template's columns (`template`),
realistic enough for search and duplicate detection, with defects planted at known rates and
listed in a manifest — row numbers and the rule codes that must find them — so that the
importer's repairs and the quality rules can be scored for recall (`members`). Legacy
encodings are written by `encodings`; `load` puts generated files straight into the tables
for the benchmarks.
"""

from dangso.members.synthetic.encodings import to_tcvn3, to_vni
from dangso.members.synthetic.members import (
    DEFECTS,
    GenerateReport,
    MemberOptions,
    manifest_path,
    write_members,
)
from dangso.members.synthetic.template import (
    C_ADMISSION,
    C_BIRTH,
    C_CARD,
    C_CCCD,
    C_CELL,
    C_ETHNICITY,
    C_HOMETOWN,
    C_NAME,
    C_OFFICIAL,
    C_QUALIFICATION,
    C_RELIGION,
    C_SEX,
    C_THEORY,
    ETHNICITY_LABELS,
    QUALIFICATION_LABELS,
    RELIGION_LABELS,
    SEX_LABELS,
    TEMPLATE_HEADERS,
    THEORY_LABELS,
    VARIANTS,
    label_value,
    parse_date,
    rule_values,
)
from dangso.members.synthetic.tree import COMMUNES_TOTAL, ORG_HEADERS, build_tree, write_orgs

__all__ = [
    "COMMUNES_TOTAL",
    "C_ADMISSION",
    "C_BIRTH",
    "C_CARD",
    "C_CCCD",
    "C_CELL",
    "C_ETHNICITY",
    "C_HOMETOWN",
    "C_NAME",
    "C_OFFICIAL",
    "C_QUALIFICATION",
    "C_RELIGION",
    "C_SEX",
    "C_THEORY",
    "DEFECTS",
    "ETHNICITY_LABELS",
    "ORG_HEADERS",
    "QUALIFICATION_LABELS",
    "RELIGION_LABELS",
    "SEX_LABELS",
    "TEMPLATE_HEADERS",
    "THEORY_LABELS",
    "VARIANTS",
    "GenerateReport",
    "MemberOptions",
    "build_tree",
    "label_value",
    "manifest_path",
    "parse_date",
    "rule_values",
    "to_tcvn3",
    "to_vni",
    "write_members",
    "write_orgs",
]  # fmt: skip
