# shellcheck shell=bash
# Shared by the lab scripts (start.sh, stop.sh, exim.sh, cyrus.sh), which source it: functions
# only, nothing runs.

# The pid a pid file names, if that process still runs.
running_pid() {
    local pid
    [ -f "$1" ] || return 1
    pid=$(head -n 1 "$1" | tr -dc 0-9)
    [ -n "$pid" ] && [ -d "/proc/$pid" ] && echo "$pid"
}

# One line "ADDR:PORT is taken: WHO listens on LOCAL" for each listener that would block a
# server binding ADDR:PORT (IPv4): one on ADDR:PORT, 0.0.0.0:PORT or a dual-stack [::]:PORT
# (ss shows it as *:PORT). An IPv6-only [::]:PORT (ss shows [::]:PORT) does not block.
port_takers() {
    local addr=$1 port=$2 line who local_addr
    while read -r line; do
        [ -n "$line" ] || continue
        who=$(grep -o '"[^"]*",pid=[0-9]*' <<<"$line" | sed -E 's/^"(.*)",pid=([0-9]+)$/\1 (pid \2)/' \
            | sort -u | paste -sd, - | sed 's/,/, /g') || true
        local_addr=$(awk '{print $4}' <<<"$line")
        echo "$addr:$port is taken: ${who:-an unknown process} listens on $local_addr"
    done < <(ss -ltnpH "sport = :$port" | awk -v a="$addr" -v p="$port" '{
        l = $4; sub(/%[^:\]]*/, "", l)   # 127.0.0.2%lo:993, bound to a device
        if (l == a ":" p || l == "0.0.0.0:" p || l == "*:" p || l == "[::ffff:" a "]:" p) print
    }')
}
