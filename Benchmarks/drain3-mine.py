#!/usr/bin/env python3
"""drain3 with its default settings over a file of messages, one a line (the peer
for Benchmarks/run-patterns.sh). Prints the number of clusters."""
import sys
from drain3 import TemplateMiner

miner = TemplateMiner()
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        miner.add_log_message(line.rstrip("\n"))
print(len(miner.drain.clusters))
