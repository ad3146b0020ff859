#!/usr/bin/env bash
# Regenerates screenshots/*.png from the real dashboard against the lab on 127.0.0.2:
# tmux runs maildoctor at 120x40, `capture-pane -e` keeps the colours, aha turns the ANSI into
# HTML, and headless Chromium takes the picture. Run as root on Debian: installs what it needs,
# starts the lab. Only loopback addresses are contacted.
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
LAB=${MAILDOCTOR_LAB_DIR:-/tmp/maildoctor-lab}
[ -f "$LAB/ca.pem" ] || tests/lab/start.sh
cargo build --release --quiet
BIN="$PWD/target/release/maildoctor"
WORK=$(mktemp -d)
trap 'tmux kill-session -t shots 2>/dev/null || true; kill "${HOLE_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# A port that drops connections, like a firewall: a listener whose one-slot queue is full.
python3 - <<'PY' &
import socket, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.2", 2587)); srv.listen(0)
held = []
for _ in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.2", 2587))
    except BlockingIOError: pass
    held.append(c)
time.sleep(600)
PY
HOLE_PID=$!
sleep 0.5

# shot NAME KEYS ARGS...: run the dashboard, wait for the check to finish, press KEYS, capture.
shot() {
    local name=$1 keys=$2
    shift 2
    tmux kill-session -t shots 2>/dev/null || true
    tmux new-session -d -s shots -x 120 -y 40 "TERM=xterm-256color $BIN $*; sleep 30"
    for _ in $(seq 1 100); do
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
        --user-data-dir="$WORK/chrome" --hide-scrollbars --window-size=1040,720 \
        --screenshot="$PWD/screenshots/$name.png" "file://$WORK/$name.html" >/dev/null 2>&1
    tmux send-keys -t shots q
    echo "screenshots/$name.png"
}

CA="--ca-file $LAB/ca.pem"
shot healthy "" alice@lab.test --smtp 127.0.0.2:587/starttls --imap 127.0.0.2:993/tls --pop3 127.0.0.2:995/tls $CA
shot port-security-mismatch "" alice@lab.test --smtp 127.0.0.2:465/starttls --imap 127.0.0.2:993/tls --pop3 127.0.0.2:110/tls $CA
shot blocked-port-alternative "" alice@lab.test --smtp 127.0.0.2:2587/starttls --imap 127.0.0.2:993/tls --pop3 127.0.0.2:995/tls --timeout 6 $CA
shot edit-endpoint "e Tab C-u 5 8 7" alice@lab.test --smtp 127.0.0.2:465/starttls --imap 127.0.0.2:993/tls --pop3 127.0.0.2:995/tls $CA
shot transcript "Tab t" alice@lab.test --smtp 127.0.0.2:587/starttls --imap 127.0.0.2:993/tls --pop3 127.0.0.2:995/tls $CA
