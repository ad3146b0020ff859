#!/usr/bin/env bash
# Starts the real-server lab: Postfix (submission 587 STARTTLS, submissions 465 implicit TLS, a
# strict submission on 1587 that checks the sender against the login and relays only to lab.test,
# smtp 25) and Dovecot (IMAP 143/993, POP3 110/995) on 127.0.0.2, and beside them two other
# real implementations on 127.0.0.3: Exim 4 (25/587/465, tests/lab/exim.sh) and Cyrus IMAP
# (IMAP 143/993, POP3 110/995, tests/lab/cyrus.sh), with a test CA and one test user
# (alice@lab.test / lab-password) on all of them. Installs the Debian packages if missing
# (Exim and Cyrus are unpacked into the lab's directory instead: Debian's MTAs conflict as
# packages). Run as root. Idempotent: stops the previous lab of the same directory first.
# tests/lab/stop.sh stops it.
#
# Before starting anything it checks that every port is free on the address; if one is taken it
# names the holder, prints free addresses to export instead (the commands work as printed) and
# exits 1. Any failure prints the cause on stderr (a daemon's own words, or the failing line)
# and stops what this run had started; the logs stay in the directory.
#
# Environment (the Rust tests and scripts/*.sh read the same variables):
#   MAILDOCTOR_LAB_DIR   the lab's directory (default: this checkout's own,
#                        /tmp/maildoctor-lab-<hash of the checkout's path>, see lib.sh's
#                        lab_dir): CA ($LAB/ca.pem), configuration, queue, mail, pid files and
#                        logs (*.log, *.out). Another clone's lab has another directory, and
#                        this script never stops it.
#   MAILDOCTOR_LAB_ADDR  the loopback address Postfix and Dovecot listen on (default
#                        127.0.0.2). Use another 127.x.y.z when something else, e.g. another
#                        clone's lab, holds a lab port there.
#   MAILDOCTOR_LAB_OTHER_ADDR  the loopback address Exim and Cyrus listen on (default 127.0.0.3).
#
# The lab is self-contained: Postfix runs as its own instance (`postfix -c $LAB/postfix`, its
# own queue and data directories under $LAB), Dovecot with its own config file, so /etc/postfix,
# /etc/dovecot and /var/spool/postfix stay untouched. No address is added to `lo` (Linux routes
# all of 127.0.0.0/8 to it, so the servers can bind 127.x.y.z as it is) and no user is created
# (mail is stored as the existing system user `mail`).
#
# Tests that need it are #[ignore = "needs the Postfix/Dovecot lab (tests/lab/start.sh)"];
# run them with `cargo test -- --include-ignored` once this script has run.
set -Eeuo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lib.sh
. "$HERE/lib.sh"
LAB=$(lab_dir)
ADDR=${MAILDOCTOR_LAB_ADDR:-127.0.0.2}
OTHER_ADDR=${MAILDOCTOR_LAB_OTHER_ADDR:-127.0.0.3}
USER_NAME=alice@lab.test
USER_PASS=lab-password
MAIL_USER=mail
# 1587: a strict submission service (sender-login check, no relaying but to lab.test).
PORTS=(25 587 465 143 993 110 995 1587)
started=

# The last lines of the named logs in $LAB (default: all), on stderr.
logs() {
    local f
    [ $# -gt 0 ] || set -- postfix.check postfix.out postfix.log dovecot.out dovecot.log \
        exim.out cyrus.out cyrus.log
    for f in "$@"; do
        [ -s "$LAB/$f" ] || continue
        echo "--- $LAB/$f (last lines):" >&2
        tail -n 20 "$LAB/$f" >&2
    done
}

# Undoes a half-started lab, so a failed start leaves nothing running; the logs stay in $LAB.
undo() {
    [ -n "$started" ] || return 0
    MAILDOCTOR_LAB_DIR=$LAB bash "$HERE/stop.sh" >&2 || true
}

fail() {
    trap - ERR
    echo "lab: $*" >&2
    undo
    exit 1
}

on_err() {
    local status=$1 line=$2 cmd=$3
    trap - ERR
    echo "lab: start.sh failed (exit $status) at line $line: $cmd" >&2
    [ -d "$LAB" ] && echo "lab: logs are in $LAB (*.log, *.out)" >&2
    logs
    undo
    exit "$status"
}
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR

[ "$(id -u)" = 0 ] || fail "start.sh must run as root (it installs packages and starts daemons)"
case $LAB in
    /?*) ;;
    *) fail "MAILDOCTOR_LAB_DIR must be an absolute path, not '$LAB'" ;;
