"""How far two indices agree on the order of countries, year by year (tindex agree).

Each index is ranked so that rank 1 is the best country by that index's own direction (a
lower-is-better score or risk level is flipped; a level index by its position on the
scale), over the countries both cover that year. Spearman's coefficient is the Pearson
correlation of those ranks (ties share the average rank) and Kendall's is tau-b, both
with numpy alone: a positive value always means the two agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tindex.core.model import IndexInfo, Model, year_span
from tindex.core.result import Note, Role, Table
from tindex.errors import UsageError

MIN_COUNTRIES = 4
CONCEPTS = ("The two indices measure different concepts with different sources and methods: "
            "agreement is a check on plausibility, not validation.")
ROLES = {"year": Role.YEAR, "n": Role.INTEGER, "spearman": Role.NUMBER, "kendall": Role.NUMBER,
         "note": Role.TEXT, "caution": Role.TEXT}


def values(model: Model, index: IndexInfo) -> pd.DataFrame:
    """iso3, year, value, source_id, where a higher `goodness` is better."""
    if index.is_score:
        rows = model.scores(index)
        value = rows["score"].astype(float)
    else:
        rows = model.levels(index)
        rows = rows[rows["component"].isna()]
        value = rows["position"].astype(float)
    frame = pd.DataFrame({"iso3": rows["iso3"].astype(str).to_numpy(),
                          "year": rows["year"].astype("int64").to_numpy(),
                          "value": value.to_numpy(),
                          "source_id": rows["source_id"].astype(str).to_numpy()})
    frame = frame[frame["value"].notna()]
    goodness = frame["value"] if index.higher_is_better else -frame["value"]
    return frame.assign(goodness=goodness)


def pairs(model: Model, first: IndexInfo, second: IndexInfo) -> pd.DataFrame:
    """The country-years both indices cover: iso3, year, value_a, value_b, goodness_a/b."""
    a, b = values(model, first), values(model, second)
    return a.merge(b, on=["iso3", "year"], suffixes=("_a", "_b"))


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson correlation of average ranks; None when either side has no variation."""
    rx = pd.Series(x).rank(method="average").to_numpy()
    ry = pd.Series(y).rank(method="average").to_numpy()
    dx, dy = rx - rx.mean(), ry - ry.mean()
    denominator = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    return None if denominator == 0 else float((dx * dy).sum() / denominator)


def kendall(x: np.ndarray, y: np.ndarray) -> float | None:
    """Kendall's tau-b over all pairs (countries number in the hundreds: n^2 is cheap)."""
    sx = np.sign(x[:, None] - x[None, :])
    sy = np.sign(y[:, None] - y[None, :])
    upper = np.triu_indices(len(x), k=1)
    sx, sy = sx[upper], sy[upper]
    tied_x, tied_y = float((sx != 0).sum()), float((sy != 0).sum())
    if tied_x == 0 or tied_y == 0:
        return None
    return float((sx * sy).sum() / np.sqrt(tied_x * tied_y))


def agree(model: Model, first: IndexInfo, second: IndexInfo, year: int | None = None,
          detail: bool = False) -> Table:
    """Per year both cover: n, Spearman and Kendall; with detail, each country's two ranks."""
    if first.id == second.id:
        raise UsageError("give two different indices")
    both = pairs(model, first, second)
    if both.empty:
        raise UsageError(_nothing_in_common(model, first, second))
    years = sorted(int(y) for y in both["year"].unique())
    if year is not None:
        if year not in years:
            raise UsageError(f"{first.id} and {second.id} share no country in {year}; years in "
                             f"common: {year_span(years)}")
        both = both[both["year"] == year]
    notes = [Note(CONCEPTS), *(Note(d) for d in _directions(first, second))]
    if detail:
        return _detail(model, first, second, both, year if year is not None else years[-1], notes)
    rows = []
    for when, group in both.groupby("year", sort=True):
        x, y = group["goodness_a"].to_numpy(), group["goodness_b"].to_numpy()
        n = len(group)
        rho = tau = None
        note = ""
        if n < MIN_COUNTRIES:
            note = f"too few countries in both for a coefficient (at least {MIN_COUNTRIES})"
        else:
            rho, tau = spearman(x, y), kendall(x, y)
            if rho is None:
                note = "no coefficient: one index gives every country the same value"
        rows.append({"year": int(str(when)), "n": n, "spearman": _round(rho), "kendall": _round(tau),
                     "note": note})
    frame = pd.DataFrame(rows, columns=["year", "n", "spearman", "kendall", "note"])
    frame = frame.astype({"spearman": "float64", "kendall": "float64"})
    frame["caution"] = CONCEPTS  # travels with every exported row, CSV and JSON included
    return Table(
        title=f"Agreement of {first.name} ({first.id}) and {second.name} ({second.id}): rank "
              "correlation per year, positive = same order",
        frame=frame, roles=ROLES, notes=notes,
        citations=model.citations([first.source_id, second.source_id,
                                   *both["source_id_a"].unique(), *both["source_id_b"].unique()]))


