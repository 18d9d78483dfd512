#!/bin/sh
# check_a64_encodings.sh LLVM_MC TABLE
# Re-assembles the assembly column of a64_encodings.txt with llvm-mc and fails
# if any word differs from the table's, so the table the encoder test trusts
# stays what llvm-mc says. Exits 77 (skipped) when llvm-mc is missing.
set -eu
llvm_mc=$1
table=$2
if ! command -v "$llvm_mc" >/dev/null 2>&1; then
  echo "check_a64_encodings: no llvm-mc ($llvm_mc), skipped"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Case lines only; each ends in its word.
grep -v -e '^#' -e '^[[:space:]]*$' "$table" > "$work/cases"
awk '{ w = $NF; if (length(w) != 10 || w !~ /^0x[0-9a-f]+$/) { print FILENAME ": no word at the end of: " $0; bad = 1 } }
     END { exit bad }' "$work/cases"
sed 's/[[:space:]]*0x[0-9a-f]*$//' "$work/cases" > "$work/asm"
awk '{ print $NF }' "$work/cases" > "$work/expected"

if ! "$llvm_mc" --triple=aarch64 -mattr=+lse --show-encoding < "$work/asm" > "$work/mc" 2> "$work/errors"; then
  echo "check_a64_encodings: llvm-mc rejected the table's assembly:"
  cat "$work/errors"
  exit 1
fi
# "// encoding: [0x20,0xfc,0x3f,0x91]" -> 0x913ffc20 (little-endian bytes)
grep -o 'encoding: \[[^]]*\]' "$work/mc" | sed 's/.*\[//; s/\]//' |
  awk -F, '{ printf "0x%s%s%s%s\n", substr($4, 3), substr($3, 3), substr($2, 3), substr($1, 3) }' > "$work/actual"

cases=$(wc -l < "$work/expected")
encoded=$(wc -l < "$work/actual")
if [ "$cases" -ne "$encoded" ]; then
  echo "check_a64_encodings: $cases cases but llvm-mc encoded $encoded instructions"
  exit 1
fi
paste -d '|' "$work/asm" "$work/expected" "$work/actual" | awk -F'|' '
  $2 != $3 { print "differs: " $1 ": table " $2 ", llvm-mc " $3; bad++ }
  END { if (bad) { print bad " of " NR " cases differ from llvm-mc"; exit 1 } print NR " cases agree with llvm-mc" }'
