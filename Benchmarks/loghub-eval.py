#!/usr/bin/env python3
"""Grouping and parsing accuracy of `inquest patterns` on the Loghub-2k sets, beside drain3.

Usage: Benchmarks/loghub-eval.py [--inquest PATH] [--loghub DIR] [--drain3] [--sets A|B|all|NAME,...]
                                 [--sample N [--seeds K]] [--json] [--averages-only]

For each labelled set, runs
    inquest patterns --assign --output ndjson NAME_2k.content.txt   (each line's pattern ID)
    inquest patterns --output json NAME_2k.content.txt              (each ID's template)
and scores them against the labels:
- original labels: EventId/EventTemplate of NAME_2k.log_structured.csv (16 sets);
- corrected labels (Loghub-2.0): NAME_2k.log_structured_corrected.csv (14 sets; not
  Android, Windows), joined on LineId.
Grouping accuracy (GA): a message is correct when the set of messages grouped with it
equals the set sharing its label; GA is the share of correct messages. Parsing accuracy
(PA, Loghub-2.0's definition): the share of messages whose template string equals the
labelled EventTemplate exactly (runs of spaces collapsed on both sides).
All sets run with the same default settings.

--sample N scores a random N of each set's lines instead (their order kept), averaged
over K draws (--seeds, default 5): how the miner holds when a template has few
messages to learn from, as in small or unfamiliar logs.

Sets: half A and half B. Issue 14 was first developed on half A with half B held out
(only its averages looked at), then swapped: developed on half B with half A held out.
See Benchmarks/README.md.
"""
import argparse, collections, csv, json, os, random, re, subprocess, sys, tempfile

ALL = ("HDFS Hadoop Spark Zookeeper BGL HPC Thunderbird Windows Linux Android "
       "HealthApp Apache Proxifier OpenSSH OpenStack Mac").split()
HALF_A = "HDFS Hadoop Spark Zookeeper BGL HPC Thunderbird".split()
HALF_B = "Linux Mac OpenSSH OpenStack Proxifier Apache HealthApp".split()
NO_CORRECTED = {"Android", "Windows"}

csv.field_size_limit(1 << 24)


def spaces(s):
    return re.sub(r"\s+", " ", s).strip()


def load(root, name, corrected):
    suffix = "_corrected" if corrected else ""
    with open(f"{root}/{name}/{name}_2k.log_structured{suffix}.csv", encoding="utf-8", errors="replace") as f:
        rows = list(csv.DictReader(f))
    # Join on LineId (line N of content.txt is LineId N).
    ids = [None] * 2000
    templates = [None] * 2000
    for r in rows:
        i = int(r["LineId"]) - 1
        ids[i] = r["EventId"]
        templates[i] = spaces(r["EventTemplate"])
    return ids, templates


def grouping_accuracy(pred, truth):
    size = collections.Counter(truth)
    clusters = collections.defaultdict(list)
    for i, p in enumerate(pred):
        clusters[p].append(i)
    correct = 0
    for idx in clusters.values():
        ids = {truth[i] for i in idx}
        if len(ids) == 1 and size[truth[idx[0]]] == len(idx):
            correct += len(idx)
    return correct / len(truth)


def parsing_accuracy(pred_templates, truth_templates):
    ok = sum(1 for p, t in zip(pred_templates, truth_templates) if spaces(p) == t)
    return ok / len(truth_templates)


def inquest(binary, path, n):
    out = subprocess.run([binary, "patterns", "--assign", "--output", "ndjson", path],
                         capture_output=True, text=True, check=True).stdout
    doc = json.loads(subprocess.run([binary, "patterns", "--output", "json", "--limit", "0", path],
                                    capture_output=True, text=True, check=True).stdout)
    template = {p["id"]: p["template"] for p in doc["patterns"]}
    pred = [None] * n
    for line in out.splitlines():
        r = json.loads(line)
        pred[r["line"] - 1] = r["pattern"]
    # A line inquest did not read (none expected) is its own group: it can only lose.
    groups = [p if p is not None else f"missing-{i}" for i, p in enumerate(pred)]
    return groups, [template.get(p, "") for p in groups]


