#!/usr/bin/env bash
# A real Exim 4 (Debian bookworm's exim4-daemon-light) for the lab, beside its Postfix: smtp 25
# (STARTTLS, no AUTH), submission 587 (STARTTLS; AUTH PLAIN LOGIN only after it) and
# submissions 465 (implicit TLS; AUTH PLAIN LOGIN), on its own loopback address. Run as root.
#
#   bash tests/lab/exim.sh ports   the TCP ports it listens on, one a line
#   bash tests/lab/exim.sh start   (re)starts it: stops this lab's Exim first
#   bash tests/lab/exim.sh stop    stops it; safe to run twice and when nothing runs
#
# Environment:
#   LAB   the lab's directory, absolute, already there. start needs in it ca.pem, server.pem and
#         server.key (the test CA and the server certificate with SAN DNS:mail.lab.test and
#         IP:$ADDR); Exim's own files go to $LAB/debs, $LAB/exim-root, $LAB/exim, $LAB/exim.out.
#   ADDR  (start only) the IPv4 loopback address 127.x.y.z to listen on, e.g. 127.0.0.3.
#
# Debian's MTAs conflict as packages (installing exim4 would remove postfix), so the packages
# are only downloaded (`apt-get download`) to $LAB/debs and unpacked with `dpkg -x` into
# $LAB/exim-root; the daemon runs from there with the lab's config ($LAB/exim/exim.conf, via
# -C). Libraries it lacks (bookworm: libidn12) are installed with apt-get, library packages only.
# Nothing in /etc is touched and no user is created. Test user: alice@lab.test / lab-password.
#
# What Debian's binary needs, found out by running it:
# - Its compiled-in Exim user is `ref:Debian-exim` (EXIM_USER/EXIM_GROUP), resolved with
#   getpwnam() at the very top of main(), before any option or config is read: without that
#   user even `exim4 --version` only says `exim: failed to find uid for user name
#   "Debian-exim"` and exits 1, and `exim_user` in the config cannot help. So Exim runs in a
#   private mount namespace (`unshare --mount`, propagation private) in which copies of
#   /etc/passwd and /etc/group, made under $LAB/exim/etc with one more line each naming
#   Debian-exim with the uid and gid of the existing user `mail`, are bind-mounted over the
#   real ones. Only Exim's processes see them; the system's files stay as they are, and the
#   namespace goes away with the last Exim process. The config then says exim_user = mail and
#   exim_group = mail as well: the receiving processes run as mail.
# - `-C` from root keeps root privilege (only other callers lose it; the compiled-in
#   TRUSTED_CONFIG_LIST, /etc/exim4/trusted_configs, would let the Exim user keep it, and it
#   does not exist here, nor is it needed). So the daemon starts as root, binds the ports below
#   1024 and then drops to mail itself (uid and gid 8, real and effective: see ps or
#   /proc/PID/status); so do the receiving processes it forks per connection. A delivery is a
#   re-execution of Exim by such a process: caller mail, with -C, so it runs without root, as
#   deliver_drop_privilege also says, and the mailbox transport writes as mail. For the same
#   reason SIGHUP (Exim's restart: the daemon re-executes itself, as mail) could not bind the
#   ports again: restart with `start`, which stops the daemon first.
# - The daemon puts itself in the background before it binds its sockets, so its command's
#   exit status says nothing about the ports: start checks that the pid file's process holds
#   every port. A port in use makes it retry (9 times, 30 s apart, by default), holding the
#   ports it did bind without answering: daemon_startup_retries = 0 makes it give up at once.
#
# Mail: only alice@lab.test is accepted (to $LAB/exim/mail/alice, an mbox); other lab.test
# addresses get 550, other domains "relay not permitted", nothing is ever delivered out. On 587
# and 465 a recipient also needs AUTH first (like the lab's Postfix). No DNS is used (no host
# name lookup of clients, no ident).
set -Eeuo pipefail
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"

PORTS=(25 587 465)
USER_NAME=alice@lab.test
USER_PASS=lab-password
MAIL_USER=mail

usage() {
    echo "usage: LAB=/abs/lab/dir ADDR=127.x.y.z bash $0 start | LAB=/abs/lab/dir bash $0 stop | bash $0 ports" >&2
    exit 2
}

cmd=${1:-}
[ $# -le 1 ] || usage
case $cmd in
    ports)
        printf '%s\n' "${PORTS[@]}"
        exit 0
        ;;
    start | stop) ;;
    *) usage ;;
esac

