#!/bin/sh
# Runs docs/releases.md's "check-precinct" procedure (the shell block after its marker), as
# printed, on real releases: precinct 4 of the golden release 2 (tests/publish/golden: five real
# Iowa precincts, one flagged) and a precinct of release 1 of the Iowa 2020 election (1,765
# precincts) published by `canvass init --demo` and `canvass publish`. The procedure must accept
# each, and fail for a changed record, a changed path (a hash, a side) and a changed root
# statement. Only P and N, the block's first line, are set for each release.
#
# Usage: merkle_procedure.sh CANVASS_BINARY SOURCE_DIR
set -eu
canvass=$1
src=$2
# The block as printed, without its first line (P=... N=...).
. "$src/tests/publish/procedure_block.sh"
procedure_block check-precinct '^P=[0-9]+ N=[0-9]+$' "$work/procedure.sh"

# run DIR P N: the procedure in DIR; prints its output; its exit status.
run() {
  (cd "$1" && P=$2 N=$3 sh -e "$work/procedure.sh") 2>&1
}

check_release() {  # RELEASE_JSON LEDGER P N NAME
  release=$1 ledger=$2 p=$3 n=$4 name=$5
  dir="$work/$name"
  "$canvass" release prove --release "$release" --precinct "$p" --out "$dir" > /dev/null
  head -n 1 "$ledger" | grep -o '"signing_key":"[0-9a-f]*"' | cut -d'"' -f4 > "$dir/election.pub"
  [ -s "$dir/election.pub" ] || fail "$name: no signing key in $ledger"

  out=$(run "$dir" "$p" "$n") || fail "$name: the procedure refuses a sound proof: $out"
  echo "$out" | grep -q "Signature Verified Successfully" || fail "$name: no signature check: $out"
  echo "$out" | grep -q "precinct $p is in signed release $n" || fail "$name: $out"
  # The same with Canvass.
  "$canvass" release verify --precinct "$p" --proof "$dir/precinct-$p-proof.json" \
    --key "$dir/election.pub" --record "$dir/precinct-$p.record" > /dev/null ||
    fail "$name: canvass release verify --precinct refuses the proof"

  # A changed record: one figure more for the first candidate in its "reported" or its status.
  t="$work/$name-record" && cp -r "$dir" "$t"
  sed -i 's/"revision":\([0-9]*\)/"revision":1\1/' "$t/precinct-$p.record"
  cmp -s "$dir/precinct-$p.record" "$t/precinct-$p.record" && fail "$name: the record was not changed"
  out=$(run "$t" "$p" "$n") && fail "$name: a changed record passes: $out"
  echo "$out" | grep -q "precinct $p is NOT in release $n" || fail "$name: $out"

  # A changed hash in the path.
  t="$work/$name-hash" && cp -r "$dir" "$t"
  awk 'NR == 1 { c = substr($2, 1, 1); $2 = (c == "0" ? "1" : "0") substr($2, 2) } {print}' \
    "$dir/precinct-$p.path" > "$t/precinct-$p.path"
  out=$(run "$t" "$p" "$n") && fail "$name: a changed path hash passes: $out"
  echo "$out" | grep -q "precinct $p is NOT in release $n" || fail "$name: $out"

  # A swapped side in the path.
  t="$work/$name-side" && cp -r "$dir" "$t"
  awk 'NR == 1 { $1 = ($1 == "left" ? "right" : "left") } {print}' \
    "$dir/precinct-$p.path" > "$t/precinct-$p.path"
  out=$(run "$t" "$p" "$n") && fail "$name: a swapped side passes: $out"
  echo "$out" | grep -q "precinct $p is NOT in release $n" || fail "$name: $out"

  # A root statement naming another root (the record's own path's, say): its signature fails.
  t="$work/$name-root" && cp -r "$dir" "$t"
  sed -i 's/"root":"[0-9a-f]*"/"root":"'"$(printf '%064d' 0)"'"/' "$t/release-$n-root.json"
  out=$(run "$t" "$p" "$n") && fail "$name: a changed root statement passes: $out"
  echo "$out" | grep -q "Signature Verification Failure" || fail "$name: $out"

  echo "ok: $name: precinct $p of release $n ($(wc -l < "$dir/precinct-$p.path") steps)"
}

check_release "$src/tests/publish/golden/release-2.json" "$src/tests/publish/golden/ledger.jsonl" \
  4 2 golden

# A release published by the binary, as on the night: Iowa 2020, 1,765 precincts.
"$canvass" init --demo --data "$src/data" --store "$work/night.db" --codes-out "$work/codes.csv" \
  --fast-kdf > /dev/null
"$canvass" publish --store "$work/night.db" --out "$work/site" > /dev/null
[ -f "$work/site/release-1-root.json.sig" ] || fail "publish wrote no release-1-root.json.sig"
check_release "$work/site/release-1.json" "$work/site/ledger.jsonl" 1000 1 iowa
echo "The documented procedure accepts both proofs and refuses every tampering."