def _nothing_in_common(model: Model, first: IndexInfo, second: IndexInfo) -> str:
    """Why two indices cannot be compared: the years each covers, and the countries both
    cover in different years (which compare or explain can still set side by side)."""
    a, b = values(model, first), values(model, second)
    spans = "; ".join(f"{index.id}: {year_span(sorted(set(frame['year'].tolist()))) or 'no values'}"
                      for index, frame in ((first, a), (second, b)))
    shared = sorted(set(a["iso3"]) & set(b["iso3"]))
    named = ", ".join(str(name) for name in model.name_of(pd.Series(shared, dtype="str")))
    return (f"{first.id} and {second.id} have no country-year in common ({spans})"
            + (f"; countries in both, in different years: {named}" if shared else ""))


def _detail(model: Model, first: IndexInfo, second: IndexInfo, both: pd.DataFrame, year: int,
            notes: list[Note]) -> Table:
    """One year: each shared country's rank in both (1 = best), largest disagreement first."""
    rows = both[both["year"] == year]
    rank_a = rows["goodness_a"].rank(method="min", ascending=False).astype("int64")
    rank_b = rows["goodness_b"].rank(method="min", ascending=False).astype("int64")
    frame = pd.DataFrame({
        "year": year,
        "country": model.name_of(rows["iso3"]).to_numpy(),
        "iso3": rows["iso3"].to_numpy(),
        f"{first.id}_value": rows["value_a"].to_numpy(),
        f"{first.id}_rank": rank_a.to_numpy(),
        f"{second.id}_value": rows["value_b"].to_numpy(),
        f"{second.id}_rank": rank_b.to_numpy(),
        "rank_difference": (rank_a - rank_b).to_numpy(),
    })
    frame = frame.assign(_size=frame["rank_difference"].abs()).sort_values(
        ["_size", "country"], ascending=[False, True], ignore_index=True).drop(columns="_size")
    frame["caution"] = CONCEPTS
    if rank_a.duplicated().any() or rank_b.duplicated().any():
        notes = [*notes, Note("Tied countries share the best rank of their group, so a rank "
                              "difference can look larger than it is; the coefficients give ties "
                              "their average rank.")]
    roles = {"year": Role.YEAR, "country": Role.LABEL, "iso3": Role.CODE,
             f"{first.id}_value": _value_role(first), f"{first.id}_rank": Role.INTEGER,
             f"{second.id}_value": _value_role(second), f"{second.id}_rank": Role.INTEGER,
             "rank_difference": Role.SIGNED_INTEGER, "caution": Role.TEXT}
    return Table(
        title=f"{first.id} and {second.id} in {year}: ranks among the {len(frame)} countries in "
              "both (1 = best), largest disagreement first",
        frame=frame, roles=roles, notes=notes,
        citations=model.citations([first.source_id, second.source_id,
                                   *rows["source_id_a"].unique(), *rows["source_id_b"].unique()]))


def _value_role(index: IndexInfo) -> Role:
    return Role.NUMBER if index.is_score else Role.ORDER


def _directions(*indices: IndexInfo) -> list[str]:
    return [f"{i.id}: lower is better, so its order is flipped (rank 1 = best in both)."
            for i in indices if not i.higher_is_better]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
