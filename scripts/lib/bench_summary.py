#!/usr/bin/env python3
"""bench_summary.py: the tables and the plot of scripts/bench-sysbench.sh.

    bench_summary.py RAW_TSV ROUNDS SECONDS OUT_DIR

RAW_TSV rows: round, workload, threads, configuration, tps, p95 (ms).
Ratios are taken per round against that round's baseline at the same
(workload, threads), then summarised as min / median / max over the rounds:
the spread is the machine's noise. Prints Markdown; writes OUT_DIR/sweep.dat
and OUT_DIR/sweep.gp (gnuplot: median ratio against threads, one line per
configuration, one panel per workload, to OUT_DIR/sweep.svg).
"""
import statistics
import sys

CONFIGS = ["baseline", "lockdiag", "lockdiag_off", "server_audit", "perfschema"]


def main():
    raw, rounds, secs, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    by = {}
    for line in open(raw).read().splitlines():
        if not line:
            continue
        r, w, t, c, tps, p95 = line.split("\t")
        by.setdefault((w, int(t), c), {})[r] = (float(tps or 0), float(p95 or 0))
    workloads = sorted({w for w, _, _ in by})
    threads = sorted({t for _, t, _ in by})
    configs = [c for c in CONFIGS if any(k[2] == c for k in by)]

    print(f"sysbench 1.0.20, 4 tables x 10,000 rows, {secs} s per run, {rounds} rounds, "
          "configurations rotating in each round")
    print()
    print("| workload | threads | configuration | tps (median) | ratio min | **ratio median** | ratio max "
          "| p95 ms (median) | p95 ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    plot = {}
    for w in workloads:
        for t in threads:
            base = by.get((w, t, "baseline"), {})
            for c in configs:
                v = by.get((w, t, c))
                if not v:
                    continue
                ratios = [v[r][0] / base[r][0] for r in v if r in base and base[r][0]]
                p95s = [v[r][1] / base[r][1] for r in v if r in base and base[r][1]]
                tps = statistics.median(x[0] for x in v.values())
                p95 = statistics.median(x[1] for x in v.values())
                if not ratios:
                    continue
                med = statistics.median(ratios)
                plot[(w, t, c)] = med
                bold = "**" if c == "lockdiag" else ""
                print(f"| {w} | {t} | {bold}{c}{bold} | {tps:,.0f} | {min(ratios):.3f} | {bold}{med:.3f}{bold} "
                      f"| {max(ratios):.3f} | {p95:.2f} | {statistics.median(p95s) if p95s else 0:.3f} |")

    # The compact view: one row per point, the median ratio of each
    # configuration (lockdiag's with its per-round range), lockdiag's p95 ratio.
    print()
    others = [c for c in configs if c not in ("baseline", "lockdiag")]
    print("| workload | threads | baseline tps | **lockdiag** (min-max) | lockdiag p95 ratio | "
          + " | ".join(others) + " |")
    print("|---|---|---|---|---|" + "---|" * len(others))
    for w in workloads:
        for t in threads:
            base = by.get((w, t, "baseline"), {})
            v = by.get((w, t, "lockdiag"), {})
            ratios = [v[r][0] / base[r][0] for r in v if r in base and base[r][0]]
            p95s = [v[r][1] / base[r][1] for r in v if r in base and base[r][1]]
            if not ratios or not base:
                continue
            btps = statistics.median(x[0] for x in base.values())
            cells = [f"{plot[(w, t, c)]:.3f}" if (w, t, c) in plot else "" for c in others]
            print(f"| {w} | {t} | {btps:,.0f} | **{statistics.median(ratios):.3f}** ({min(ratios):.3f}-{max(ratios):.3f}) "
                  f"| {statistics.median(p95s) if p95s else 0:.3f} | " + " | ".join(cells) + " |")

    # One data block per workload; columns: threads, then one per configuration.
    with open(f"{out}/sweep.dat", "w") as f:
        for w in workloads:
            f.write(f"# {w}\n# threads " + " ".join(configs) + "\n")
            for t in threads:
                f.write(f"{t} " + " ".join(f"{plot.get((w, t, c), float('nan')):.4f}" for c in configs) + "\n")
            f.write("\n\n")
    with open(f"{out}/sweep.gp", "w") as g:
        g.write(f"""set terminal svg size 1000,760 dynamic font 'sans,11' background '#ffffff'
set output '{out}/sweep.svg'
set termoption noenhanced
set multiplot layout 2,2 title 'Throughput relative to no plugin (median of per-round ratios), {rounds} rounds x {secs} s'
set logscale x 2
set xtics ({", ".join(f'"{t}" {t}' for t in threads)})
set xlabel 'client threads'
set ylabel 'tps / tps without plugin'
set yrange [0.5:1.1]
set grid
set key bottom left
""")
        for i, w in enumerate(workloads):
            g.write(f"set title '{w}'\n")
            cols = ", ".join(
                f"'{out}/sweep.dat' index {i} using 1:{j + 2} with linespoints lw 2 title '{c}'"
                for j, c in enumerate(configs)
                if c != "baseline"
            )
            g.write(f"plot 1 with lines dt 2 lc 'gray' notitle, 0.98 with lines dt 3 lc 'black' title 'target 0.98', {cols}\n")
        g.write("unset multiplot\n")


if __name__ == "__main__":
    main()
