#!/usr/bin/env bash
# Starts the real-server lab: Postfix (submission 587 STARTTLS, submissions 465 implicit TLS,
# smtp 25) and Dovecot (IMAP 143/993, POP3 110/995) on 127.0.0.2, with a test CA and one test
# user. Installs the Debian packages if missing. Run as root. Idempotent: restarts both daemons.
#
# Tests that need it are #[ignore = "needs the Postfix/Dovecot lab (tests/lab/start.sh)"];
# run them with `cargo test -- --include-ignored` once this script has run.
set -euo pipefail

LAB=${MAILDOCTOR_LAB_DIR:-/tmp/maildoctor-lab}
ADDR=127.0.0.2
USER_NAME=alice@lab.test
USER_PASS=lab-password

need=()
for pkg in postfix dovecot-imapd dovecot-pop3d openssl iproute2; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "lab: installing ${need[*]}"
    apt-get update -qq
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    echo "postfix postfix/mailname string mail.lab.test" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

"$(dirname "$0")/stop.sh" >/dev/null 2>&1 || true
# Postfix binds only to addresses an interface has; 127.0.0.2 is loopback but not on lo by default.
ip addr show lo | grep -q "inet $ADDR/" || ip addr add "$ADDR/32" dev lo
rm -rf "$LAB"
mkdir -p "$LAB"
chmod 755 "$LAB"

# A CA and a server certificate for the lab's names and address.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$LAB/ca.key" -out "$LAB/ca.pem" -days 30 \
    -subj "/CN=maildoctor lab CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$LAB/server.key" -out "$LAB/server.csr" \
    -subj "/CN=mail.lab.test" 2>/dev/null
printf 'subjectAltName=DNS:mail.lab.test,DNS:localhost,IP:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$ADDR" > "$LAB/server.ext"
openssl x509 -req -in "$LAB/server.csr" -CA "$LAB/ca.pem" -CAkey "$LAB/ca.key" -CAcreateserial \
    -out "$LAB/server.pem" -days 30 -extfile "$LAB/server.ext" 2>/dev/null
chmod 644 "$LAB/server.pem" "$LAB/ca.pem"
chmod 640 "$LAB/server.key"
chgrp dovecot "$LAB/server.key" 2>/dev/null || true

# Dovecot: its own config file, so the system's stays untouched.
id -u mdlab >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin mdlab
mkdir -p "$LAB/mail" "$LAB/dovecot-run"
chown mdlab:mdlab "$LAB/mail"
printf '%s:{PLAIN}%s\n' "$USER_NAME" "$USER_PASS" > "$LAB/users"
chmod 644 "$LAB/users"
cat > "$LAB/dovecot.conf" <<CONF
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
# address) would turn later tests into timeouts. Trusted networks are exempt.
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
  args = uid=mdlab gid=mdlab home=$LAB/mail/%u
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
  unix_listener /var/spool/postfix/private/maildoctor-auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
CONF
mkdir -p /var/spool/postfix/private

# "No configuration" installs leave these out.
[ -f /etc/postfix/main.cf ] || touch /etc/postfix/main.cf
[ -f /etc/postfix/master.cf ] || cp /usr/share/postfix/master.cf.dist /etc/postfix/master.cf

# Postfix: the system instance, configured for the lab (this is a test machine). No reverse DNS
# of clients: without a network it makes smtpd wait, silently, before its greeting.
postconf -e \
    "myhostname = mail.lab.test" \
    "setgid_group = postdrop" \
    "mydestination =" \
    "inet_interfaces = $ADDR" \
    "inet_protocols = ipv4" \
    "maillog_file_prefixes = /var, /dev/stdout, $LAB" \
    "maillog_file = $LAB/postfix.log" \
    "smtpd_tls_cert_file = $LAB/server.pem" \
    "smtpd_tls_key_file = $LAB/server.key" \
    "smtpd_tls_security_level = may" \
    "smtpd_tls_auth_only = yes" \
    "smtpd_sasl_type = dovecot" \
    "smtpd_sasl_path = private/maildoctor-auth" \
    "smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination" \
    "smtpd_peername_lookup = no" \
    "compatibility_level = 3.6"
# Submission services, replacing any earlier lab block.
sed -i '/^# maildoctor-lab begin/,/^# maildoctor-lab end/d' /etc/postfix/master.cf
cat >> /etc/postfix/master.cf <<'MASTER'
# maildoctor-lab begin
submission inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
submissions inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
# maildoctor-lab end
MASTER
newaliases 2>/dev/null || true

# Daemons must not hold this script's output open, or whoever reads it waits forever.
dovecot -c "$LAB/dovecot.conf" </dev/null >>"$LAB/dovecot.out" 2>&1
# Postfix reports its errors to syslog only; a pseudo-terminal makes it print them too.
script -qec "postfix check" /dev/null </dev/null
script -qec "postfix start" /dev/null </dev/null >>"$LAB/postfix.out" 2>&1 \
    || script -qec "postfix reload" /dev/null </dev/null >>"$LAB/postfix.out" 2>&1

# Wait until every port answers.
for port in 25 587 465 143 993 110 995; do
    for _ in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/$ADDR/$port") 2>/dev/null; then break; fi
        sleep 0.1
    done
    (exec 3<>"/dev/tcp/$ADDR/$port") 2>/dev/null || { echo "lab: port $port on $ADDR does not answer" >&2; tail -20 "$LAB"/*.log >&2 || true; exit 1; }
done
echo "lab: Postfix and Dovecot listen on $ADDR (CA: $LAB/ca.pem, user $USER_NAME / $USER_PASS)"
