#!/usr/bin/env bash
# Stops the lab that tests/lab/start.sh started in $MAILDOCTOR_LAB_DIR (default: this
# checkout's own, see lib.sh's lab_dir): that lab's own Postfix master and Dovecot master, found
# by the pid files in the lab's directory and checked to be the lab's before they get SIGTERM
# (each takes its children down with it). Never touches the system's Postfix or Dovecot, nor
# other labs (another clone's lab has another directory). Safe to run twice and when nothing
# runs. Leaves the directory with its logs; start.sh replaces it.
set -Eeuo pipefail
trap 'echo "lab: stop.sh failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lib.sh
. "$HERE/lib.sh"
LAB=$(lab_dir)
[ -d "$LAB" ] || exit 0
REAL_LAB=$(cd -P "$LAB" && pwd)


# Postfix's master works in its queue directory: the lab's, or it is not the lab's master.
# shellcheck disable=SC2317 # called by stop_master
is_lab_postfix() {
    [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = /usr/lib/postfix/sbin/master ] &&
        [ "$(readlink "/proc/$1/cwd" 2>/dev/null)" = "$REAL_LAB/postfix-queue" ]
}

# The relay-client instance tests/lab_clients.rs starts (and stops) works in its own queue.
# shellcheck disable=SC2317 # called by stop_master
is_lab_relay() {
    [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = /usr/lib/postfix/sbin/master ] &&
        [ "$(readlink "/proc/$1/cwd" 2>/dev/null)" = "$REAL_LAB/relay-queue" ]
}

# Dovecot's master keeps its command line: dovecot -c $LAB/dovecot.conf.
# shellcheck disable=SC2317 # called by stop_master
is_lab_dovecot() {
    [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = /usr/sbin/dovecot ] &&
        tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qxF -e "$LAB/dovecot.conf" -e "$REAL_LAB/dovecot.conf"
}

# Sends SIGTERM to the lab's master that a pid file names; notes it in stopping.
stopping=()
stop_master() {
    local name=$1 pidfile=$2 check=$3 pid
    pid=$(running_pid "$pidfile") || return 0
    if ! "$check" "$pid"; then
        # A master that failed to start may still be exiting (a zombie has no exe).
        readlink "/proc/$pid/exe" >/dev/null 2>&1 || return 0
        echo "lab: $pidfile names pid $pid, which is not this lab's $name; left alone" >&2
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || return 0
    stopping+=("$name:$pid")
}

# Exim and Cyrus: their own scripts know their processes.
for server in exim cyrus; do
    LAB=$LAB bash "$HERE/$server.sh" stop || echo "lab: $server.sh stop failed; see above" >&2
done

stop_master Postfix "$LAB/postfix-queue/pid/master.pid" is_lab_postfix
stop_master "Postfix relay" "$LAB/relay-queue/pid/master.pid" is_lab_relay
stop_master Dovecot "$LAB/dovecot-run/master.pid" is_lab_dovecot

# Both at once: Dovecot's master takes a few seconds to see its children out.
for entry in "${stopping[@]}"; do
    name=${entry%%:*} pid=${entry#*:}
    for _ in $(seq 1 100); do
        [ -d "/proc/$pid" ] || break
        sleep 0.1
    done
    if [ -d "/proc/$pid" ]; then
        echo "lab: $name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "lab: stopped $name (pid $pid)"
done

# Children of the masters get SIGTERM from them; wait for the last of them, which work in the
# lab's directories (Postfix in its queue directory, Dovecot's logins chrooted in its base_dir).
lab_children() {
    local p exe cwd root
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        case $exe in
            /usr/lib/postfix/sbin/* | /usr/lib/dovecot/* | /usr/sbin/dovecot) ;;
            *) continue ;;
        esac
        cwd=$(readlink "$p/cwd" 2>/dev/null) || cwd=
        root=$(readlink "$p/root" 2>/dev/null) || root=
        case $cwd/ in "$REAL_LAB"/*)
            echo "${p#/proc/}"
            continue
            ;;
        esac
        case $root/ in "$REAL_LAB"/*) echo "${p#/proc/}" ;; esac
    done
}
for _ in $(seq 1 50); do
    [ -z "$(lab_children)" ] && break
    sleep 0.1
done
left=$(lab_children | paste -sd' ' -)
if [ -n "$left" ]; then
    echo "lab: processes of the lab still run after their masters stopped: $left; sending SIGKILL" >&2
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
fi
exit 0
