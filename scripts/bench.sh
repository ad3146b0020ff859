#!/usr/bin/env bash
# Benchmarks `maildoctor check` against the lab (tests/lab/start.sh must have run):
#  1. the full three-endpoint check against each endpoint alone (target: full <= 1.15 x slowest);
#  2. the same three checks the way people do them today, one after another with swaks,
#     openssl s_client and curl (target: maildoctor >= 5 x faster).
# Prints hyperfine's tables and the two ratios. Only loopback (the lab's 127.0.0.2, or
# $MAILDOCTOR_LAB_ADDR) is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
LAB=$(lab_dir)
LAB_ADDR=${MAILDOCTOR_LAB_ADDR:-127.0.0.2}
CA="$LAB/ca.pem"
OUT=${BENCH_OUT:-target/bench}
RUNS=${BENCH_RUNS:-30}
mkdir -p "$OUT"

for tool in hyperfine swaks openssl curl; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install hyperfine swaks openssl curl)" >&2; exit 1; }
done
[ -f "$CA" ] || { echo "bench: no lab CA at $CA; run tests/lab/start.sh first" >&2; exit 1; }

cargo build --release --quiet
MD="target/release/maildoctor check alice@lab.test --ca-file $CA --no-alternatives --format json"
SMTP="--smtp $LAB_ADDR:587/starttls"
IMAP="--imap $LAB_ADDR:993/tls"
POP3="--pop3 $LAB_ADDR:995/tls"

hyperfine --warmup 3 --runs "$RUNS" -N --export-json "$OUT/concurrency.json" --export-markdown "$OUT/concurrency.md" \
    -n "all three" "$MD $SMTP $IMAP $POP3" \
    -n "SMTP alone" "$MD $SMTP --only smtp" \
    -n "IMAP alone" "$MD $IMAP --only imap" \
    -n "POP3 alone" "$MD $POP3 --only pop3" >/dev/null

# Today's way: three tools, one after another, each doing its handshake and capability query.
MANUAL="swaks --server $LAB_ADDR --port 587 --tls --tls-ca-path $CA --quit-after EHLO >/dev/null 2>&1; \
openssl s_client -connect $LAB_ADDR:993 -CAfile $CA -verify_return_error -brief </dev/null >/dev/null 2>&1; \
curl -s --cacert $CA pop3s://$LAB_ADDR:995/ -X CAPA -u alice@lab.test:lab-password >/dev/null"
hyperfine --warmup 3 --runs "$RUNS" --export-json "$OUT/manual.json" --export-markdown "$OUT/manual.md" \
    -n "maildoctor check (3 endpoints)" "$MD $SMTP $IMAP $POP3" \
    -n "swaks + openssl s_client + curl" "$MANUAL" >/dev/null

cat "$OUT/concurrency.md"
echo
cat "$OUT/manual.md"
echo
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
c = {r["command"]: r["mean"] for r in json.load(open(f"{out}/concurrency.json"))["results"]}
m = {r["command"]: r["mean"] for r in json.load(open(f"{out}/manual.json"))["results"]}
slowest = max(c["SMTP alone"], c["IMAP alone"], c["POP3 alone"])
print(f"full check / slowest single endpoint: {c['all three'] / slowest:.2f} (target <= 1.15)")
print(f"manual tools / maildoctor: {m['swaks + openssl s_client + curl'] / m['maildoctor check (3 endpoints)']:.1f} x (target >= 5)")
PY
