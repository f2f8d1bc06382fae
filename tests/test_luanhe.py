"""The founding example: every cell of the 灤河回族区 2023 report, its metadata and checks."""

from pipeline.api import extract_file
from pipeline.normalise.names import name_key

ZERO6 = dict(commercial=0, research=0, public_interest=0, legal_services=0, other_org=0)


def app(n: int) -> dict:
    return dict(natural_person=n, **ZERO6, total=n)


EXPECTED_APPLICATIONS = {
    "new_received": app(78),
    "carried_over": app(0),
    "granted": app(43),
    "partially_granted": app(0),
    "denied_state_secret": app(0),
    "denied_prohibited": app(0),
    "denied_security": app(0),
    "denied_third_party": app(0),
    "denied_internal": app(0),
    "denied_process": app(0),
    "denied_enforcement_file": app(0),
    "denied_query": app(0),
    "unavailable_not_held": app(17),
    "unavailable_needs_creation": app(0),
    "unavailable_unclear": app(0),
    "not_processed_petition": app(0),
    "not_processed_repeat": app(0),
    "not_processed_publication": app(0),
    "not_processed_excessive": app(0),
    "not_processed_confirmation": app(0),
    "other_no_correction": app(4),
    "other_no_fee": app(0),
    "other_other": app(7),
    "other": app(11),  # derived: the 2021 format prints 其他处理 as three rows
    "total_processed": app(71),
    "carried_forward": app(7),
}
EXPECTED_PROACTIVE = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative_documents": {"issued": 6, "repealed": 2, "in_force": 11},
    "licensing": {"decisions": 20538},
    "penalty": {"decisions": 399},
    "coercion": {"decisions": 4},
    "fees": {"amount": 621.952},
}
EXPECTED_APPEALS = {
    "reconsideration": {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1},
    "litigation_direct": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
    "litigation_after_reconsideration": {
        "upheld": 0,
        "corrected": 0,
        "other": 0,
        "pending": 0,
        "total": 0,
    },
}


def test_every_cell_of_the_three_tables(luanhe_path):
    j = extract_file(luanhe_path).to_json()
    assert j["error"] is None
    assert j["proactive"] == EXPECTED_PROACTIVE
    assert j["applications"] == EXPECTED_APPLICATIONS
    assert j["appeals"] == EXPECTED_APPEALS


def test_fee_amount_keeps_its_decimals(luanhe_path):
    r = extract_file(luanhe_path)
    cell = r.tables["proactive"]["fees"]["amount"]
    assert str(cell.value) == "621.952" and cell.raw == "621.952"


def test_metadata(luanhe_path):
    j = extract_file(luanhe_path).to_json()
    assert j["title"] == "灤河回族区人民政府 2023 年政府信息公开工作年度报告"
    assert j["year"] == 2023
    assert j["format"] == "2021"
    assert j["issuer"] == "灤河回族区人民政府"
    # the report speaks for the district: 全区共受理政府信息公开申请78项 (its table's 78), and it
    # directs the district's units (指导督促各单位…): an aggregate over the area
    assert j["scope"] == "jurisdiction"
    assert j["jurisdiction"]["name"] == "灤河回族区"
    assert j["jurisdiction"]["name_simplified"] == "滦河回族区"
    assert j["jurisdiction"]["level"] == "county"
    assert j["published_on"] is None


def test_all_checks_pass_and_every_identity_ran(luanhe_path):
    r = extract_file(luanhe_path)
    assert r.checks and all(c.ok for c in r.checks)
    ran = {c.id for c in r.checks}
    assert ran == {
        "applications.balance",
        "applications.row_total",
        "applications.outcome_sum",
        "applications.layout",
        "appeals.row_total",
        "values.types",
        "narrative.applications",
    }
    balance_total = next(
        c for c in r.checks if c.id == "applications.balance" and c.detail.startswith("total")
    )
    assert (balance_total.expected, balance_total.actual) == (78, 78)
    narrative = next(c for c in r.checks if c.id == "narrative.applications")
    assert (narrative.expected, narrative.actual) == (78, 78)


def test_three_spellings_resolve_to_one_issuer(luanhe_path):
    r = extract_file(luanhe_path)
    assert set(r.jurisdiction["aliases"]) == {"灤河区", "漣河区"}
    assert (
        name_key("灤河回族区人民政府")
        == name_key("灤河区")
        == name_key("滦河区")
        == r.issuer_key
        == "滦河区"
    )
    # 漣河区 is a different name on its own; inside this report it is flagged as a slip, not hidden.
    assert name_key("漣河区") != r.issuer_key
    assert any("漣河区" in w and "slip" in w for w in r.warnings)


def test_sections_are_stored(luanhe_path):
    r = extract_file(luanhe_path)
    assert [s.no for s in r.sections] == [0, 1, 2, 3, 4, 5, 6]  # 0: what precedes 一、 (the title)
    assert r.sections[0].body == "灤河回族区人民政府 2023 年政府信息公开工作年度报告"
    assert r.sections[1].heading == "一、总体情况"
    assert r.sections[1].body.startswith("2023 年，灤河区政府坚持")
    assert r.sections[6].body == "全区2023年未收取信息处理费。"
