#!/usr/bin/env bash
# Supply-chain check of every dependency, for every target: cargo deny (advisories, bans, licenses,
# sources; config in deny.toml). Installs cargo-deny when missing. CI machines reach crates.io but
# not the RustSec advisory repository, so the advisories come from the snapshot committed in
# .ci/advisory-db (see its SNAPSHOT file), laid out as the git repository cargo-deny reads.
# Usage: scripts/deny.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.20.2
if [[ "$(cargo deny --version 2>/dev/null)" != "cargo-deny $version" ]]; then
  cargo install cargo-deny --version "$version" --locked --no-default-features
fi
target=${CARGO_TARGET_DIR:-$PWD/target}
# The directory name is cargo-deny's own for the default RustSec URL (a hash of it).
db="$target/advisory-dbs/advisory-db-3157b0e258782691"
snapshot_commit=$(sed -n 's/^commit: //p' .ci/advisory-db/SNAPSHOT)
snapshot_date=$(sed -n 's/^date: //p' .ci/advisory-db/SNAPSHOT)
if [[ "$(git -C "$db" log -1 --format=%s 2>/dev/null)" != "snapshot $snapshot_commit" ]] \
   || [[ -n "$(git -C "$db" status --porcelain 2>/dev/null)" ]]; then
  rm -rf "$db"
  mkdir -p "$db"
  cp -r .ci/advisory-db/crates .ci/advisory-db/rust .ci/advisory-db/LICENSE.txt "$db/"
  git -C "$db" init -q
  git -C "$db" add -A
  # The commit carries the snapshot's own date: cargo-deny judges the database's age by it.
  GIT_AUTHOR_DATE="$snapshot_date" GIT_COMMITTER_DATE="$snapshot_date" \
    git -C "$db" -c user.name=sdesk-ci -c user.email=ci@localhost commit -q -m "snapshot $snapshot_commit"
fi
# Everything the graph needs for any target is downloaded first; --offline then keeps cargo-deny
# from trying to fetch the advisory database.
cargo fetch --locked --quiet
CARGO_TARGET_DIR="$target" cargo deny --offline check
