#!/usr/bin/env bash
# A second, non-Dovecot IMAP/POP3 server for the lab: Cyrus IMAP 3.6 (Debian bookworm's
# cyrus-imapd, cyrus-pop3d, cyrus-common), beside Dovecot, on its own loopback address.
#
#   bash tests/lab/cyrus.sh ports    the TCP ports it listens on, one a line
#   bash tests/lab/cyrus.sh start    (as root) starts it; exits 1 with Cyrus's own words if not
#   bash tests/lab/cyrus.sh stop     stops it; safe to run twice and when nothing runs
#
# Environment (both required for start, LAB for stop):
#   LAB   the lab's directory, absolute, existing; start expects ca.pem, server.pem and
#         server.key in it (a certificate for DNS:mail.lab.test and IP:$ADDR, as start.sh makes)
#   ADDR  the IPv4 loopback address 127.x.y.z to listen on (not Dovecot's)
#
# Ports: IMAP 143 (STARTTLS), IMAPS 993, POP3 110 (STLS), POP3S 995. One user,
# alice@lab.test / lab-password, whose INBOX Cyrus creates at her first login
# (autocreate_quota: 0). Cyrus's default allowplaintext: no is kept, which is what the tests
# want from it: before TLS, IMAP LOGIN gets "NO Login only available under a layer" (with
# LOGINDISABLED and no AUTH= in CAPABILITY) and POP3 USER gets
# "-ERR [AUTH] USER command only available under a layer" (no USER, no SASL in CAPA); after
# STARTTLS/STLS, or on 993/995, both log in. Only PLAIN and LOGIN are offered (sasl_mech_list)
# and APOP is off (allowapop: no): sasldb keeps the password in clear, so CRAM-MD5, DIGEST-MD5,
# SCRAM and APOP would otherwise log in before TLS.
#
# Nothing is installed the Debian way and nothing in /etc is touched:
# - The Cyrus packages and sasl2-bin (for saslpasswd2) are fetched with `apt-get download`
#   into $LAB/debs and unpacked with `dpkg -x` into $LAB/cyrus-root: their maintainer scripts,
#   which create the user cyrus, the group sasl, edit /etc and start services, never run. The
#   binaries run from there (LD_LIBRARY_PATH for the package's own libcyrus*.so). Only missing
#   shared libraries are installed with apt-get (library packages only).
# - Every path Cyrus uses is under $LAB/cyrus: its imapd.conf and cyrus.conf (master -C/-M;
#   master does not hand -C on to its children, so every cmd= in cyrus.conf carries its own -C,
#   with the binary's absolute path), configdirectory, the partition, proc/lock/socket
#   directories, the pid file, the SASL database ($LAB/cyrus/sasldb2, not /etc/sasldb2) and a
#   copy of the key.
# - No user is created: Cyrus 3.6 reads its user from imapd.conf (cyrus_user/cyrus_group, see
#   imapd.conf(5)), here the existing system user and group `mail`. master starts as root,
#   binds the ports and becomes mail; its data directories and the key copy belong to mail.
# - Logs: Cyrus logs only through syslog(3), i.e. /dev/log, which this machine does not have
#   (and the system's /dev/log must not be taken over). So master runs in a mount namespace of
#   its own (unshare -m) whose /dev is a small tmpfs with the usual device nodes and a /dev/log
#   that points to $LAB/cyrus/run/syslog.sock, where a tiny Python listener writes every line
#   to $LAB/cyrus.log. master's own stdout/stderr (fatal configuration errors) go to
#   $LAB/cyrus.out. Where unshare is not allowed, Cyrus runs without the namespace and its
#   syslog lines are lost (a note says so in $LAB/cyrus.out).
#
# Tests log in with wrong passwords on purpose: failedloginpause: 0 drops Cyrus's 3 s pause
# after each failed login (as Dovecot's auth_failure_delay = 0 does in start.sh).
set -Eeuo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"

PORTS=(143 993 110 995)
USER_NAME=alice@lab.test
USER_PASS=lab-password
MAIL_USER=mail
DEBS=(cyrus-common cyrus-imapd cyrus-pop3d sasl2-bin)
# Shared libraries the binaries need that a bare bookworm lacks, and the SASL plugins
# (PLAIN, LOGIN in libsasl2-modules; sasldb in libsasl2-modules-db).
LIBS=(libpcre3 libxapian30 libical3 libsasl2-modules libsasl2-modules-db)

started=

