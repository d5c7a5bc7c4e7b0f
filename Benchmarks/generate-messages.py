#!/usr/bin/env python3
"""Writes N log messages (default 1,000,000), one a line, for the patterns benchmark.

The messages are the 32,000 real lines of the 16 Loghub-2k sets, cycled, with every
digit redrawn on each pass, so templates recur as in a real archive while the
variable values keep changing. Reproducible (fixed seed).

Usage: Benchmarks/generate-messages.py OUT [N] [LOGHUB_DIR]
"""
import os, random, sys

SETS = ("HDFS Hadoop Spark Zookeeper BGL HPC Thunderbird Windows Linux Android "
        "HealthApp Apache Proxifier OpenSSH OpenStack Mac").split()

def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "..", "shared", "loghub")
    lines = []
    for s in SETS:
        with open(f"{root}/{s}/{s}_2k.content.txt", encoding="utf-8", errors="replace") as f:
            lines += [l.rstrip("\n") for l in f]
    rng = random.Random(7)
    digits = "0123456789"
    with open(out, "w", encoding="utf-8") as f:
        written = 0
        while written < n:
            for l in lines:
                if written == n:
                    break
                if written >= len(lines):
                    l = "".join(rng.choice(digits) if c.isdigit() else c for c in l)
                f.write(l + "\n")
                written += 1

if __name__ == "__main__":
    main()
