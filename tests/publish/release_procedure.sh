#!/bin/sh
# Runs docs/releases.md's "check-release" procedure (the shell block after its marker), as
# printed, on release 1 of the Iowa 2020 election (1,765 precincts) published by
# `canvass init --demo` and `canvass publish`: it must accept the site as written, and fail for a
# changed byte of the CDF, of the precincts CSV, of the records, of a parts manifest, of the
# totals CSV and of the release itself. Only N, the block's first line, is set.
#
# Usage: release_procedure.sh CANVASS_BINARY SOURCE_DIR
set -eu
canvass=$1
src=$2
# The block as printed, without its first line (N=...).
. "$src/tests/publish/procedure_block.sh"
procedure_block check-release '^N=[0-9]+$' "$work/procedure.sh"

# run DIR: the procedure in DIR for release 1; prints its output; its exit status.
run() {
  (cd "$1" && N=1 sh -e "$work/procedure.sh") 2>&1
}

"$canvass" init --demo --data "$src/data" --store "$work/night.db" --codes-out "$work/codes.csv" \
  --fast-kdf > /dev/null
"$canvass" publish --store "$work/night.db" --out "$work/site" > /dev/null
site="$work/site"
for f in release-1-cdf.json.parts release-1-precincts.csv.parts release-1-records.jsonl.parts \
  election.pub ledger.jsonl; do
  [ -s "$site/$f" ] || fail "publish wrote no $f"
done

out=$(run "$site") || fail "the procedure refuses the published release: $out"
echo "$out" | grep -q "Signature Verified Successfully" || fail "no signature check: $out"
echo "$out" | grep -q "release-1-totals.csv: OK" || fail "the totals CSV was not checked: $out"
echo "$out" | grep -Eq "release-1-cdf.json: OK, [0-9]+ bytes in [0-9]+ parts" ||
  fail "the CDF was not checked part by part: $out"
echo "$out" | grep -Eq "release-1-precincts.csv: OK, [0-9]+ bytes in [0-9]+ parts" ||
  fail "the precincts CSV was not checked part by part: $out"
echo "$out" | grep -Eq "release-1-records.jsonl: OK, [0-9]+ bytes in [0-9]+ parts" ||
  fail "the records were not checked part by part: $out"
parts=$(grep -c '^part ' "$site/release-1-cdf.json.parts")
[ "$parts" -ge 56 ] || fail "the CDF has $parts parts: not cut by group of 32 precincts"

# tamper NAME FILE OFFSET EXPECT: a copy of the site with one byte of FILE changed at OFFSET
# (negative: from the end); the procedure must fail, printing EXPECT.
tamper() {
  name=$1 file=$2 offset=$3 expect=$4
  t="$work/$name"
  rm -rf "$t" && cp -r "$site" "$t"
  size=$(stat -c %s "$t/$file")
  [ "$offset" -ge 0 ] || offset=$((size + offset))
  byte=$(dd if="$t/$file" bs=1 skip="$offset" count=1 status=none)
  if [ "$byte" = 7 ]; then new=8; else new=7; fi
  printf '%s' "$new" | dd of="$t/$file" bs=1 seek="$offset" conv=notrunc status=none
  cmp -s "$site/$file" "$t/$file" && fail "$name: $file was not changed"
  out=$(run "$t") && fail "$name: a changed byte of $file passes: $out"
  echo "$out" | grep -q "$expect" || fail "$name: expected \"$expect\": $out"
  echo "ok: $name refused"
}

cdf_size=$(stat -c %s "$site/release-1-cdf.json")
tamper cdf-middle release-1-cdf.json $((cdf_size / 2)) "release-1-cdf.json: FAILED: the part at byte"
tamper cdf-last release-1-cdf.json -3 "release-1-cdf.json: FAILED: the part at byte"
tamper csv release-1-precincts.csv 5000 "release-1-precincts.csv: FAILED: the part at byte"
records_size=$(stat -c %s "$site/release-1-records.jsonl")
tamper records release-1-records.jsonl $((records_size / 3)) \
  "release-1-records.jsonl: FAILED: the part at byte"
tamper manifest release-1-cdf.json.parts 200 "release-1-cdf.json.parts: FAILED"
tamper totals release-1-totals.csv 300 "release-1-totals.csv: FAILED"
tamper release release-1.json 100 "Signature Verification Failure"
echo "The documented procedure accepts the release and refuses every tampering."
