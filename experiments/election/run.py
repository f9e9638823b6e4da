"""State-by-state election forecast from silicon votes: raw, post-stratified, calibrated MRP.

One command:

    python experiments/election/run.py --year 2016
    python experiments/election/run.py --year 2012

Inputs (all parameters): the year, the silicon file (ANES x GPT-3 probabilities, Argyle et al.
2023), the gold file (the same respondents' real votes by default), the frame (ACS 2018 state
tables, CVAP by default) and the MEDSL returns. Methods: raw silicon vote counts (as in the
seed paper), silicon post-stratified to the frame, and the MRP of gold votes with the silicon
prediction as a predictor at several gold sizes (plus the same MRP without silicon). Writes
``experiments/results/election_<year>.md`` and ``election_<year>.png``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from inputs import electors, read_silicon_gold, real_results

from calib.correct.bayes_sampling import resolve_sampler
from calib.forecast.frames import build_state_frames
from calib.forecast.mrp import SiliconMRP, turnout_by_cell
from calib.forecast.poststrat import cell_table
from calib.forecast.scoring import paper_states, score_forecast
from calib.forecast.silicon import (
    SiliconCellModel,
    poststratified_silicon_forecast,
    raw_silicon_forecast,
)
from calib.standard import STATE_REGION

VARIABLES = ("race5", "sex", "age_b15001_5")
ROOT = Path(__file__).resolve().parents[2]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--year", type=int, default=2016)
    p.add_argument("--silicon", type=Path, default=None, help="ANES x GPT-3 csv (silicon)")
    p.add_argument("--gold", type=Path, default=None, help="gold respondents csv (default: same)")
    p.add_argument("--data-dir", type=Path, default=None, help="raw data dir (MEDSL, Census)")
    p.add_argument("--population", choices=["cvap", "adult", "likely_voters"], default="cvap")
    p.add_argument("--gold-sizes", default="300,1000,all")
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--tune", type=int, default=1000)
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--frame-replicates", type=int, default=20)
    p.add_argument("--frame-seed", choices=["copula", "uniform"], default="copula")
    p.add_argument("--n-boot", type=int, default=200)
    p.add_argument("--seed", type=int, default=20240)
    p.add_argument("--no-ablation", action="store_true", help="skip the MRP without silicon")
    p.add_argument("--out", type=Path, default=ROOT / "experiments" / "results")
    return p.parse_args(argv)


def _row(method: str, n_gold: object, fc, truth: dict, seconds: float | None) -> dict:
    real, nat, ev = truth["share"], truth["national"], truth["ev_dem"]
    s48 = score_forecast(fc, real, paper_states(fc.states), real_national=nat, real_ev=ev)
    s51 = score_forecast(fc, real, real_national=nat, real_ev=ev)
    return {
        "method": method,
        "n_gold": n_gold,
        "called (48)": f"{s48['called']}/{s48['n_states']}",
        "called (51)": f"{s51['called']}/{s51['n_states']}",
        "MAE": s51["mae"],
        "bias": s51["bias"],
        "MAE (48)": s48["mae"],
        "90% cover": s51["coverage"],
        "Brier": s51["brier"],
        "EV error": s51["ev_error"],
        "national err": s51["national_error"],
        "converged": fc.diagnostics.get("converged", ""),
        "beta_silicon": "",
        "kappa_silicon": "",
        "seconds": seconds,
    }


def _markdown(table: pd.DataFrame) -> str:
    def fmt(v: object) -> str:
        if isinstance(v, float):
            return "" if np.isnan(v) else f"{v:.3f}"
        return str(v)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    for rec in table.itertuples(index=False):
        lines.append("| " + " | ".join(fmt(v) for v in rec) + " |")
    return "\n".join(lines)


def _figure(forecasts: dict, real: pd.Series, path: Path, year: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = real.sort_values().index.tolist()
    fig, axes = plt.subplots(len(forecasts), 1, figsize=(13, 2.6 * len(forecasts)), sharex=True)
    axes = np.atleast_1d(axes)
    x = np.arange(len(order))
    for ax, (name, fc) in zip(axes, forecasts.items(), strict=True):
        frame = fc.to_frame(0.1).loc[order]
        ax.axhline(0.5, color="grey", lw=0.6)
        err = np.vstack([frame["point"] - frame["lower"], frame["upper"] - frame["point"]])
        if fc.has_draws:
            ax.errorbar(x, frame["point"], yerr=err, fmt="o", ms=3, lw=1, label="forecast, 90%")
        else:
            ax.plot(x, frame["point"], "o", ms=3, label="forecast")
        ax.plot(x, real.loc[order], "k_", ms=9, mew=2, label=f"real {year}")
        ax.set_ylabel("Dem two-party")
        ax.set_title(name, fontsize=9, loc="left")
        ax.set_ylim(0.1, 1.0)
    axes[0].legend(fontsize=7, ncol=2, loc="upper left")
    axes[-1].set_xticks(x, order, rotation=90, fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    args = parse_args(argv)
    t_start = time.perf_counter()
    frame_pop = "adult" if args.population == "adult" else "cvap"
    frame = build_state_frames(
        data_dir=args.data_dir,
        population=frame_pop,
        n_replicates=args.frame_replicates,
        random_state=args.seed,
        seed=None if args.frame_seed == "uniform" else "copula",
    )
    cells, reps = cell_table(frame, VARIABLES, replicates=True)
    t_frame = time.perf_counter() - t_start
    states = frame.states
    ev = [electors(args.year)[s] for s in states]

    silicon = read_silicon_gold(args.year, args.silicon)
    gold_all = read_silicon_gold(args.year, args.gold or args.silicon)
    pool = gold_all[gold_all["vote_dem"].notna()].reset_index(drop=True)
    truth = real_results(args.year, args.data_dir)
    real, real_nat = truth["share"], truth["national"]
    prev = real_results(args.year - 4, args.data_dir)["share"]
    state_info = pd.DataFrame({"region": pd.Series(dict(STATE_REGION)), "prev_dem_share": prev})

    turnout = None
    population = {
        "cvap": "citizens 18+ (ACS 2018 CVAP frame)",
        "adult": "residents 18+ (ACS 2018 frame)",
        "likely_voters": "likely voters: CVAP frame x turnout modelled from ANES reported vote",
    }[args.population]
    if args.population == "likely_voters":
        turnout = turnout_by_cell(gold_all[gold_all["voted"].notna()], cells, VARIABLES)

    forecasts: dict[str, object] = {}
    rows = []
    t0 = time.perf_counter()
    raw = raw_silicon_forecast(silicon, states, electoral_votes=ev)
    rows.append(_row("silicon raw counts", 0, raw, truth, time.perf_counter() - t0))
    forecasts["silicon raw counts (no interval)"] = raw

    t0 = time.perf_counter()
    ps_cells = cells.copy()
    if turnout is not None:
        ps_cells["count"] = ps_cells["count"] * turnout
    ps = poststratified_silicon_forecast(
        silicon,
        ps_cells,
        VARIABLES,
        n_boot=args.n_boot,
        random_state=args.seed,
        electoral_votes=ev,
        population=population,
    )
    rows.append(_row("silicon post-stratified", 0, ps, truth, time.perf_counter() - t0))
    forecasts["silicon post-stratified (persona bootstrap)"] = ps

    s_cells = SiliconCellModel(VARIABLES).fit(silicon).predict(cells)
    sizes = [len(pool) if s == "all" else int(s) for s in args.gold_sizes.split(",")]
    variants = [True] if args.no_ablation else [True, False]
    frame_effect: dict[int, float] = {}
    for n in sizes:
        gold = pool.sample(n=min(n, len(pool)), random_state=args.seed)
        for use_silicon in variants:
            t0 = time.perf_counter()
            model = SiliconMRP(
                VARIABLES,
                draws=args.draws,
                tune=args.tune,
                chains=args.chains,
                random_state=args.seed,
                use_silicon=use_silicon,
            ).fit(gold, cells, s_cells, state_info)
            fc = model.forecast(ev, turnout=turnout, replicate_counts=reps, population=population)
            secs = time.perf_counter() - t0
            name = "MRP + silicon" if use_silicon else "MRP, no silicon"
            row = _row(name, len(gold), fc, truth, secs)
            if use_silicon:
                beta = model.idata_.posterior["beta_silicon"].to_numpy().ravel()
                lo, hi = np.quantile(beta, [0.05, 0.95])
                row["beta_silicon"] = f"{beta.mean():.2f} [{lo:.2f}, {hi:.2f}]"
                kappa = model.idata_.posterior["kappa_silicon"].to_numpy().ravel()
                lo, hi = np.quantile(kappa, [0.05, 0.95])
                row["kappa_silicon"] = f"{kappa.mean():.2f} [{lo:.2f}, {hi:.2f}]"
            rows.append(row)
            if use_silicon:
                fixed = model.forecast(ev, turnout=turnout, population=population)
                w_rep = np.diff(fc.conf_int(0.1).to_numpy(), axis=1).ravel()
                w_fix = np.diff(fixed.conf_int(0.1).to_numpy(), axis=1).ravel()
                frame_effect[len(gold)] = float(np.median(w_rep / w_fix))
            if n == sizes[-1] or n == sizes[0]:
                forecasts[f"{name}, n_gold={len(gold)}"] = fc
            print(f"{name} n={len(gold)}: {secs:.1f}s {model.diagnostics_}", flush=True)

    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"election_{args.year}" + ("" if args.population == "cvap" else f"_{args.population}")
    fig_path = args.out / f"{stem}.png"
    _figure(forecasts, real, fig_path, args.year)
    total = time.perf_counter() - t_start
    md = [
        f"# Election {args.year}: silicon forecasts vs calibrated MRP, scored against MEDSL",
        "",
        f"Command: `python experiments/election/run.py --year {args.year}"
        + (f" --population {args.population}" if args.population != "cvap" else "")
        + "`",
        "",
        f"- Population: {population}. Frame: ACS 2018 1-year state tables, "
        f"{frame.provenance['method']} ({args.frame_seed}), "
        f"{args.frame_replicates} margin-of-error replicates propagated into the MRP draws; "
        f"built in {t_frame:.0f}s. Note: the frame is 2018, the election {args.year}.",
        f"- Silicon: GPT-3 two-party probabilities for {len(silicon)} ANES {args.year} "
        f"respondents (Argyle et al. 2023; {silicon.attrs['dropped']} dropped for missing "
        "state/race/sex/age). Gold: real two-party votes of the same survey's voters "
        f"({len(pool)} available), subsampled without replacement with seed {args.seed}.",
        f"- Cells: state x {' x '.join(VARIABLES)}; state predictors: Census region, "
        f"{args.year - 4} Democratic two-party share (MEDSL).",
        f"- Sampler: {resolve_sampler('auto')} NUTS on the PyMC model "
        "(calib.correct.bayes_sampling; compiled once per model structure), "
        f"{args.chains} chains x {args.draws} draws "
        f"({args.tune} tune), "
        f"seed {args.seed}; bootstrap {args.n_boot} for post-stratified silicon.",
        f"- Real: MEDSL {args.year} Democratic two-party share (national {real_nat:.4f}); "
        f"electoral votes {args.year} (calib.sources.electoral); the forecasts give all of a "
        f"state's electors to its winner; the real count is the pledged electors "
        f"({truth['ev_dem']:.0f} Democratic, ME/NE splits as certified).",
        "- Scores on all 51 (50 states + DC) unless marked (48) = the paper's states (no AK, HI, "
        "DC). bias = mean(forecast - real); 90% cover = share of real results inside the 90% "
        "interval; Brier of win probabilities; EV error = forecast mean Democratic EV - real; "
        "beta_silicon / kappa_silicon = posterior mean [90% interval] of the slopes of the "
        "silicon's within-state contrast (cell level) and of its state lean (state level), "
        "logit scale.",
        "",
        _markdown(table),
        "",
        "Frame uncertainty: median ratio of the 90% interval widths of MRP + silicon with the "
        "frame's MOE replicates to those with the point frame: "
        + ", ".join(f"n_gold={k}: {v:.4f}" for k, v in frame_effect.items())
        + ".",
        "",
        f"Runtime: frame {t_frame:.1f}s; whole run {total:.0f}s on this machine "
        "(2 cores shared with other jobs). One MRP forecast = the `seconds` column.",
        "",
        f"![per-state forecasts]({stem}.png)",
        "",
    ]
    (args.out / f"{stem}.md").write_text("\n".join(md))
    print(table.to_string())
    return table


if __name__ == "__main__":
    main()
