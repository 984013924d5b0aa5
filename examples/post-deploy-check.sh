#!/bin/sh
# Post-deploy gate: after deploying the mail servers, prove that a message
# submitted on the new SMTP reaches the mailbox. Usage:
#   SMTP_HOST=mx1.example.org IMAP_HOST=imap.example.org ./post-deploy-check.sh
# Every other setting has a default that you can override the same way:
#   SMTP_PORT=587 SMTP_TLS=starttls IMAP_PORT=993 IMAP_TLS=tls
#   MAIL_FROM=deploy-probe@example.org MAIL_TO=probe-inbox@example.org
#   SMTP_USER=$MAIL_FROM IMAP_USER=$MAIL_TO CA_FILE= (private CA bundle)
#   ATTEMPTS=3 PAUSE=20 TIMEOUT=60
# Passwords: /etc/mailprobe/{smtp,imap}.pw (one line, mode 0600), or set
# MAILPROBE_SMTP_PASSWORD_FILE / MAILPROBE_IMAP_PASSWORD_FILE.
#
# Only failures that a retry can fix are retried (a server still starting:
# connect, timeout, 4xx, not yet delivered); a wrong password, a rejected
# address or a certificate problem is final at once. Exit 0 mail flows,
# 1 it does not, 2 mailprobe configuration error, 3 mailprobe failed.
set -u

: "${SMTP_HOST:?set SMTP_HOST}" "${IMAP_HOST:?set IMAP_HOST}"
: "${SMTP_PORT:=587}" "${SMTP_TLS:=starttls}" "${IMAP_PORT:=993}" "${IMAP_TLS:=tls}"
: "${MAIL_FROM:=deploy-probe@example.org}" "${MAIL_TO:=probe-inbox@example.org}"
: "${SMTP_USER:=$MAIL_FROM}" "${IMAP_USER:=$MAIL_TO}" "${CA_FILE:=}"
: "${ATTEMPTS:=3}" "${PAUSE:=20}" "${TIMEOUT:=60}"
: "${MAILPROBE_SMTP_PASSWORD_FILE:=/etc/mailprobe/smtp.pw}"
: "${MAILPROBE_IMAP_PASSWORD_FILE:=/etc/mailprobe/imap.pw}"
export MAILPROBE_SMTP_PASSWORD_FILE MAILPROBE_IMAP_PASSWORD_FILE

attempt=1
while :; do
  # The nagios line is one line: the verdict, the stage and the server's words.
  line=$(mailprobe check \
    --email-from "$MAIL_FROM" --email-to "$MAIL_TO" \
    --smtp-host "$SMTP_HOST" --smtp-port "$SMTP_PORT" --smtp-tls "$SMTP_TLS" \
    --smtp-username "$SMTP_USER" \
    --imap-host "$IMAP_HOST" --imap-port "$IMAP_PORT" --imap-tls "$IMAP_TLS" \
    --imap-username "$IMAP_USER" ${CA_FILE:+--ca-file "$CA_FILE"} \
    --timeout "$TIMEOUT" --output-format nagios)
  rc=$?
  echo "post-deploy: attempt $attempt: ${line%% | *}"
  case $rc in
    0) echo "post-deploy: mail flows"; exit 0 ;;
    2) case $line in
         *": timeout "*|*": connection_refused "*|*": connection_failed "*|*": connection_closed "*|*": temp_reject "*|*": not_delivered "*|*": dns_error "*)
           [ "$attempt" -lt "$ATTEMPTS" ] || { echo "post-deploy: mail does NOT flow after $attempt attempts" >&2; exit 1; } ;;
         *) echo "post-deploy: mail does NOT flow (not retried: a retry cannot fix this)" >&2; exit 1 ;;
       esac ;;
    3) echo "post-deploy: mailprobe configuration or internal error (see above)" >&2; exit 2 ;;
    *) echo "post-deploy: mailprobe gave exit $rc with --output-format nagios" >&2; exit 3 ;;
  esac
  attempt=$((attempt + 1))
  sleep "$PAUSE"
done
