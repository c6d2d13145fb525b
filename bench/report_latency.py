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
                releases.append((e["payload"]["ledger_seq"], seconds(e["time"]),
                                 e["payload"]["number"]))
    releases.sort()
    covered = [r[0] for r in releases]
    latencies, missing, slowest = [], 0, []
    for seq, at in reports:
        k = bisect.bisect_left(covered, seq)
        if k == len(releases):
            missing += 1
        else:
            latencies.append(releases[k][1] - at)
            slowest.append((releases[k][1] - at, seq, k))
    if not latencies:
        sys.exit(f"no figure event is in a release ({len(reports)} figure events)")
    latencies.sort()

    def per_release(k):  # figure events in releases[k] that releases[k - 1] did not have
        low = releases[k - 1][0]
        return sum(1 for seq, _ in reports if low < seq <= releases[k][0])

    def ms(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(f"report -> release: {len(latencies)} figure events in {len(releases)} releases, "
          f"p50 {ms(0.50):.0f} ms, p90 {ms(0.90):.0f} ms, p99 {ms(0.99):.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms" +
          (f"; {missing} in no release" if missing else ""))
    # The slowest reports, with the release that first held them and the one before it (its
    # ledger position and time): a report acknowledged before a release's position but not in it.
    for wait, seq, k in sorted(slowest, reverse=True)[:3]:
        at = releases[k][1] - wait  # the report's own time
        before = "none"
        if k > 0:
            before = (f"release {releases[k - 1][2]} at seq {releases[k - 1][0]}, "
                      f"{(releases[k - 1][1] - at) * 1000:+.0f} ms")
        print(f"slowest: event {seq} waited {wait * 1000:.0f} ms for release {releases[k][2]} "
              f"(seq {releases[k][0]}); the one before: {before}")
    # Releases under each-report follow one another as soon as the last one is recorded (at most
    # four a second), so the time between two is about how long the second took to build, sign
    # and store: the longest of them are where the slowest reports waited.
    if len(releases) > 2:
        gaps = sorted(((releases[k][1] - releases[k - 1][1], k) for k in range(1, len(releases))),
                      reverse=True)
        times = sorted(g for g, _ in gaps)

        def gap_ms(p):
            return times[min(len(times) - 1, int(p * len(times)))] * 1000

        print(f"between releases: p50 {gap_ms(0.50):.0f} ms, p90 {gap_ms(0.90):.0f} ms, "
              f"p99 {gap_ms(0.99):.0f} ms, max {times[-1] * 1000:.0f} ms; the longest: " +
              ", ".join(f"release {releases[k][2]} {g * 1000:.0f} ms after the one before "
                        f"({per_release(k)} new figure events)" for g, k in gaps[:5]))


if __name__ == "__main__":
    main()