def drain3(path):
    from drain3 import TemplateMiner
    miner = TemplateMiner()
    with open(path, encoding="utf-8", errors="replace") as f:
        ids = [miner.add_log_message(line.rstrip("\n"))["cluster_id"] for line in f]
    template = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    return ids, [template[i] for i in ids]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--inquest", default=os.path.join(here, "..", ".build", "release", "inquest"))
    ap.add_argument("--loghub", default=os.path.join(here, "..", "..", "shared", "loghub"))
    ap.add_argument("--drain3", action="store_true", help="also score drain3 with its default settings")
    ap.add_argument("--sets", default="all", help="A, B, all (the 16 sets) or a comma-separated list")
    ap.add_argument("--averages-only", action="store_true", help="print only the averages (for the held-out half)")
    ap.add_argument("--sample", type=int, default=0, help="score a random N lines of each set (order kept)")
    ap.add_argument("--seeds", type=int, default=5, help="draws averaged with --sample")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.loghub):
        sys.exit(f"no Loghub sets at {args.loghub}")
    sets = {"A": HALF_A, "B": HALF_B, "all": ALL}.get(args.sets) or args.sets.split(",")
    tools = ["inquest"] + (["drain3"] if args.drain3 else [])
    rows = []
    for name in sets:
        path = f"{args.loghub}/{name}/{name}_2k.content.txt"
        truth_id, truth_t = load(args.loghub, name, False)
        fixed = None if name in NO_CORRECTED else load(args.loghub, name, True)
        row = {"set": name}
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")[:len(truth_id)]
        draws = [list(range(len(truth_id)))] if args.sample <= 0 else \
            [sorted(random.Random(seed).sample(range(len(truth_id)), min(args.sample, len(truth_id))))
             for seed in range(args.seeds)]
        for tool in tools:
            for keep in draws:
                with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as tmp:
                    if args.sample > 0:
                        tmp.write("".join(lines[i] + "\n" for i in keep))
                        tmp.flush()
                    source = path if args.sample <= 0 else tmp.name
                    groups, templates = inquest(args.inquest, source, len(keep)) if tool == "inquest" else drain3(source)
                pick = lambda xs: [xs[i] for i in keep]
                scores = {"GA": grouping_accuracy(groups, pick(truth_id)), "PA": parsing_accuracy(templates, pick(truth_t))}
                if fixed:
                    scores["GA*"] = grouping_accuracy(groups, pick(fixed[0]))
                    scores["PA*"] = parsing_accuracy(templates, pick(fixed[1]))
                for m, v in scores.items():
                    row[f"{tool} {m}"] = row.get(f"{tool} {m}", 0) + v / len(draws)
        rows.append(row)
    cols = [f"{t} {m}" for t in tools for m in ("GA", "PA", "GA*", "PA*")]
    avg = {}
    for c in cols:
        vals = [r[c] for r in rows if c in r]
        avg[c] = sum(vals) / len(vals) if vals else float("nan")
    if args.json:
        print(json.dumps({"sets": [] if args.averages_only else rows, "average": avg}))
        return
    print("GA, PA: original labels; GA*, PA*: corrected (Loghub-2.0) labels, averaged over the sets that have them")
    print(f"{'set':<12}" + "".join(f"{c:>12}" for c in cols))
    if not args.averages_only:
        for r in rows:
            print(f"{r['set']:<12}" + "".join(f"{r[c]:>12.3f}" if c in r else f"{'-':>12}" for c in cols))
    print(f"{'average':<12}" + "".join(f"{avg[c]:>12.4f}" for c in cols))


if __name__ == "__main__":
    main()
