#!/usr/bin/env bash
# Counts the data round trips of each kind of check — maildoctor's and, in the same run,
# swaks', curl's and openssl s_client's — against the lab: every tool talks to it through
# examples/delay_proxy twice, once 50 ms late each way (a 100 ms round trip) and once not late
# at all, and the difference in time over 100 ms is the number of round trips. The TCP connect
# is not counted (the proxy accepts at once); maildoctor's time is its endpoint's own, the
# others' the whole process (its start-up is the same in both runs, so it cancels out).
# Loopback only (127.0.0.4 and 127.0.0.5 in front of the lab's 127.0.0.2, or
# $MAILDOCTOR_LAB_ADDR). Run as root on Debian: installs swaks, curl and openssl, starts the
# lab if it is not up.
#
#   scripts/roundtrips.sh            median of 3 runs of each
#   scripts/roundtrips.sh --smoke    one run of each (CI: the numbers are printed, not judged)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=3
[ "${1:-}" = --smoke ] && RUNS=1
need=()
for pkg in swaks curl openssl; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# shellcheck source=tests/lab/lib.sh
. tests/lab/lib.sh
LAB=$(lab_dir)
LAB_ADDR=${MAILDOCTOR_LAB_ADDR:-127.0.0.2}
[ -f "$LAB/ca.pem" ] || tests/lab/start.sh
cargo build --quiet --example delay_proxy
cargo build --quiet
BIN=$PWD/target/debug/maildoctor
PROXY=$PWD/target/debug/examples/delay_proxy
SLOW=127.0.0.4
FAST=127.0.0.5
PORTS=(587 465 993 143 995 110)
WORK=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
for spec in "$SLOW 50" "$FAST 0"; do
    read -r host delay <<<"$spec"
    maps=()
    for port in "${PORTS[@]}"; do
        maps+=("$host:$port=$LAB_ADDR:$port")
    done
    "$PROXY" --delay-ms "$delay" --for 900 "${maps[@]}" 2>>"$WORK/proxy-$host.log" &
    pids+=($!)
done
sleep 0.5
export MAILDOCTOR_PASSWORD=lab-password
USER_NAME=alice@lab.test

# The median of RUNS values read from stdin, one per line.
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Milliseconds a command takes on HOST: maildoctor's endpoint time from its report, else the
# wall clock. The command is a template with %H for the host.
took() {
    local host=$1 kind=$2 template=$3
    local cmd=${template//%H/$host}
    if [ "$kind" = maildoctor ]; then
        eval "$cmd" | sed -n 's/.*"elapsed_ms": \([0-9]*\),\?$/\1/p' | head -1
    else
        local start end
        start=$(date +%s%N)
        eval "timeout 20 $cmd" >/dev/null 2>&1 </dev/null || true
        end=$(date +%s%N)
        echo $(((end - start) / 1000000))
    fi
}

# Round trips: (slow - fast) / 100 ms, one decimal.
trips() {
    local kind=$1 template=$2 slow fast
    slow=$(for _ in $(seq "$RUNS"); do took "$SLOW" "$kind" "$template"; done | median)
    fast=$(for _ in $(seq "$RUNS"); do took "$FAST" "$kind" "$template"; done | median)
    awk -v s="$slow" -v f="$fast" 'BEGIN {printf "%.1f", (s - f) / 100}'
}

MD="$BIN check $USER_NAME --ca-file $LAB/ca.pem --tls-name mail.lab.test --no-alternatives --no-discover --format json --timeout 20"
md() { echo "$MD --only $1 --$1 %H:$2"; }
SWAKS="swaks -s %H -a PLAIN -au $USER_NAME -ap lab-password --quit-after AUTH -f $USER_NAME -t $USER_NAME"
CURL="curl -sk -u $USER_NAME:lab-password -X NOOP"
# POP3 has no NOOP for curl to send as its command: it lists the mailbox instead.
CURL_POP="curl -sk -u $USER_NAME:lab-password"

printf '%-22s %10s %10s %8s %8s %8s\n' "check" "maildoctor" "+ login" "swaks" "curl" "openssl"
row() {
    local name=$1 proto=$2 spec=$3 swaks=$4 curl=$5 openssl=$6
    local plain login s c o
    plain=$(trips maildoctor "$(md "$proto" "$spec")")
    login=$(trips maildoctor "$(md "$proto" "$spec") --login")
    s=-; c=-; o=-
    [ -n "$swaks" ] && s=$(trips other "$swaks")
    [ -n "$curl" ] && c=$(trips other "$curl")
    [ -n "$openssl" ] && o=$(trips other "$openssl")
    printf '%-22s %10s %10s %8s %8s %8s\n' "$name" "$plain" "$login" "$s" "$c" "$o"
}
row "SMTP 587 STARTTLS" smtp 587/starttls "$SWAKS -p 587 -tls" "$CURL --ssl-reqd smtp://%H:587" \
    "echo QUIT | openssl s_client -quiet -starttls smtp -connect %H:587"
row "SMTP 465 SSL/TLS" smtp 465/tls "$SWAKS -p 465 -tlsc" "$CURL smtps://%H:465" \
    "echo QUIT | openssl s_client -quiet -connect %H:465"
row "IMAP 993 SSL/TLS" imap 993/tls "" "$CURL imaps://%H:993/" \
    "echo 'a LOGOUT' | openssl s_client -quiet -connect %H:993"
row "IMAP 143 STARTTLS" imap 143/starttls "" "$CURL --ssl-reqd imap://%H:143/" \
    "echo 'a LOGOUT' | openssl s_client -quiet -starttls imap -connect %H:143"
row "POP3 995 SSL/TLS" pop3 995/tls "" "$CURL_POP pop3s://%H:995/" \
    "echo QUIT | openssl s_client -quiet -connect %H:995"
row "POP3 110 STARTTLS" pop3 110/starttls "" "$CURL_POP --ssl-reqd pop3://%H:110/" \
    "echo QUIT | openssl s_client -quiet -starttls pop3 -connect %H:110"
echo "(data round trips at 100 ms; maildoctor with --login also asks what the account may do:"
echo " MAIL FROM/RCPT TO/RSET, EXAMINE INBOX, STAT. swaks and curl log in; openssl only greets.)"
