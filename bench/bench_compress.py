"""Compression table of a finished classifier run, for the README: the same measurement as
``python -m deeparch compress RUN --prune S --int8``, with the machine's load before and after.

    flock /tmp/deeparch-bench.lock python3 bench/bench_compress.py --store STORE RUN [--prune 0.5] [--threads 1]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deeparch import cli  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("run")
    p.add_argument("--store", required=True)
    p.add_argument("--prune", default="0.5")
    p.add_argument("--scope", default="global")
    p.add_argument("--threads", default="1")
    p.add_argument("--repeats", default="100")
    a = p.parse_args()
    print(f"load before: {os.getloadavg()}")
    rc = cli.main(["--store", a.store, "compress", a.run, "--prune", a.prune, "--scope", a.scope, "--int8",
                   "--threads", a.threads, "--repeats", a.repeats])
    print(f"load after: {os.getloadavg()}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
