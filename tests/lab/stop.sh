#!/usr/bin/env bash
# Stops the lab's Postfix and Dovecot.
LAB=${MAILDOCTOR_LAB_DIR:-/tmp/maildoctor-lab}
postfix stop >/dev/null 2>&1 || true
if [ -f "$LAB/dovecot.conf" ]; then
    doveadm -c "$LAB/dovecot.conf" stop >/dev/null 2>&1 || pkill -f "dovecot -c $LAB/dovecot.conf" || true
fi
exit 0
