"""/api/v1/search: the `origin` filter, and the hits found counted by facet (`found`, `facets`)
beside the fields the API always answered."""

from __future__ import annotations

from tests.entities.partners import add, share_call_and_payment
from tests.entities.test_api import CASE, bearer

FIELDS = {"items", "candidates"}
HIT_FIELDS = {
    "id",
    "schema",
    "caption",
    "case_id",
    "origin",
    "tlp",
    "score",
    "matched",
    "properties",
}


def counts(facet: list[dict[str, object]]) -> dict[object, object]:
    return {f["value"]: f["count"] for f in facet}


def test_origin_filter_and_facets(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    share_call_and_payment(a, b, to_a, to_b)
    hb, _ = bearer(b, "investigator", "inv@b.example")
    cid = to_b.post("/api/v1/cases", headers=hb, json=CASE).json()["id"]
    add(to_b, hb, cid, "Person", name=["Tariq Mehmood"], nationality=["tr"])

    got = to_b.get("/api/v1/search", params={"q": "Tariq Mehmood"}, headers=hb).json()
    # The answer keeps every field it had; `found` and `facets` are added.
    assert FIELDS | {"found", "facets"} == set(got)
    assert all(set(h) == HIT_FIELDS for h in got["items"])
    assert got["found"] == 2 and len(got["items"]) == 2
    facets = got["facets"]
    assert set(facets) == {"schema", "country", "case", "origin"}
    assert counts(facets["schema"]) == {"Person": 2}
    assert counts(facets["country"]) == {"pk": 1, "tr": 1}
    assert counts(facets["case"]) == {cid: 1}
    assert counts(facets["origin"]) == {a.id: 1, b.id: 1}

    # `origin` narrows to a partner's entities, or (this node's id) to our own.
    theirs = to_b.get(
        "/api/v1/search", params={"q": "Tariq Mehmood", "origin": a.id}, headers=hb
    ).json()
    assert [h["origin"] for h in theirs["items"]] == [a.id]
    assert counts(theirs["facets"]["origin"]) == {a.id: 1} and theirs["facets"]["case"] == []
    ours = to_b.get(
        "/api/v1/search", params={"q": "Tariq Mehmood", "origin": b.id}, headers=hb
    ).json()
    assert [h["case_id"] for h in ours["items"]] == [cid]
    unknown = to_b.get(
        "/api/v1/search", params={"q": "Tariq Mehmood", "origin": "x" * 26}, headers=hb
    ).json()
    assert unknown["items"] == [] and unknown["found"] == 0
    r = to_b.get("/api/v1/search", params={"q": "Tariq", "origin": "x" * 65}, headers=hb)
    assert r.status_code == 422

    # Facets count every hit found, not only the `limit` answered.
    one = to_b.get("/api/v1/search", params={"q": "Tariq Mehmood", "limit": 1}, headers=hb).json()
    assert len(one["items"]) == 1 and one["found"] == 2
    assert counts(one["facets"]["origin"]) == {a.id: 1, b.id: 1}

    # Only what the caller may see is counted: a colleague outside the case.
    other, _ = bearer(b, "investigator", "other@b.example")
    theirs = to_b.get("/api/v1/search", params={"q": "Tariq Mehmood"}, headers=other).json()
    assert theirs["found"] == 1 and theirs["facets"]["case"] == []
    assert counts(theirs["facets"]["country"]) == {"pk": 1}
