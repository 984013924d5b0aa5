#!/bin/sh
# Post-deploy gate: after deploying the mail servers, prove that a message
# submitted on the new SMTP reaches the mailbox. Decides by exit code only
# (mailprobe's text output is for humans). Usage:
#   SMTP_HOST=mx1.example.org IMAP_HOST=imap.example.org ./post-deploy-check.sh
# Passwords: /etc/mailprobe/{smtp,imap}.pw (one line, mode 0600), or set
# MAILPROBE_SMTP_PASSWORD_FILE / MAILPROBE_IMAP_PASSWORD_FILE.
set -u

: "${SMTP_HOST:?set SMTP_HOST}" "${IMAP_HOST:?set IMAP_HOST}"
: "${MAILPROBE_SMTP_PASSWORD_FILE:=/etc/mailprobe/smtp.pw}"
: "${MAILPROBE_IMAP_PASSWORD_FILE:=/etc/mailprobe/imap.pw}"
export MAILPROBE_SMTP_PASSWORD_FILE MAILPROBE_IMAP_PASSWORD_FILE

# A freshly restarted server may need a moment: up to 3 attempts, 20 s apart,
# but only for failures that a retry can fix (exit 1); a configuration error
# (2) or an internal error (3) is final.
attempt=1
while :; do
  mailprobe check \
    --email-from deploy-probe@example.org --email-to probe-inbox@example.org \
    --smtp-host "$SMTP_HOST" --smtp-port 587 --smtp-tls starttls \
    --smtp-username deploy-probe@example.org \
    --imap-host "$IMAP_HOST" --imap-port 993 --imap-tls tls \
    --imap-username probe-inbox@example.org \
    --timeout 60 --output-format text
  rc=$?
  case $rc in
    0) echo "post-deploy: mail flows"; exit 0 ;;
    1) [ "$attempt" -ge 3 ] && { echo "post-deploy: mail does NOT flow (see above)" >&2; exit 1; } ;;
    2) echo "post-deploy: mailprobe configuration error" >&2; exit 2 ;;
    *) echo "post-deploy: mailprobe failed (exit $rc)" >&2; exit 3 ;;
  esac
  attempt=$((attempt + 1))
  sleep 20
done
