#!/usr/bin/env bash
# make_csmith_corpus.sh HOST_BUILD DIR FIRST:LAST [FLAG...]
#
# The corpus of csmith's programs the device checks (csmith_corpus_check):
# the host build's csmith_differential makes each seed's program, checks it
# on the host's engines and writes those that agree into DIR. The two runs of
# `make device` share it: it is made again only when the seeds or the host's
# harness (and so its verifier, engines and image writer) changed. FLAGs go
# to csmith_differential (--loop-budget N).
set -euo pipefail
host=$1 dir=$2 seeds=$3
shift 3
harness=$host/tests/csmith/csmith_differential
if [ ! -x "$harness" ]; then
  echo "FAIL $harness is missing: build it first (make device does)"
  exit 1
fi
# The twin's limit is low: the interpreter is slower than a twin by far, and
# slower again under qemu. Proofs are a host matter.
flags=(--seeds "$seeds" --prove-every 0 --native-limit 500 --quiet "$@")
stamp="${flags[*]} $(sha1sum < "$harness")"
if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ]; then
  echo "ok   the corpus of seeds $seeds is up to date: $(find "$dir" -name '*.expect' | wc -l) programs in $dir"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
"$harness" "${flags[@]}" --emit-corpus "$dir"
echo "$stamp" > "$dir/stamp"