esac
for pair in "MAILDOCTOR_LAB_ADDR=$ADDR" "MAILDOCTOR_LAB_OTHER_ADDR=$OTHER_ADDR"; do
    value=${pair#*=}
    if [[ ! $value =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] \
        || ((BASH_REMATCH[1] > 255 || BASH_REMATCH[2] > 255 || BASH_REMATCH[3] > 255)); then
        fail "${pair%%=*} must be an IPv4 loopback address 127.x.y.z, not '$value'"
    fi
done
[ "$ADDR" != "$OTHER_ADDR" ] || fail "MAILDOCTOR_LAB_ADDR and MAILDOCTOR_LAB_OTHER_ADDR must differ (both are $ADDR)"
# The directory is wiped below: refuse one that holds something other than a lab (this
# script's marker, or the dovecot.conf of older versions of it).
if [ -d "$LAB" ] && [ -n "$(ls -A "$LAB")" ] && [ ! -f "$LAB/.maildoctor-lab" ] \
    && [ ! -f "$LAB/dovecot.conf" ]; then
    fail "$LAB is not empty and not a lab directory; set MAILDOCTOR_LAB_DIR to a new or empty one"
fi

# ss (iproute2) checks the ports below before anything else is installed: a taken port costs
# no package.
if ! command -v ss >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null
fi

# The previous lab of this directory (only this one: stop.sh goes by the pid files in $LAB)
# may hold the ports; then nothing else may.
MAILDOCTOR_LAB_DIR=$LAB bash "$HERE/stop.sh"

# Every port, before anything starts. The servers bind $ADDR:PORT (IPv4 only), which a listener
# on $ADDR:PORT, 0.0.0.0:PORT or a dual-stack [::]:PORT (ss shows it as *:PORT) blocks; an
# IPv6-only [::]:PORT (ss shows [::]:PORT) does not.
taken=() addr_taken='' other_taken=''
OTHER_PORTS=()
for server in exim cyrus; do
    mapfile -t -O "${#OTHER_PORTS[@]}" OTHER_PORTS < <(bash "$HERE/$server.sh" ports)
done
# check_port ADDR PORT: notes the listeners that block ADDR:PORT; true when there are none.
check_port() {
    local found
    mapfile -t found < <(port_takers "$1" "$2")
    taken+=("${found[@]}")
    [ ${#found[@]} -eq 0 ]
}
for port in "${PORTS[@]}"; do
    check_port "$ADDR" "$port" || addr_taken=1
done
for port in "${OTHER_PORTS[@]}"; do
    check_port "$OTHER_ADDR" "$port" || other_taken=1
done
if [ ${#taken[@]} -gt 0 ]; then
    printf 'lab: %s\n' "${taken[@]}" >&2
    # Another lab, e.g. another clone's, or one started before labs were per checkout (in
    # /tmp/maildoctor-lab): its directory says which, and how to stop it.
    labs=()
    for pid in $(printf '%s\n' "${taken[@]}" | grep -o 'pid [0-9]*' | cut -d' ' -f2 | sort -u); do
        if dir=$(lab_of_pid "$pid") && [[ " ${labs[*]} " != *" $dir "* ]]; then
            labs+=("$dir")
            echo "lab: they belong to the lab in $dir; unless a clone of yours uses it, this stops it: MAILDOCTOR_LAB_DIR=$dir $HERE/stop.sh" >&2
        fi
    done
    # The way out, as commands that work as printed: free addresses for the servers whose own
    # is taken, exported so that the tests (and scripts/*.sh) look for the lab there too.
    new_addr=$ADDR new_other=$OTHER_ADDR
    if [ -n "$addr_taken" ]; then
        new_addr=$(free_lab_addr "$ADDR $OTHER_ADDR" "${PORTS[@]}") || new_addr=
    fi
    if [ -n "$other_taken" ] && [ -n "$new_addr" ]; then
        new_other=$(free_lab_addr "$ADDR $OTHER_ADDR $new_addr" "${OTHER_PORTS[@]}") || new_other=
    fi
    if [ -z "$new_addr" ] || [ -z "$new_other" ]; then
        fail "nothing was started, and no loopback address 127.0.0.N has all the lab's ports free: stop that program"
    fi
    fail "nothing was started. Stop that program, or move the lab to free loopback addresses, exported so that the tests find it there too:
  export MAILDOCTOR_LAB_ADDR=$new_addr MAILDOCTOR_LAB_OTHER_ADDR=$new_other
  cd $(printf %q "$(lab_checkout)") && tests/lab/start.sh && cargo test -- --include-ignored"
fi

need=()
# Beside the servers, the real clients whose settings maildoctor imports: tests/lab_clients.rs
# runs each against the lab with the same file maildoctor reads.
for pkg in postfix dovecot-imapd dovecot-pop3d openssl iproute2 \
    msmtp git git-email libio-socket-ssl-perl libnet-smtp-ssl-perl libauthen-sasl-perl \
    mutt isync fetchmail offlineimap3; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "lab: installing ${need[*]}"
    apt-get update -qq
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    echo "postfix postfix/mailname string mail.lab.test" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

rm -rf "$LAB"
mkdir -p "$LAB"
chmod 755 "$LAB"
touch "$LAB/.maildoctor-lab"

# ssmtp is a system mailer like Postfix and cannot be installed beside it: its package is
# unpacked into the lab instead (nothing installed), and tests/lab_clients.rs runs it with
# its own -C file.
mkdir -p "$LAB/clients"
if ! (cd "$LAB/clients" && { apt-get download ssmtp >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get download ssmtp >/dev/null 2>&1; }; } \
        && dpkg -x ssmtp_*.deb ssmtp); then
    echo "lab: cannot unpack ssmtp into $LAB/clients: its agreement test will fail" >&2
fi

# A CA and a server certificate for the lab's names and address.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$LAB/ca.key" -out "$LAB/ca.pem" -days 30 \
    -subj "/CN=maildoctor lab CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$LAB/server.key" -out "$LAB/server.csr" \
    -subj "/CN=mail.lab.test" 2>/dev/null
printf 'subjectAltName=DNS:mail.lab.test,DNS:localhost,IP:%s,IP:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$ADDR" "$OTHER_ADDR" >"$LAB/server.ext"
openssl x509 -req -in "$LAB/server.csr" -CA "$LAB/ca.pem" -CAkey "$LAB/ca.key" -CAcreateserial \
    -out "$LAB/server.pem" -days 30 -extfile "$LAB/server.ext" 2>/dev/null
chmod 644 "$LAB/server.pem" "$LAB/ca.pem"
chmod 640 "$LAB/server.key"
chgrp dovecot "$LAB/server.key"

# Postfix: the lab's own instance. Its config directory, queue and data directories are under
# $LAB; `postfix -c` passes the directory to every Postfix program as MAIL_CONFIG. As root no
# alternate_config_directories entry in /etc/postfix/main.cf is needed: Postfix checks that
# list only for set-gid programs (postdrop, postqueue) run by other users. master.cf binds each
# service to $ADDR explicitly; inet_interfaces (loopback-only, 127.0.0.1, which lo has) then
# only tells Postfix its own address and binds nothing. No reverse DNS of clients: without a
# network it makes smtpd wait, silently, before its greeting. No chroot: it would need copies
# of /etc files in the queue directory.
PF=$LAB/postfix
mkdir -p "$PF" "$LAB/postfix-queue"
chmod 755 "$PF" "$LAB/postfix-queue"
cat >"$PF/main.cf" <<CONF
# The maildoctor lab's own Postfix instance, written by tests/lab/start.sh.
compatibility_level = 3.6
queue_directory = $LAB/postfix-queue
data_directory = $LAB/postfix-data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $LAB/postfix.log
maillog_file_prefixes = $LAB
myhostname = mail.lab.test
mydomain = lab.test
myorigin = \$myhostname
mydestination =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
inet_interfaces = loopback-only
inet_protocols = ipv4
# Mail the clients send (tests/lab_clients.rs) is accepted and dropped: nothing leaves.
default_transport = discard
relay_transport = discard
smtpd_banner = \$myhostname ESMTP \$mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no
smtpd_tls_cert_file = $LAB/server.pem
smtpd_tls_key_file = $LAB/server.key
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/maildoctor-auth
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_peername_lookup = no
# Mail for lab.test is relayed (to the discard transport); for other domains only after a
# login, and on the strict service on 1587 not even then. (trivial-rewrite decides the class,
# so this cannot be a per-service -o.)
relay_domains = lab.test
# The strict submission service on 1587: the addresses each login may send as.
lab_sender_logins = inline:{ $USER_NAME=$USER_NAME }
CONF
cat >"$PF/master.cf" <<MASTER
# The maildoctor lab's own Postfix instance, written by tests/lab/start.sh.
# service type private unpriv chroot wakeup maxproc command
$ADDR:smtp inet n - n - - smtpd
$ADDR:submission inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
$ADDR:1587 inet n - n - - smtpd
  -o syslog_name=postfix/strict
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_sender_login_maps=\$lab_sender_logins
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
  -o smtpd_relay_restrictions=reject_unauth_destination
$ADDR:submissions inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
discard unix - - n - - discard
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
virtual unix - n n - - virtual
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
MASTER
chmod 644 "$PF/main.cf" "$PF/master.cf"

# Postfix reports errors of its commands to its log only; a pseudo-terminal makes it print them.
postfix_cmd() {
    script -qec "postfix -c $(printf %q "$PF") $1" /dev/null </dev/null
}
# `check` also creates the queue directories, which Dovecot's socket below needs.
postfix_cmd check >"$LAB/postfix.check" 2>&1 || {
    logs postfix.check postfix.log
    fail "postfix check failed for $PF (its words above)"
}

# Dovecot: its own config file, so the system's stays untouched. Its auth socket for Postfix's
# SASL lives in the lab's queue directory.
mkdir -p "$LAB/mail" "$LAB/dovecot-run"
chown "$MAIL_USER:$MAIL_USER" "$LAB/mail"
printf '%s:{PLAIN}%s\n' "$USER_NAME" "$USER_PASS" >"$LAB/users"
chmod 644 "$LAB/users"
cat >"$LAB/dovecot.conf" <<CONF
protocols = imap pop3
listen = $ADDR
base_dir = $LAB/dovecot-run
log_path = $LAB/dovecot.log
ssl = yes
ssl_cert = <$LAB/server.pem
ssl_key = <$LAB/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
# Tests log in with wrong passwords on purpose; Dovecot's growing penalty (up to 15 s per
# address) would turn later tests into timeouts. Trusted networks are exempt. Trusted clients
# also count as secured: Dovecot offers AUTH=PLAIN before STARTTLS (tests/lab_real.rs pins it).
# Clients come from 127.0.0.1 (the lab's address is not on lo), inside this network too.
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
mail_location = maildir:$LAB/mail/%u
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $LAB/users
}
userdb {
  driver = static
  args = uid=$MAIL_USER gid=$MAIL_USER home=$LAB/mail/%u
}
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = 995
    ssl = yes
  }
}
service auth {
  unix_listener $LAB/postfix-queue/private/maildoctor-auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
CONF

# Daemons must not hold this script's output open, or whoever reads it waits forever.
started=1
dovecot -c "$LAB/dovecot.conf" </dev/null >>"$LAB/dovecot.out" 2>&1 || {
    logs dovecot.out dovecot.log
    fail "Dovecot did not start (its words above)"
}
postfix_cmd start >>"$LAB/postfix.out" 2>&1 || {
    logs postfix.out postfix.log
    fail "Postfix did not start (its words above)"
}

# Wait until every port answers.
for port in "${PORTS[@]}"; do
    for _ in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/$ADDR/$port") 2>/dev/null; then break; fi
        sleep 0.1
    done
    if ! (exec 3<>"/dev/tcp/$ADDR/$port") 2>/dev/null; then
        logs
        fail "port $port on $ADDR does not answer (logs above)"
    fi
done
# The other implementations, each from its own script and config, on their own address.
for server in exim cyrus; do
    LAB=$LAB ADDR=$OTHER_ADDR bash "$HERE/$server.sh" start || fail "$server did not start (its words above)"
done
echo "lab: Postfix and Dovecot listen on $ADDR, Exim and Cyrus on $OTHER_ADDR (CA: $LAB/ca.pem, user $USER_NAME / $USER_PASS)"