fail() {
    trap - ERR
    echo "cyrus: $*" >&2
    undo
    exit 1
}

# The last lines of the named logs in $LAB (default: Cyrus's own), on stderr.
logs() {
    local f
    [ $# -gt 0 ] || set -- cyrus.out cyrus.log
    for f in "$@"; do
        [ -s "$LAB/$f" ] || continue
        echo "--- $LAB/$f (last lines):" >&2
        tail -n 20 "$LAB/$f" >&2
    done
}

# Undoes a half-started Cyrus; the logs stay in $LAB.
undo() {
    [ -n "$started" ] || return 0
    started=
    do_stop >&2 || true
}

on_err() {
    local status=$1 line=$2 cmd=$3
    trap - ERR
    echo "cyrus: cyrus.sh failed (exit $status) at line $line: $cmd" >&2
    logs
    undo
    exit "$status"
}
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR

check_lab() {
    case ${LAB:-} in
        /?*) ;;
        *) fail "LAB must be set to an absolute path, not '${LAB:-}'" ;;
    esac
    LAB=${LAB%/}
    [ -d "$LAB" ] || fail "LAB $LAB is not a directory"
    REAL_LAB=$(cd -P "$LAB" && pwd)
    C=$LAB/cyrus
    ROOT=$LAB/cyrus-root
    BIN=$ROOT/usr/lib/cyrus/bin
}


# Whether a process runs; a zombie does not (its parent, often pid 1, may reap it late).
alive() {
    local state
    state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

# shellcheck disable=SC2317 # called by stop_one
is_lab_master() {
    [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$REAL_LAB/cyrus-root/usr/lib/cyrus/bin/master" ]
}

# The syslog listener: a python3 running this lab's $LAB/cyrus/syslog.py.
# shellcheck disable=SC2317 # called by stop_one
is_lab_syslog() {
    local exe
    exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
    case $exe in */python3*) ;; *) return 1 ;; esac
    tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qxF -e "$LAB/cyrus/syslog.py" -e "$REAL_LAB/cyrus/syslog.py"
}

# Cyrus 3.6's master, told to stop while a child it had just spawned is dying (e.g. one that got
# a port probe of start, or a client that hung up during TLS), can spin on that child's status
# pipe and never reap it: then no child of its runs any more (only zombies are left) but the
# master does, at 100 % CPU, until SIGKILL. A normal shutdown takes it well under a second.
# shellcheck disable=SC2317 # called by stop_one
master_stuck() {
    { ps -o stat= --ppid "$1" 2>/dev/null || true; } | awk '$1 !~ /^Z/ { n++ } END { exit n > 0 }'
}

# SIGTERM to the process a pid file names, if it is the lab's; waits up to 10 s, then SIGKILL.
# With a fourth argument, a test: once it holds after a second, SIGKILL at once.
stop_one() {
    local name=$1 pidfile=$2 check=$3 stuck=${4:-} pid i killed=
    pid=$(running_pid "$pidfile") || return 0
    if ! "$check" "$pid"; then
        # One that failed to start may still be exiting (a zombie has no exe).
        readlink "/proc/$pid/exe" >/dev/null 2>&1 || return 0
        echo "cyrus: $pidfile names pid $pid, which is not this lab's $name; left alone" >&2
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 100); do
        alive "$pid" || break
        if [ -n "$stuck" ] && [ -z "$killed" ] && [ "$i" -gt 10 ] && "$stuck" "$pid"; then
            echo "cyrus: $name (pid $pid) keeps running after all its children exited (a Cyrus quirk); sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            killed=1
        fi
        sleep 0.1
    done
    if alive "$pid" && [ -z "$killed" ]; then
        echo "cyrus: $name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "cyrus: stopped $name (pid $pid)"
}

# Processes whose binary is under the lab's $LAB/cyrus-root (master's children, or a master
# whose pid file is gone).
lab_processes() {
    local p exe
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        case $exe in "$REAL_LAB/cyrus-root/"*) echo "${p#/proc/}" ;; esac
    done
}