# The last lines of the named files (default: Exim's logs and output), on stderr.
logs() {
    local f
    [ $# -gt 0 ] || set -- "$LAB/exim.out" "$LAB/exim/log/paniclog" "$LAB/exim/log/mainlog"
    for f in "$@"; do
        [ -s "$f" ] || continue
        echo "--- $f (last lines):" >&2
        tail -n 20 "$f" >&2
    done
}

started=
fail() {
    trap - ERR
    echo "lab: exim.sh $cmd: $*" >&2
    if [ -n "$started" ]; then stop_exim >&2 || true; fi
    exit 1
}

on_err() {
    local status=$1 line=$2 command=$3
    trap - ERR
    echo "lab: exim.sh $cmd failed (exit $status) at line $line: $command" >&2
    if [ "$cmd" = start ]; then
        logs
        if [ -n "$started" ]; then stop_exim >&2 || true; fi
    fi
    exit "$status"
}
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR

[ "$(id -u)" = 0 ] || fail "must run as root (it binds ports below 1024 and runs Exim as root)"
LAB=${LAB:-}
# Exim's config takes the paths as they are: no spaces or other specials.
[[ $LAB =~ ^/[A-Za-z0-9._/+-]+$ ]] || fail "LAB must be an absolute path of letters, digits and ._/+-, not '$LAB'"
LAB=${LAB%/}
E=$LAB/exim
ROOT=$LAB/exim-root
EXIM=$ROOT/usr/sbin/exim4


# A process's executable, without the " (deleted)" of one unpacked anew since it started.
exe_of() {
    local exe
    exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
    echo "${exe% (deleted)}"
}

# Processes whose executable lies under the lab's exim-root: the daemon, its receiving and
# delivery processes, and nothing else on the machine. (A zombie has no exe.)
lab_exims() {
    find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$REAL_ROOT/*" 2>/dev/null \
        | sed -E 's|^/proc/([0-9]+)/exe$|\1|' | grep -E '^[0-9]+$' || true
}

# Stops this lab's Exim: the daemon that the pid file names, if it runs the lab's binary,
# then whatever else still runs from $LAB/exim-root.
stop_exim() {
    [ -d "$LAB" ] || return 0
    REAL_ROOT=$(cd -P "$LAB" && pwd)/exim-root
    local pid exe left
    if pid=$(running_pid "$E/exim.pid"); then
        exe=$(exe_of "$pid") || exe=
        if [ "$exe" = "$REAL_ROOT/usr/sbin/exim4" ]; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do
                [ -d "/proc/$pid" ] || break
                sleep 0.1
            done
            if [ -d "/proc/$pid" ]; then
                echo "lab: Exim (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
                kill -KILL "$pid" 2>/dev/null || true
            fi
            echo "lab: stopped Exim (pid $pid)"
        elif [ -n "$exe" ]; then
            # (A daemon that failed to start may still be exiting: a zombie has no exe.)
            echo "lab: $E/exim.pid names pid $pid, which is not this lab's Exim ($exe); left alone" >&2
        fi
    fi
    # The daemon leaves its receiving processes (one per open connection) running: SIGTERM
    # makes them say 421 and exit; SIGKILL after 2 s.
    left=$(lab_exims | paste -sd' ' -)
    if [ -n "$left" ]; then
        # shellcheck disable=SC2086
        kill -TERM $left 2>/dev/null || true
        for _ in $(seq 1 20); do
            [ -z "$(lab_exims)" ] && break
            sleep 0.1
        done
        left=$(lab_exims | paste -sd' ' -)
        if [ -n "$left" ]; then
            echo "lab: processes of the lab's Exim still run after SIGTERM: $left; sending SIGKILL" >&2
            # shellcheck disable=SC2086
            kill -KILL $left 2>/dev/null || true
        fi
    fi
    rm -f "$E/exim.pid"
}

if [ "$cmd" = stop ]; then
    stop_exim
    exit 0
fi

# ---- start ----
ADDR=${ADDR:-}
if [[ ! $ADDR =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] \
    || ((BASH_REMATCH[1] > 255 || BASH_REMATCH[2] > 255 || BASH_REMATCH[3] > 255)); then
    fail "ADDR must be an IPv4 loopback address 127.x.y.z, not '$ADDR'"
fi
[ -d "$LAB" ] || fail "LAB=$LAB is not a directory"
for f in ca.pem server.pem server.key; do
    [ -s "$LAB/$f" ] || fail "$LAB/$f is missing (the lab's CA and server certificate)"
done
getent passwd "$MAIL_USER" >/dev/null || fail "there is no user '$MAIL_USER' to run Exim as"
for tool in unshare mount ss apt-get dpkg ldd; do
    command -v "$tool" >/dev/null || fail "'$tool' is not installed"
done

stop_exim

# Every port must be free on $ADDR (the same test as start.sh's): a listener on $ADDR:PORT,
# 0.0.0.0:PORT or a dual-stack *:PORT blocks Exim's bind.
taken=()
for port in "${PORTS[@]}"; do
    mapfile -t found < <(port_takers "$ADDR" "$port")
    taken+=("${found[@]}")
done
if [ ${#taken[@]} -gt 0 ]; then
    printf 'lab: %s\n' "${taken[@]}" >&2
    fail "Exim was not started; use another ADDR or stop that program"
fi

# apt-get update when the package lists lack what we ask for; another apt may hold the lock.
apt_update() {
    for _ in $(seq 1 30); do
        if apt-get -o DPkg::Lock::Timeout=300 update -qq >"$LAB/exim.apt" 2>&1; then return 0; fi
        grep -qi 'lock' "$LAB/exim.apt" || break
        sleep 10
    done
    cat "$LAB/exim.apt" >&2
    fail "apt-get update failed (its words above)"
}

# The packages, downloaded once per lab directory. (APT::Sandbox::User=root: the _apt user may
# not write to $LAB/debs; apt would do it as root anyway, with a warning.)
mkdir -p "$LAB/debs"
download() {
    (cd "$LAB/debs" && apt-get -o APT::Sandbox::User=root -qq download exim4-daemon-light exim4-base) \
        >"$LAB/exim.apt" 2>&1
}
if ! compgen -G "$LAB/debs/exim4-daemon-light_*.deb" >/dev/null || ! compgen -G "$LAB/debs/exim4-base_*.deb" >/dev/null; then
    if ! download; then
        apt_update
        download || {
            cat "$LAB/exim.apt" >&2
            fail "apt-get download exim4-daemon-light exim4-base failed (its words above)"
        }
    fi
fi
rm -rf "$ROOT"
mkdir -p "$ROOT"
for deb in "$LAB"/debs/exim4-base_*.deb "$LAB"/debs/exim4-daemon-light_*.deb; do
    dpkg -x "$deb" "$ROOT"
done
[ -x "$EXIM" ] || fail "$EXIM is not in the unpacked packages"

# Shared libraries: the library packages that exim4-daemon-light depends on, if some is missing.
missing_libs() { ldd "$EXIM" | awk '/not found/ {print $1}'; }
if [ -n "$(missing_libs)" ]; then
    need=()
    for pkg in $(dpkg-deb -f "$LAB"/debs/exim4-daemon-light_*.deb Depends | tr ',|' '\n' | awk '{print $1}' | grep '^lib' | sort -u); do
        dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
    done
    echo "lab: Exim lacks $(missing_libs | paste -sd' ' -); installing ${need[*]:-nothing?}"
    if [ ${#need[@]} -gt 0 ]; then
        if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${need[@]}" >"$LAB/exim.apt" 2>&1; then
            apt_update
            DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${need[@]}" >"$LAB/exim.apt" 2>&1 || {
                cat "$LAB/exim.apt" >&2
                fail "apt-get install ${need[*]} failed (its words above)"
            }
        fi
    fi
    [ -z "$(missing_libs)" ] || fail "Exim still lacks the libraries $(missing_libs | paste -sd' ' -)"
fi

# Exim's directory: spool, logs and mailbox belong to mail (the receiving and delivering
# processes run as mail); the config and the passwd/group copies to root, not writable by others
# (Exim refuses a config file that others may write).
rm -rf "$E"
mkdir -p "$E/etc" "$E/spool" "$E/log" "$E/mail"
chmod 755 "$E" "$E/etc"
chown "$MAIL_USER:$MAIL_USER" "$E/spool" "$E/log" "$E/mail"
chmod 750 "$E/spool" "$E/log" "$E/mail"
: >"$LAB/exim.out"
uid=$(id -u "$MAIL_USER")
gid=$(id -g "$MAIL_USER")
{ cat /etc/passwd; echo "Debian-exim:x:$uid:$gid:Exim in the maildoctor lab:/nonexistent:/usr/sbin/nologin"; } >"$E/etc/passwd"
{ cat /etc/group; echo "Debian-exim:x:$gid:"; } >"$E/etc/group"
chmod 644 "$E/etc/passwd" "$E/etc/group"
# The key as Exim reads it: the daemon (root) and its receiving processes (mail).
install -m 640 -o root -g "$MAIL_USER" "$LAB/server.key" "$E/server.key"
install -m 644 -o root -g root "$LAB/server.pem" "$E/server.pem"

# The config: the lab's values as Exim macros, then the rest literally.
cat >"$E/exim.conf" <<CONF
# The maildoctor lab's own Exim, written by tests/lab/exim.sh.
LAB_EXIM = $E
LAB_ADDR = $ADDR
LAB_USER = $USER_NAME
LAB_PASS = $USER_PASS
CONF
cat >>"$E/exim.conf" <<'CONF'

primary_hostname = mail.lab.test
qualify_domain = lab.test
domainlist local_domains = lab.test

exim_user = mail
exim_group = mail
never_users = root
deliver_drop_privilege = true
keep_environment =

spool_directory = LAB_EXIM/spool
log_file_path = LAB_EXIM/log/%slog
pid_file_path = LAB_EXIM/exim.pid
log_selector = +smtp_connection +smtp_protocol_error +smtp_syntax_error +tls_certificate_verified

local_interfaces = <; LAB_ADDR
daemon_smtp_ports = 25 : 587 : 465
# A port in use: fail at once (by default Exim retries 9 times, 30 s apart).
daemon_startup_retries = 0
tls_on_connect_ports = 465
tls_advertise_hosts = *
tls_certificate = LAB_EXIM/server.pem
tls_privatekey = LAB_EXIM/server.key

# No network: no reverse lookup of clients, no ident.
host_lookup =
rfc1413_hosts =

# AUTH only on 587 and 465, and only once TLS is on.
auth_advertise_hosts = ${if or{{eq{$received_port}{25}}{eq{$tls_in_cipher}{}}}{}{*}}

acl_smtp_rcpt = acl_check_rcpt

begin acl

acl_check_rcpt:
  deny    message = relay not permitted
          !domains = +local_domains
  deny    message = authentication required
          condition = ${if !eq{$received_port}{25}}
          !authenticated = *
  require verify = recipient
  accept

begin routers

lab_user:
  driver = accept
  domains = +local_domains
  local_parts = alice
  transport = lab_mailbox

begin transports

lab_mailbox:
  driver = appendfile
  file = LAB_EXIM/mail/alice
  user = mail
  group = mail
  mode = 0600
  delivery_date_add
  envelope_to_add
  return_path_add

begin retry

*   *   F,1h,10m

begin authenticators

lab_plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = ${if and{{eq{$auth2}{LAB_USER}}{eq{$auth3}{LAB_PASS}}}}
  server_set_id = $auth2

lab_login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = ${if and{{eq{$auth1}{LAB_USER}}{eq{$auth2}{LAB_PASS}}}}
  server_set_id = $auth1
CONF
chmod 644 "$E/exim.conf"

# Runs the lab's exim4 with its config and the given options, in a mount namespace of its own
# where Debian-exim exists (see the top). exec: the daemon is this process (or its fork).
exim_ns() {
    # shellcheck disable=SC2016 # $1, $2 and $@ are the inner shell's
    unshare --mount --propagation private -- /bin/sh -c \
        'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"' \
        sh "$E/etc/passwd" "$E/etc/group" "$EXIM" -C "$E/exim.conf" "$@"
}

# The syntax check, in Exim's own words (on stderr; stdout has its version and build).
if ! exim_ns -bV </dev/null >"$LAB/exim.check" 2>"$LAB/exim.check.err"; then
    if [ -s "$LAB/exim.check.err" ] || [ -s "$E/log/paniclog" ]; then
        logs "$LAB/exim.check.err" "$E/log/paniclog"
    else
        logs "$LAB/exim.check"
    fi
    fail "Exim rejects $E/exim.conf (its words above)"
fi

# The daemon: -bd forks into the background at once (before it binds); it must not hold this
# script's output open.
started=1
exim_ns -bd -oP "$E/exim.pid" </dev/null >>"$LAB/exim.out" 2>&1 || {
    logs
    fail "Exim did not start (its words above)"
}

# Wait (5 s at most) until every port answers. A daemon that cannot bind says so in its logs
# and exits: then no process of the lab's Exim is left. (A probe has 1 s: a listening socket
# whose daemon does not accept answers until its backlog is full, then hangs.)
REAL_ROOT=$(cd -P "$ROOT" && pwd)
deadline=$((SECONDS + 5))
while :; do
    ok=1
    for port in "${PORTS[@]}"; do
        # shellcheck disable=SC2016 # $0 and $1 are the inner shell's
        timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$ADDR" "$port" 2>/dev/null || { ok=; break; }
    done
    [ -n "$ok" ] && break
    [ -n "$(lab_exims)" ] || break
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.1
done
pid=$(running_pid "$E/exim.pid") || pid=
if [ -z "$ok" ] || [ -z "$pid" ]; then
    logs
    fail "Exim does not answer on every port of $ADDR (${PORTS[*]}) (its logs above)"
fi
for port in "${PORTS[@]}"; do
    [[ $(ss -ltnpH "src $ADDR:$port") == *"pid=$pid,"* ]] || {
        logs
        fail "$ADDR:$port answers, but not from the lab's Exim (pid $pid)"
    }
done
version=$(sed -n 's/^Exim version \([^ ]*\).*/\1/p' "$LAB/exim.check")
echo "lab: Exim ${version:-?} listens on $ADDR (ports ${PORTS[*]}, pid $pid, config $E/exim.conf)"
