#!/usr/bin/env python3
"""Grouping accuracy of `inquest patterns` on the Loghub-2k sets (and of drain3 when installed).

Usage: Benchmarks/loghub-eval.py [--inquest PATH] [--loghub DIR] [--drain3] [--json]

For each of the 16 labelled sets, runs
    inquest patterns --assign --output ndjson NAME_2k.content.txt
and scores the grouping against the EventId column of NAME_2k.log_structured.csv.
Grouping accuracy (GA): a message is correct when the set of messages grouped with it
equals the set sharing its EventId; GA is the share of correct messages. All sets run
with the same (default) settings.
"""
import argparse, collections, csv, json, os, subprocess, sys

SETS = ("HDFS Hadoop Spark Zookeeper BGL HPC Thunderbird Windows Linux Android "
        "HealthApp Apache Proxifier OpenSSH OpenStack Mac").split()


def load(root, name):
    with open(f"{root}/{name}/{name}_2k.log_structured.csv", encoding="utf-8", errors="replace") as f:
        truth = [row["EventId"] for row in csv.DictReader(f)]
    return truth


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


def inquest(binary, path, n):
    out = subprocess.run([binary, "patterns", "--assign", "--output", "ndjson", path],
                         capture_output=True, text=True, check=True).stdout
    pred = [None] * n
    for line in out.splitlines():
        r = json.loads(line)
        pred[r["line"] - 1] = r["pattern"]
    # A line inquest did not read (none expected) is its own group: it can only lose.
    return [p if p is not None else f"missing-{i}" for i, p in enumerate(pred)]


def drain3(path):
    from drain3 import TemplateMiner
    miner = TemplateMiner()
    with open(path, encoding="utf-8", errors="replace") as f:
        return [miner.add_log_message(line.rstrip("\n"))["cluster_id"] for line in f]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--inquest", default=os.path.join(here, "..", ".build", "release", "inquest"))
    ap.add_argument("--loghub", default=os.path.join(here, "..", "..", "shared", "loghub"))
    ap.add_argument("--drain3", action="store_true", help="also score drain3 with its default settings")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.loghub):
        sys.exit(f"no Loghub sets at {args.loghub}")
    rows = []
    for name in SETS:
        path = f"{args.loghub}/{name}/{name}_2k.content.txt"
        truth = load(args.loghub, name)
        row = {"set": name, "inquest": grouping_accuracy(inquest(args.inquest, path, len(truth)), truth)}
        if args.drain3:
            row["drain3"] = grouping_accuracy(drain3(path), truth)
        rows.append(row)
    avg = {k: sum(r[k] for r in rows) / len(rows) for k in rows[0] if k != "set"}
    if args.json:
        print(json.dumps({"sets": rows, "average": avg}))
        return
    tools = [k for k in rows[0] if k != "set"]
    print(f"{'set':<12}" + "".join(f"{t:>9}" for t in tools))
    for r in rows:
        print(f"{r['set']:<12}" + "".join(f"{r[t]:>9.3f}" for t in tools))
    print(f"{'average':<12}" + "".join(f"{avg[t]:>9.4f}" for t in tools))


if __name__ == "__main__":
    main()