do_stop() {
    [ -d "$LAB" ] || return 0
    REAL_LAB=$(cd -P "$LAB" && pwd)
    stop_one "Cyrus master" "$LAB/cyrus/run/master.pid" is_lab_master master_stuck
    # master sends its children SIGTERM; wait for the last of them.
    for _ in $(seq 1 50); do
        [ -z "$(lab_processes)" ] && break
        sleep 0.1
    done
    local left
    left=$(lab_processes | paste -sd' ' -)
    if [ -n "$left" ]; then
        echo "cyrus: processes of the lab's Cyrus still run: $left; sending SIGKILL" >&2
        # shellcheck disable=SC2086
        kill -KILL $left 2>/dev/null || true
    fi
    stop_one "Cyrus syslog listener" "$LAB/cyrus/run/syslog.pid" is_lab_syslog
    return 0
}

# apt-get, waiting for the lock another apt may hold; `update` is retried on a lock error.
apt_update() {
    local i
    for i in 1 2 3 4 5 6; do
        apt-get -o DPkg::Lock::Timeout=300 update -qq >>"$LAB/cyrus-apt.log" 2>&1 && return 0
        grep -qi 'lock' "$LAB/cyrus-apt.log" || break
        sleep $((i * 5))
    done
    logs cyrus-apt.log
    fail "apt-get update failed (its words in $LAB/cyrus-apt.log)"
}

