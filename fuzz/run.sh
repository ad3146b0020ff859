#!/usr/bin/env bash
# Builds the fuzz targets with cargo-fuzz (libFuzzer) on the stable toolchain and runs each on
# its committed corpus. cargo-fuzz's instrumentation flags are stable; only a sanitizer needs
# -Z flags, so `--asan` sets RUSTC_BOOTSTRAP=1 for that build alone.
#
#   fuzz/run.sh [--asan] [--seconds N | --runs N] [--max-len BYTES] [--grow] [TARGET...]
#
# Default: every target for 5 seconds each (the smoke test .ci/run runs). New inputs go to a
# scratch directory, so the committed corpora change only with --grow (then minimise them with
# `cargo fuzz cmin -s none -O TARGET`). A crash leaves its input in fuzz/artifacts/TARGET/ and
# fails the script.
set -Eeuo pipefail
trap 'echo "fuzz: run.sh failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")"

sanitizer=none limit=(-max_total_time=5) grow= max_len=() targets=()
while [ $# -gt 0 ]; do
    case $1 in
        --asan) sanitizer=address ;;
        --seconds) limit=(-max_total_time="$2"); shift ;;
        --runs) limit=(-runs="$2"); shift ;;
        --grow) grow=1 ;;
        --max-len) max_len=(-max_len="$2"); shift ;;
        -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1") ;;
    esac
    shift
done
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked --quiet
fi
# Listed only once cargo-fuzz is there: a list made before (a process substitution's failure
# does not stop the script) was empty, and a fresh machine then fuzzed nothing and passed.
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
if [ ${#targets[@]} -eq 0 ]; then
    echo "fuzz: no fuzz targets found (cargo fuzz list said nothing)" >&2
    exit 1
fi

build=(cargo fuzz build -O -s "$sanitizer")
target_dir=target
if [ "$sanitizer" != none ]; then
    build=(env RUSTC_BOOTSTRAP=1 "${build[@]}" --target-dir target-asan)
    target_dir=target-asan
fi
"${build[@]}"
bin=$target_dir/$(rustc -vV | sed -n 's/^host: //p')/release

for t in "${targets[@]}"; do
    scratch=$(mktemp -d)
    dirs=("$scratch" "corpus/$t")
    [ -z "$grow" ] || dirs=("corpus/$t")
    mkdir -p "artifacts/$t" "corpus/$t"
    echo "== $t"
    # -rss_limit_mb: a parser that grows without bound is a finding, not a slow run.
    status=0
    "$bin/$t" "${dirs[@]}" "${limit[@]}" "${max_len[@]}" -rss_limit_mb=1024 -timeout=10 \
        -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$scratch.log" 2>&1 || status=$?
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$scratch.log" || true
    if [ "$status" != 0 ]; then
        tail -n 40 "$scratch.log" >&2
        echo "fuzz: $t failed (exit $status); the input is in fuzz/artifacts/$t/" >&2
        rm -rf "$scratch" "$scratch.log"
        exit 1
    fi
    rm -rf "$scratch" "$scratch.log"
done
