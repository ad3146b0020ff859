# shellcheck shell=bash
# Shared by the lab scripts (start.sh, stop.sh, exim.sh, cyrus.sh) and the scripts that use the
# lab (scripts/roundtrips.sh, bench.sh, screenshots.sh), which source it: functions and
# constants only, nothing runs.

# The checkout these scripts belong to, symlinks resolved: two levels above this file.
lab_checkout() {
    (cd -P "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
}

# The lab's directory: MAILDOCTOR_LAB_DIR, else one of this checkout's own,
# /tmp/maildoctor-lab-<the first 12 hex digits of the SHA-256 of lab_checkout>, so that two
# clones on one machine never share a lab, nor stop each other's. tests/common/lab.rs derives
# the same for the tests.
lab_dir() {
    local dir=${MAILDOCTOR_LAB_DIR:-}
    if [ -z "$dir" ]; then
        dir=/tmp/maildoctor-lab-$(printf %s "$(lab_checkout)" | sha256sum | cut -c1-12)
    fi
    echo "${dir%/}"
}

# The lab directory (the one holding start.sh's marker) a process belongs to, if it is one of a
# lab's servers: found from its working directory (Postfix, Exim) or the files its command line
# names (Dovecot's and Cyrus's configurations).
lab_of_pid() {
    local paths path dir
    mapfile -t paths < <(readlink "/proc/$1/cwd" 2>/dev/null; tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep '^/')
    for path in "${paths[@]}"; do
        dir=$path
        while [ "${#dir}" -gt 1 ]; do
            if [ -f "$dir/.maildoctor-lab" ]; then
                echo "$dir"
                return 0
            fi
            dir=$(dirname "$dir")
        done
    done
    return 1
}

# Loopback addresses the tests and scripts take for themselves, never offered for a lab:
# scripts/roundtrips.sh's proxies (.4, .5), scripts/screenshots.sh's dropped ports (.9),
# tests/lab_script.rs's own labs (.9 to .12), tests/lab_discover.rs's web servers (.21, .22).
LAB_RESERVED_ADDRS="127.0.0.4 127.0.0.5 127.0.0.9 127.0.0.10 127.0.0.11 127.0.0.12 127.0.0.21 127.0.0.22"

# Whether a listener on local address L (as ss prints it) blocks a server binding A:P (IPv4):
# one on A:P, 0.0.0.0:P or a dual-stack [::]:P (ss shows it as *:P). An IPv6-only [::]:P (ss
# shows [::]:P) does not. An awk function, for port_takers and free_lab_addr.
# shellcheck disable=SC2016 # awk's own variables
LAB_BLOCKS_AWK='function blocks(l, a, p) {
    sub(/%[^:\]]*/, "", l)   # 127.0.0.2%lo:993, bound to a device
    return l == a ":" p || l == "0.0.0.0:" p || l == "*:" p || l == "[::ffff:" a "]:" p
}'

# The first loopback address 127.0.0.N (N from 2 up) that is not reserved, not in AVOID (one
# word, addresses separated by spaces) and where none of the PORTS is taken; status 1 when no
# address is free (a listener on 0.0.0.0 takes the port on all of them).
free_lab_addr() {
    local avoid=$1
    shift
    ss -ltnH | awk -v skip="$avoid $LAB_RESERVED_ADDRS" -v ports="$*" "$LAB_BLOCKS_AWK"'
        { listening[NR] = $4 }
        END {
            n = split(ports, port, " ")
            split(skip, skipped, " ")
            for (i in skipped) avoid[skipped[i]] = 1
            for (h = 2; h <= 254; h++) {
                a = "127.0.0." h
                if (a in avoid) continue
                free = 1
                for (i = 1; i <= n && free; i++)
                    for (j = 1; j <= NR && free; j++)
                        if (blocks(listening[j], a, port[i])) free = 0
                if (free) { print a; exit 0 }
            }
            exit 1
        }'
}

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
    done < <(ss -ltnpH "sport = :$port" | awk -v a="$addr" -v p="$port" "$LAB_BLOCKS_AWK"'
        blocks($4, a, p) { print }')
}
