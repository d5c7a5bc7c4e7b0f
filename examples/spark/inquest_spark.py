#!/usr/bin/env python3
"""Runs inquest over an archive on Apache Spark and merges the partial results.

Each file of the archive is one task: the task writes the file's bytes to a local
temporary file of the same name (so formats, gzip and service names are detected as
for any file) and pipes it through `inquest KIND FILE --partial -`; the driver
collects the partials, orders them as a directory walk would (by path), and runs
`inquest merge`. The result is the one a single run over the whole archive gives.

    python3 examples/spark/inquest_spark.py --inquest .build/release/inquest \\
        --kind patterns SampleData --output json

Local mode (`--master local[*]`, the default) needs `pip install pyspark` and Java 17.
On a cluster: put the archive where every executor can read it (HDFS, S3 —
`--input hdfs:///incidents/2026-11-25/`), ship the inquest binary with
`spark-submit --files inquest` (it is one static-ish executable; build it on the
executors' OS), pass `--inquest ./inquest`, and give `--master yarn` or your
cluster's URL. For `deps`, each file must hold whole traces (as span exports do).
"""
import argparse, os, subprocess, sys, tempfile

SKIP_EXT = {"md", "markdown", "rst", "adoc", "html", "htm", "css", "png", "jpg", "jpeg", "gif", "svg", "ico",
            "pdf", "yaml", "yml", "toml", "ini", "py", "sh", "swift"}


def is_log(path):
    """The files inquest's own directory walk reads (it passes over docs and config)."""
    name = os.path.basename(path)
    upper = name.upper()
    if upper.startswith(("README", "LICENSE", "COPYING")):
        return False
    return "." not in name[1:] or name.rsplit(".", 1)[1].lower() not in SKIP_EXT


def run_task(inquest, kind, path, data):
    """One task: the file's bytes through `inquest KIND FILE --partial -`."""
    with tempfile.TemporaryDirectory(prefix="inquest-task-") as tmp:
        local = os.path.join(tmp, os.path.basename(path))
        with open(local, "wb") as f:
            f.write(data)
        p = subprocess.run([inquest, kind, local, "--partial", "-"], capture_output=True)
        return path, p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input", help="archive directory (local path or a URL Spark reads: hdfs://, s3a://)")
    ap.add_argument("--inquest", default="inquest", help="path of the inquest binary on the executors")
    ap.add_argument("--kind", choices=["report", "patterns", "deps"], default="report")
    ap.add_argument("--output", default="text", help="output of inquest merge")
    ap.add_argument("--master", default="local[*]")
    ap.add_argument("--partitions", type=int, default=0, help="tasks to spread the files over (default: one a file)")
    args = ap.parse_args()

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master(args.master).appName("inquest-" + args.kind)
             .config("spark.ui.enabled", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    source = args.input if "://" in args.input else "file://" + os.path.abspath(args.input)
    # Every file under the archive, recursively, as (path, bytes).
    frame = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(source)
    files = frame.select("path", "content").rdd.map(lambda row: (row[0], bytes(row[1])))
    files = files.filter(lambda kv: is_log(kv[0]))
    if args.partitions:
        files = files.repartition(args.partitions)
    inquest, kind = os.path.abspath(args.inquest) if os.path.exists(args.inquest) else args.inquest, args.kind
    results = files.map(lambda kv: run_task(inquest, kind, kv[0], kv[1])).collect()
    spark.stop()

    status = 0
    with tempfile.TemporaryDirectory(prefix="inquest-parts-") as parts_dir:
        parts = []
        for i, (path, code, out, err) in enumerate(sorted(results)):
            if err.strip():
                sys.stderr.write(err.replace(os.path.basename(path), path, 1))
            if code == 3 or not out.strip():   # nothing of this kind in the file (logs for deps)
                continue
            if code != 0:
                sys.stderr.write(f"inquest_spark: {path}: task exited {code}\n")
                status = 1
                continue
            part = os.path.join(parts_dir, f"part-{i:06d}.json")
            with open(part, "wb") as f:
                f.write(out)
            parts.append(part)
        if not parts:
            sys.stderr.write("inquest_spark: no partial results\n")
            return 3
        merged = subprocess.run([args.inquest if os.path.exists(args.inquest) else "inquest", "merge", "--output", args.output] + parts)
        return merged.returncode or status


if __name__ == "__main__":
    sys.exit(main())
