#!/usr/bin/env python3
"""Report to release latency, read from a ledger export (docs/performance.md, "National scale").

    bench/report_latency.py LEDGER.jsonl

For every figure event on the ledger (a first or final alignment, a hotline entry, a tie
outcome, a correction), the time from its acknowledgement (the event's time) to the
release-published event of the first release that contains it (the first whose ledger_seq is
at or after the event's seq). Prints the count, p50, p90, p99 and max, as
bench/release_latency.sh does for Iowa through the API. `canvass ledger export --store DB`
writes the export; with the each-report policy this is the issue's "report -> release" figure.
Times are the server's own clock on both sides; the event's time is when it was acknowledged.
"""
import bisect
import json
import sys
from datetime import datetime, timezone

FIGURE_EVENTS = {"first-alignment-reported", "final-alignment-reported", "hotline-entry",
                 "tie-outcome-recorded", "report-corrected"}


def seconds(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc).timestamp()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report_latency.py LEDGER.jsonl")
    reports, releases = [], []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            if e["type"] in FIGURE_EVENTS:
                reports.append((e["seq"], seconds(e["time"])))
            elif e["type"] == "release-published":
                releases.append((e["payload"]["ledger_seq"], seconds(e["time"])))
    releases.sort()
    covered = [r[0] for r in releases]
    latencies, missing = [], 0
    for seq, at in reports:
        k = bisect.bisect_left(covered, seq)
        if k == len(releases):
            missing += 1
        else:
            latencies.append(releases[k][1] - at)
    if not latencies:
        sys.exit(f"no figure event is in a release ({len(reports)} figure events)")
    latencies.sort()

    def ms(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(f"report -> release: {len(latencies)} figure events in {len(releases)} releases, "
          f"p50 {ms(0.50):.0f} ms, p90 {ms(0.90):.0f} ms, p99 {ms(0.99):.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms" +
          (f"; {missing} in no release" if missing else ""))


if __name__ == "__main__":
    main()
