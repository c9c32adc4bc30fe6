#!/usr/bin/env bash
# Builds one libFuzzer target with clang++ and runs it for a bounded time over a COPY of its
# checked-in corpus (the corpus in the tree is never modified). Fails on any crash, leak,
# sanitizer report or broken contract; the crashing input is kept under OUT_DIR.
#
# usage: run_fuzzer.sh --name NAME --out OUT_DIR --target TARGET.cpp --seconds N
#                      --corpus DIR [--corpus DIR ...] [--include DIR ...] [--link FLAG ...]
#                      -- SOURCE.cpp ...
#
# Exits 77 (reported by ctest as skipped) when clang++ or its libFuzzer runtime is missing.
set -euo pipefail

readonly kSkip=77
name="" out="" target="" seconds=15
corpora=() includes=() links=() sources=()
while (($#)); do
  case "$1" in
    --name) name="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --corpus) corpora+=("$2"); shift 2 ;;
    --include) includes+=("-I$2"); shift 2 ;;
    --link) links+=("$2"); shift 2 ;;
    --) shift; sources=("$@"); break ;;
    *) echo "run_fuzzer.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -z "$name" || -z "$out" || -z "$target" || ${#corpora[@]} -eq 0 ]]; then
  echo "run_fuzzer.sh: --name, --out, --target and --corpus are required" >&2
  exit 2
fi

CXX="${FUZZ_CXX:-clang++}"
if ! command -v "$CXX" >/dev/null 2>&1; then
  echo "SKIPPED: $CXX not found; libFuzzer needs clang (gcc has no -fsanitize=fuzzer)."
  exit "$kSkip"
fi

mkdir -p "$out"
binary="$out/$name"

# Rebuild only when the binary is older than any input, so repeated test runs stay fast.
rebuild=0
[[ -x "$binary" ]] || rebuild=1
if ((rebuild == 0)); then
  for file in "$target" "${sources[@]}" "$0"; do
    [[ "$file" -nt "$binary" ]] && rebuild=1 && break
  done
  # Headers: any change under the include directories.
  if ((rebuild == 0)) && [[ ${#includes[@]} -gt 0 ]]; then
    for dir in "${includes[@]}"; do
      if [[ -n "$(find "${dir#-I}" -newer "$binary" -name '*.h' -print -quit)" ]]; then
        rebuild=1
        break
      fi
    done
  fi
fi
if ((rebuild)); then
  echo "building $binary with $CXX"
  if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' |
      "$CXX" -x c++ -fsanitize=fuzzer - -o "$out/.probe" 2>/dev/null; then
    echo "SKIPPED: $CXX cannot link -fsanitize=fuzzer (libFuzzer runtime missing)."
    exit "$kSkip"
  fi
  rm -f "$out/.probe"
  "$CXX" -std=c++20 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    "${includes[@]}" "$target" "${sources[@]}" "${links[@]}" -o "$binary.tmp"
  mv "$binary.tmp" "$binary"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$name.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$out/artifacts"
for dir in "${corpora[@]}"; do
  cp -R "$dir/." "$work/corpus/"
done
echo "fuzzing $name for ${seconds}s over a copy of: ${corpora[*]}"
# -workers/-jobs stay at 1: the machine is shared. ASan's leak check is on.
log="$out/$name.log"
set +e
"$binary" "$work/corpus" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$out/artifacts/" >"$log" 2>&1
status=$?
set -e
tail -n 60 "$log"
if ((status != 0)); then
  echo "FAILED: $name exited with $status; full log $log, input in $out/artifacts/"
  exit 1
fi
echo "OK: $name ran ${seconds}s without a finding (full log $log)"
