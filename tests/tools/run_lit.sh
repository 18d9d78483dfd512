#!/usr/bin/env bash
# A small lit: runs the `# RUN:` lines of one test file with bash, after
# substituting
#   %sbpf  the sbpf binary          %s  this test file
#   %S     this file's directory    %t  a scratch directory for this test
#   %FileCheck                      LLVM's FileCheck
# and `%exit N cmd…`, which runs cmd and fails unless it exits with N.
# Output checks are FileCheck directives in the same file.
set -uo pipefail
test_file=$1
sbpf=$2
filecheck=$3
dir=$(cd "$(dirname "$test_file")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

status=0
n=0
while IFS= read -r line; do
  cmd=${line#*RUN: }
  cmd=${cmd//%sbpf/$sbpf}
  cmd=${cmd//%FileCheck/$filecheck}
  cmd=${cmd//%exit/expect_exit}
  cmd=${cmd//%S/$dir}
  cmd=${cmd//%s/$test_file}
  cmd=${cmd//%t/$scratch}
  n=$((n + 1))
  if ! bash -o pipefail -c "expect_exit() { local want=\$1; shift; \"\$@\"; local got=\$?; \
      if [ \$got -ne \$want ]; then echo \"exit code \$got, expected \$want: \$*\" >&2; return 1; fi; }; $cmd"; then
    echo "FAILED: RUN line $n: $cmd" >&2
    status=1
  fi
done < <(grep -E '^# RUN: ' "$test_file")
[ "$n" -gt 0 ] || { echo "no RUN lines in $test_file" >&2; exit 1; }
exit $status
