# Sourced by the tests that run a documented procedure as printed (merkle_procedure.sh,
# release_procedure.sh): procedure_block NAME FIRST OUT writes the shell block that follows
# docs/releases.md's marker `<!-- procedure: NAME` to OUT without its first line, which must match
# the extended regular expression FIRST (the variables the caller sets instead), and fails unless
# the block has more than ten lines. Needs `src` (the source tree). Also gives the caller `work`,
# a directory removed on exit, and `fail MESSAGE`.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

procedure_block() {
  awk -v marker="<!-- procedure: $1" 'index($0, marker) == 1 {found = 1; next}
       found && /^```sh$/ {inside = 1; next}
       inside && /^```$/ {exit}
       inside {print}' "$src/docs/releases.md" > "$3"
  head -n 1 "$3" | grep -Eq "$2" ||
    fail "docs/releases.md: the $1 block does not begin with a line matching $2"
  sed -i 1d "$3"
  [ "$(wc -l < "$3")" -gt 10 ] || fail "the $1 block is missing"
}
