#!/usr/bin/env bash
# Regenerates screenshots/*.png from the real dashboard against the lab on 127.0.0.2 (or
# $MAILDOCTOR_LAB_ADDR):
# tmux runs maildoctor at 120x40 (and 80x24, the SSH size), `capture-pane -e` keeps the
# colours, aha turns the ANSI into HTML, and headless Chromium takes the picture. Run as root on
# Debian: installs what it needs, starts the lab. Only loopback addresses are contacted.
# MAILDOCTOR_BIN=path uses another build (e.g. an older one, for before/after pictures) and
# MAILDOCTOR_SHOTS=dir writes the pictures there instead of screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in tmux aha chromium fonts-dejavu-core; do
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
if [ -z "${MAILDOCTOR_BIN:-}" ]; then
    cargo build --release --quiet
fi
BIN=${MAILDOCTOR_BIN:-$PWD/target/release/maildoctor}
OUT=${MAILDOCTOR_SHOTS:-$PWD/screenshots}
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'tmux kill-session -t shots 2>/dev/null || true; kill "${HOLE_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Ports that drop connections, like a firewall: listeners whose one-slot queues are full.
# $LAB_ADDR:2587 beside the lab's working 587; on 127.0.0.9 every submission port, so nothing
# works from "this network".
LAB_ADDR=$LAB_ADDR python3 - <<'PY' &
import os, socket, time
held = []
for host, port in [(os.environ["LAB_ADDR"], 2587), ("127.0.0.9", 587), ("127.0.0.9", 465), ("127.0.0.9", 25)]:
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port)); srv.listen(0)
    held.append(srv)
    for _ in range(3):
        c = socket.socket(); c.setblocking(False)
        try: c.connect((host, port))
        except BlockingIOError: pass
        held.append(c)
time.sleep(600)
PY
HOLE_PID=$!
sleep 0.5

# shot NAME COLSxROWS KEYS ARGS...: run the dashboard at that size, wait for the check to
# finish, press KEYS, capture.
shot() {
    local name=$1 size=$2 keys=$3
    shift 3
    local cols=${size%x*} rows=${size#*x}
    # DejaVu Sans Mono at 14px: 8.43 px a column, 16.8 px a row, and the page's margin.
    local width=$((cols * 843 / 100 + 20)) height=$((rows * 168 / 10 + 20))
    tmux kill-session -t shots 2>/dev/null || true
    # Killing the last session ends the tmux server; a new session may meet it dying.
    for _ in 1 2 3 4 5; do
        tmux new-session -d -s shots -x "$cols" -y "$rows" \
            "TERM=xterm-256color LC_ALL=C.UTF-8 ${SHOT_ENV:-} $BIN $*; sleep 30" 2>/dev/null && break
        sleep 0.5
    done
    for _ in $(seq 1 150); do
        tmux capture-pane -p -t shots | grep -q "done in" && break
        sleep 0.1
    done
    for key in $keys; do
        tmux send-keys -t shots "$key"
        sleep 0.3
    done
    tmux capture-pane -e -p -t shots > "$WORK/$name.ansi"
    aha --black --title "maildoctor: $name" < "$WORK/$name.ansi" \
        | sed 's|<body|<body style="margin:8px;font-family:DejaVu Sans Mono,monospace;font-size:14px;line-height:1.2"|' \
        > "$WORK/$name.html"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$WORK/chrome" --hide-scrollbars --window-size="$width,$height" \
        --screenshot="$OUT/$name.png" "file://$WORK/$name.html" >/dev/null 2>&1
    tmux send-keys -t shots q
    echo "$OUT/$name.png"
}

CA="--ca-file $LAB/ca.pem"
ALL="--imap $LAB_ADDR:993/tls --pop3 $LAB_ADDR:995/tls"
shot healthy 120x40 "" alice@lab.test --smtp "$LAB_ADDR":587/starttls $ALL $CA
shot port-security-mismatch 120x40 "" alice@lab.test --smtp "$LAB_ADDR":465/starttls --imap "$LAB_ADDR":993/tls --pop3 "$LAB_ADDR":110/tls $CA
shot blocked-port-alternative 120x40 "" alice@lab.test --smtp "$LAB_ADDR":2587/starttls $ALL --timeout 6 $CA
shot edit-endpoint 120x40 "e Tab C-u 5 8 7" alice@lab.test --smtp "$LAB_ADDR":465/starttls $ALL $CA
shot transcript 120x40 "Tab t" alice@lab.test --smtp "$LAB_ADDR":587/starttls $ALL $CA
# At 80x24, what a user over SSH sees first: the selected finding's fix must be on screen.
shot 80x24-port-465-starttls 80x24 "" alice@lab.test --smtp "$LAB_ADDR":465/starttls $ALL $CA
shot 80x24-certificate-untrusted 80x24 "" alice@lab.test --smtp "$LAB_ADDR":587/starttls $ALL
shot 80x24-nothing-works 80x24 "" alice@lab.test --smtp 127.0.0.9:587/starttls $ALL --timeout 4 $CA
# The password goes into the command tmux runs (its server keeps its own environment); it is
# the lab's wrong one, on loopback.
SHOT_ENV=MAILDOCTOR_PASSWORD=wrong-password shot 80x24-login-refused 80x24 "" alice@lab.test --login --smtp "$LAB_ADDR":587/starttls $ALL $CA