fetch_packages() {
    local need=() pkg deb missing
    mkdir -p "$LAB/debs"
    for pkg in "${DEBS[@]}"; do
        compgen -G "$LAB/debs/${pkg}_*.deb" >/dev/null || need+=("$pkg")
    done
    if [ ${#need[@]} -gt 0 ]; then
        # apt-get download writes into the current directory (as root: the _apt sandbox user
        # could not write there, which apt notes and ignores).
        if ! (cd "$LAB/debs" && apt-get download "${need[@]}") >>"$LAB/cyrus-apt.log" 2>&1; then
            apt_update
            (cd "$LAB/debs" && apt-get download "${need[@]}") >>"$LAB/cyrus-apt.log" 2>&1 || {
                logs cyrus-apt.log
                fail "apt-get download ${need[*]} failed (its words above)"
            }
        fi
    fi
    need=()
    for pkg in "${LIBS[@]}"; do
        dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed' || need+=("$pkg")
    done
    if [ ${#need[@]} -gt 0 ]; then
        echo "cyrus: installing ${need[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${need[@]}" \
            >>"$LAB/cyrus-apt.log" 2>&1 || {
            apt_update
            DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${need[@]}" \
                >>"$LAB/cyrus-apt.log" 2>&1 || {
                logs cyrus-apt.log
                fail "apt-get install ${need[*]} failed (its words above)"
            }
        }
    fi
    rm -rf "$ROOT"
    mkdir -p "$ROOT"
    for deb in "$LAB"/debs/*.deb; do
        dpkg -x "$deb" "$ROOT"
    done
    missing=$(for b in "$BIN/master" "$BIN/imapd" "$BIN/pop3d" "$BIN/ctl_cyrusdb" "$ROOT/usr/sbin/saslpasswd2"; do
        [ -x "$b" ] || { echo "$b (not in the packages)"; continue; }
        LD_LIBRARY_PATH=$LIBDIR ldd "$b" | awk '/not found/ {print $1}'
    done | sort -u | paste -sd' ' -)
    [ -z "$missing" ] || fail "Cyrus cannot run, missing: $missing"
}

# Fails naming the holder if a port is taken on $ADDR (same rules as start.sh).
check_ports() {
    local taken=() found port
    for port in "${PORTS[@]}"; do
        mapfile -t found < <(port_takers "$ADDR" "$port")
        taken+=("${found[@]}")
    done
    if [ ${#taken[@]} -gt 0 ]; then
        printf 'cyrus: %s\n' "${taken[@]}" >&2
        fail "Cyrus was not started; use another ADDR"
    fi
}

write_config() {
    local d
    rm -rf "$C"
    # configdirectory's subdirectories as Debian's makedirs makes them; Cyrus creates the rest.
    mkdir -p "$C/run/proc" "$C/run/lock" "$C/run/socket" "$C/spool" "$C/sieve"
    for d in db log msg user quota lock socket; do mkdir -p "$C/conf/$d"; done
    cp "$LAB/server.key" "$C/server.key"
    chmod 600 "$C/server.key"
    cat >"$C/imapd.conf" <<CONF
# The maildoctor lab's Cyrus, written by tests/lab/cyrus.sh.
configdirectory: $C/conf
defaultpartition: default
partition-default: $C/spool
proc_path: $C/run/proc
mboxname_lockpath: $C/run/lock
lmtpsocket: $C/run/socket/lmtp
idlesocket: $C/run/socket/idle
notifysocket: $C/run/socket/notify
sievedir: $C/sieve
# No user cyrus: the existing system user mail.
cyrus_user: $MAIL_USER
cyrus_group: $MAIL_USER
servername: mail.lab.test
syslog_prefix: cyrus-lab
master_bind_errors_fatal: yes
# alice@lab.test logs in as user alice of domain lab.test; "/" separates levels, so the "."
# of the domain is no hierarchy separator.
virtdomains: userid
unixhierarchysep: yes
# INBOX is created at the first login.
autocreate_quota: 0
allowplaintext: no
allowapop: no
failedloginpause: 0
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $C/sasldb2
sasl_mech_list: PLAIN LOGIN
tls_server_cert: $LAB/server.pem
tls_server_key: $C/server.key
CONF
    cat >"$C/cyrus.conf" <<CONF
# The maildoctor lab's Cyrus, written by tests/lab/cyrus.sh.
START {
  recover cmd="$BIN/ctl_cyrusdb -C $C/imapd.conf -r"
}
SERVICES {
  imap  cmd="$BIN/imapd -C $C/imapd.conf" listen="$ADDR:143" prefork=0
  imaps cmd="$BIN/imapd -C $C/imapd.conf -s" listen="$ADDR:993" prefork=0
  pop3  cmd="$BIN/pop3d -C $C/imapd.conf" listen="$ADDR:110" prefork=0
  pop3s cmd="$BIN/pop3d -C $C/imapd.conf -s" listen="$ADDR:995" prefork=0
}
EVENTS {
  checkpoint cmd="$BIN/ctl_cyrusdb -C $C/imapd.conf -c" period=30
}
CONF
    chmod 644 "$C/imapd.conf" "$C/cyrus.conf"
    printf '%s' "$USER_PASS" | LD_LIBRARY_PATH=$LIBDIR "$ROOT/usr/sbin/saslpasswd2" -f "$C/sasldb2" -p -c "$USER_NAME"
    chown -R "$MAIL_USER:$MAIL_USER" "$C/conf" "$C/spool" "$C/sieve" "$C/run" "$C/server.key" "$C/sasldb2"
    chmod 640 "$C/sasldb2"

    cat >"$C/syslog.py" <<'PY'
# The lab Cyrus's syslog: writes every datagram sent to the socket to the log file.
import os, socket, sys, time
sock_path, log_path, pid_path = sys.argv[1:4]
try:
    os.unlink(sock_path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
os.chmod(sock_path, 0o666)
with open(pid_path, "w") as f:
    f.write("%d\n" % os.getpid())
with open(log_path, "a", buffering=1) as log:
    while True:
        line = s.recv(65536).decode("utf-8", "replace").rstrip("\n\0")
        log.write(time.strftime("%Y-%m-%d %H:%M:%S ") + line + "\n")
PY
}

# Runs "$@" (master) with /dev/log pointing to the lab's socket: in a mount namespace of its
# own whose /dev is a tmpfs with the usual device nodes.
# shellcheck disable=SC2016 # expanded by the bash inside the namespace
NS_SCRIPT='set -e
mount -t tmpfs -o mode=755,size=64k cyrus-lab-dev /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
mknod -m 666 /dev/tty c 5 0
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
ln -s "$SYSLOG_SOCK" /dev/log
exec "$@"'

# Whether the master that $C/run/master.pid names still runs.
master_runs() {
    local pid
    pid=$(running_pid "$C/run/master.pid") && alive "$pid"
}

do_start() {
    local python port pid ns=1
    [ "$(id -u)" = 0 ] || fail "cyrus.sh start must run as root (it binds ports < 1024 and becomes $MAIL_USER)"
    if [[ ! ${ADDR:-} =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] \
        || ((BASH_REMATCH[1] > 255 || BASH_REMATCH[2] > 255 || BASH_REMATCH[3] > 255)); then
        fail "ADDR must be an IPv4 loopback address 127.x.y.z, not '${ADDR:-}'"
    fi
    for f in ca.pem server.pem server.key; do
        [ -s "$LAB/$f" ] || fail "$LAB/$f is missing (start.sh makes it)"
    done
    if [ -x /usr/bin/python3 ]; then
        python=/usr/bin/python3
    else
        python=$(command -v python3) || fail "python3 is needed for the syslog listener"
    fi
    LIBDIR=$ROOT/usr/lib/x86_64-linux-gnu

    do_stop
    check_ports
    fetch_packages
    write_config

    started=1
    echo "--- cyrus.sh start $(date "+%F %T")" >>"$LAB/cyrus.log"
    # Daemons must not hold this script's output open, or whoever reads it waits forever.
    setsid "$python" "$C/syslog.py" "$C/run/syslog.sock" "$LAB/cyrus.log" "$C/run/syslog.pid" \
        </dev/null >>"$LAB/cyrus.out" 2>&1 &
    for _ in $(seq 1 50); do
        [ -S "$C/run/syslog.sock" ] && [ -s "$C/run/syslog.pid" ] && break
        sleep 0.1
    done
    [ -S "$C/run/syslog.sock" ] || { logs; fail "the syslog listener did not start (its words above)"; }

    unshare -m --propagation private true 2>/dev/null || ns=
    if [ -n "$ns" ]; then
        (cd / && LD_LIBRARY_PATH=$LIBDIR SYSLOG_SOCK=$C/run/syslog.sock exec setsid \
            unshare -m --propagation private bash -c "$NS_SCRIPT" cyrus-lab \
            "$BIN/master" -C "$C/imapd.conf" -M "$C/cyrus.conf" -p "$C/run/master.pid" -D) \
            </dev/null >>"$LAB/cyrus.out" 2>&1 &
    else
        echo "cyrus: unshare -m is not allowed here; Cyrus's syslog lines are lost" >>"$LAB/cyrus.out"
        (cd / && LD_LIBRARY_PATH=$LIBDIR exec setsid \
            "$BIN/master" -C "$C/imapd.conf" -M "$C/cyrus.conf" -p "$C/run/master.pid" -D) \
            </dev/null >>"$LAB/cyrus.out" 2>&1 &
    fi

    # Wait until every port answers; give up early if master is gone.
    for port in "${PORTS[@]}"; do
        for _ in $(seq 1 100); do
            if (exec 3<>"/dev/tcp/$ADDR/$port") 2>/dev/null; then break; fi
            if [ -f "$C/run/master.pid" ] && ! master_runs; then break 2; fi
            sleep 0.1
        done
        if ! (exec 3<>"/dev/tcp/$ADDR/$port") 2>/dev/null; then
            logs
            fail "port $port on $ADDR does not answer (Cyrus's words above)"
        fi
    done
    master_runs || { logs; fail "Cyrus master is not running (its words above)"; }
    pid=$(running_pid "$C/run/master.pid")
    is_lab_master "$pid" || { logs; fail "pid $pid in $C/run/master.pid is not the lab's master"; }
    # One login now, so INBOX exists before the tests log in: Cyrus creates it at the first
    # login, and a POP3 login racing an IMAP one then fails ("-ERR [SYS/PERM] Unable to open
    # maildrop: Mailbox already exists"), although the password was right.
    # The services may still be coming up under load: a few tries, each bounded.
    local try
    for try in 1 2 3 4 5; do
        # s_client's own status is no verdict: Cyrus closes after LOGOUT without a TLS
        # close_notify, which OpenSSL 3 reports as "unexpected eof" and exit 1.
        printf 'a1 LOGIN %s %s\r\na2 LOGOUT\r\n' "$USER_NAME" "$USER_PASS" |
            timeout 10 openssl s_client -quiet -ign_eof -connect "$ADDR:993" -CAfile "$LAB/ca.pem" \
                >"$C/first-login.out" 2>&1 || true
        if grep -q '^a1 OK' "$C/first-login.out"; then
            break
        fi
        [ "$try" != 5 ] || {
            logs
            tail -n 5 "$C/first-login.out" >&2
            fail "the first login over IMAPS (creating INBOX) failed 5 times (its words above)"
        }
        sleep 1
    done
    started=
    echo "cyrus: Cyrus IMAP listens on $ADDR (ports ${PORTS[*]}; user $USER_NAME / $USER_PASS; logs $LAB/cyrus.log)"
}

case ${1:-} in
    ports) printf '%s\n' "${PORTS[@]}" ;;
    start)
        check_lab
        do_start
        ;;
    stop)
        case ${LAB:-} in
            /?*) ;;
            *) fail "LAB must be set to an absolute path, not '${LAB:-}'" ;;
        esac
        LAB=${LAB%/}
        do_stop
        ;;
    *)
        echo "usage: LAB=/abs/dir ADDR=127.x.y.z bash $0 start|stop|ports" >&2
        exit 2
        ;;
esac
