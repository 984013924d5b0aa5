#!/usr/bin/env bash
# smoke.sh: prove that the running mailstack behaves as README.md says, with
# the curl command line and stdlib python3 only. One line per check; exit 1
# if any check fails. Safe to run while others use the stack: every message
# carries a fresh token and nothing is deleted.
set -euo pipefail

ENV_FILE=${MAILSTACK_DIR:-/var/tmp/mailprobe-mailstack}/env
PY=/usr/bin/python3
if [[ ! -s $ENV_FILE ]]; then
  echo "FAIL - mailstack env file $ENV_FILE missing (run tests/mailstack/mailstack.sh start)"
  exit 1
fi
set -a
# shellcheck disable=SC1090
source "$ENV_FILE"
set +a

RUN="smoke-$(date +%s)-$$-$RANDOM"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export RUN W=$WORK
FAILS=0
CHECKS=0
T0=${EPOCHREALTIME/,/.}

# check DESCRIPTION CMD...: run CMD, print ok/FAIL with its last output line.
check() {
  local desc=$1 out rc=0
  shift
  CHECKS=$((CHECKS + 1))
  out=$("$@" 2>&1) || rc=$?
  if ((rc == 0)); then
    echo "ok   - $desc"
  else
    FAILS=$((FAILS + 1))
    echo "FAIL - $desc: $(tail -n 1 <<<"$out")"
  fi
}

H=$MS_HOST
CA=(--cacert "$MS_CA_FILE")
CURL=(curl -sS --max-time 20)

# mkmsg NAME FROM TO SUBJECT [HEADER...]: write an RFC 5322 message to $WORK/NAME.
mkmsg() {
  local name=$1 from=$2 to=$3 subject=$4 h
  shift 4
  {
    printf 'From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n' "$from" "$to" "$subject"
    printf 'Date: %s\r\nMessage-ID: <%s.%s@smoke.mailstack>\r\n' "$(date -R)" "$name" "$RUN"
    for h in "$@"; do printf '%s\r\n' "$h"; done
    printf '\r\nmailstack smoke test %s\r\n' "$subject"
  } >"$WORK/$name"
}

# send URL FROM-USER FROM-PASS TO MSGNAME [curl opts...]
send() {
  local url=$1 user=$2 pass=$3 to=$4 name=$5
  shift 5
  "${CURL[@]}" --url "$url" --user "$user:$pass" --mail-from "$user" --mail-rcpt "$to" \
    --upload-file "$WORK/$name" "$@"
}

# found URL USER PASS CRITERIA [curl opts...]: poll an IMAP SEARCH for up to 15 s.
found() {
  local url=$1 user=$2 pass=$3 criteria=$4 out i
  shift 4
  for ((i = 0; i < 150; i++)); do
    out=$("${CURL[@]}" --url "$url" --user "$user:$pass" -X "SEARCH $criteria" "$@") || return 1
    grep -qE '^\* SEARCH [0-9]' <<<"$out" && return 0
    sleep 0.1
  done
  echo "SEARCH $criteria found nothing in $url within 15 s"
  return 1
}

# absent URL USER PASS CRITERIA [curl opts...]: the SEARCH finds nothing now.
absent() {
  local url=$1 user=$2 pass=$3 criteria=$4 out
  shift 4
  out=$("${CURL[@]}" --url "$url" --user "$user:$pass" -X "SEARCH $criteria" "$@") || return 1
  if grep -qE '^\* SEARCH [0-9]' <<<"$out"; then
    echo "unexpected match for SEARCH $criteria in $url: $out"
    return 1
  fi
}

# expect_rc WANT CMD...: CMD must fail with exit code WANT.
expect_rc() {
  local want=$1 rc=0 out
  shift
  out=$("$@" 2>&1) || rc=$?
  if ((rc != want)); then
    echo "expected exit $want, got $rc: $(tail -n 1 <<<"$out")"
    return 1
  fi
}

py() { "$PY" - "$@"; }

# ------------------------------------------------------------------ checks --

env_keys() {
  local k missing=()
  for k in MS_DIR MS_HOST MS_DOMAIN MS_SMTP_NONE_PORT MS_SMTP_STARTTLS_PORT MS_SMTP_TLS_PORT \
    MS_SMTP_EXPIRING_PORT MS_IMAP_PORT MS_IMAPS_PORT MS_IMAP_NOSTARTTLS_PORT MS_CA_FILE \
    MS_OTHER_CA_FILE MS_EXPIRING_NOT_AFTER MS_POSTFIX_LOG MS_DOVECOT_LOG MS_POSTFIX_CONFIG_DIR \
    MS_DOVECOT_CONF MS_ALICE_USER MS_ALICE_PASS MS_BOB_USER MS_BOB_PASS MS_CAROL_USER \
    MS_CAROL_PASS MS_HOLD_USER MS_HOLD_PASS; do
    [[ -n ${!k:-} ]] || missing+=("$k")
  done
  ((${#missing[@]} == 0)) || { echo "missing: ${missing[*]}"; return 1; }
  py "$ENV_FILE" <<'EOF'
import sys
env = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[1]) if l.strip())
assert env["MS_HOST"] == "127.0.0.1", env["MS_HOST"]
EOF
}
check "env file has every documented key and parses as KEY=value" env_keys

no_standard_ports() {
  py <<'EOF'
std = {25, 587, 465, 143, 993}
bound = set()
for path in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        lines = open(path).read().splitlines()[1:]
    except OSError:
        continue
    for line in lines:
        f = line.split()
        if f[3] == "0A":  # LISTEN
            bound.add(int(f[1].rsplit(":", 1)[1], 16))
hit = sorted(std & bound)
assert not hit, f"standard mail ports listening: {hit}"
EOF
}
check "no listener on the standard ports 25/587/465/143/993" no_standard_ports

smtp_none_caps() {
  py <<'EOF'
import os, smtplib
with smtplib.SMTP(os.environ["MS_HOST"], int(os.environ["MS_SMTP_NONE_PORT"]), timeout=10) as s:
    s.ehlo("smoke")
    assert not s.has_extn("starttls"), "STARTTLS offered"
    assert "PLAIN" in s.esmtp_features.get("auth", "").upper(), "AUTH PLAIN not offered in cleartext"
EOF
}
check "smtp none port: no STARTTLS, AUTH PLAIN offered in cleartext" smtp_none_caps

smtp_starttls_caps() {
  py <<'EOF'
import os, smtplib
with smtplib.SMTP(os.environ["MS_HOST"], int(os.environ["MS_SMTP_STARTTLS_PORT"]), timeout=10) as s:
    s.ehlo("smoke")
    assert s.has_extn("starttls"), "STARTTLS not offered"
    assert not s.has_extn("auth"), "AUTH offered before STARTTLS"
    code, msg = s.mail(os.environ["MS_ALICE_USER"])
    assert code == 530, (code, msg)
EOF
}
check "smtp starttls port: STARTTLS offered, no AUTH before it, MAIL before it gets 530" smtp_starttls_caps

for mode in none starttls tls expiring; do
  mkmsg "$mode" "$MS_ALICE_USER" "$MS_BOB_USER" "$RUN-$mode"
done
check "send alice->bob on smtp none port (plain, AUTH in cleartext) with curl" \
  send "smtp://$H:$MS_SMTP_NONE_PORT" "$MS_ALICE_USER" "$MS_ALICE_PASS" "$MS_BOB_USER" none
check "send alice->bob on smtp starttls port (--ssl-reqd --cacert) with curl" \
  send "smtp://$H:$MS_SMTP_STARTTLS_PORT" "$MS_ALICE_USER" "$MS_ALICE_PASS" "$MS_BOB_USER" starttls --ssl-reqd "${CA[@]}"
check "send alice->bob on smtp tls port (smtps, --cacert) with curl" \
  send "smtps://$H:$MS_SMTP_TLS_PORT" "$MS_ALICE_USER" "$MS_ALICE_PASS" "$MS_BOB_USER" tls "${CA[@]}"
check "send alice->bob on smtp expiring port (smtps, --cacert) with curl" \
  send "smtps://$H:$MS_SMTP_EXPIRING_PORT" "$MS_ALICE_USER" "$MS_ALICE_PASS" "$MS_BOB_USER" expiring "${CA[@]}"

for mode in none starttls tls expiring; do
  check "bob INBOX over IMAPS shows the $mode message" \
    found "imaps://$H:$MS_IMAPS_PORT/INBOX" "$MS_BOB_USER" "$MS_BOB_PASS" "HEADER Subject $RUN-$mode" "${CA[@]}"
  check "bob INBOX over IMAP+STARTTLS shows the $mode message" \
    found "imap://$H:$MS_IMAP_PORT/INBOX" "$MS_BOB_USER" "$MS_BOB_PASS" "HEADER Subject $RUN-$mode" --ssl-reqd "${CA[@]}"
done

check "imap port allows LOGIN without TLS (curl imap://, no --ssl)" \
  found "imap://$H:$MS_IMAP_PORT/INBOX" "$MS_BOB_USER" "$MS_BOB_PASS" "HEADER Subject $RUN-none"

imap_caps() {
  py <<'EOF'
import imaplib, os
h = os.environ["MS_HOST"]
m = imaplib.IMAP4(h, int(os.environ["MS_IMAP_PORT"]), timeout=10)
assert "STARTTLS" in m.capabilities, m.capabilities
m.logout()
m = imaplib.IMAP4(h, int(os.environ["MS_IMAP_NOSTARTTLS_PORT"]), timeout=10)
assert "STARTTLS" not in m.capabilities, m.capabilities
m.login(os.environ["MS_BOB_USER"], os.environ["MS_BOB_PASS"])
m.logout()
EOF
}
check "imap port offers STARTTLS; imap nostarttls port does not, and LOGIN works there" imap_caps
check "curl --ssl-reqd on the imap nostarttls port fails (exit 64, STARTTLS not offered)" \
  expect_rc 64 "${CURL[@]}" --url "imap://$H:$MS_IMAP_NOSTARTTLS_PORT/INBOX" --user "$MS_BOB_USER:$MS_BOB_PASS" --ssl-reqd "${CA[@]}"

# shellcheck disable=SC2016 # expanded by the inner bash
check "ca.pem verifies the server as 'localhost' too (smtps and imaps)" bash -c '
  "$@" --resolve "localhost:$MS_SMTP_TLS_PORT:127.0.0.1" --url "smtps://localhost:$MS_SMTP_TLS_PORT" \
    --user "$MS_ALICE_USER:$MS_ALICE_PASS" -X NOOP &&
  "$@" --resolve "localhost:$MS_IMAPS_PORT:127.0.0.1" --url "imaps://localhost:$MS_IMAPS_PORT/" \
    --user "$MS_ALICE_USER:$MS_ALICE_PASS" -X NOOP' _ "${CURL[@]}" "${CA[@]}"
check "other-ca.pem does NOT verify the server (curl exit 60)" \
  expect_rc 60 "${CURL[@]}" --url "smtps://$H:$MS_SMTP_TLS_PORT" --cacert "$MS_OTHER_CA_FILE" -X NOOP

mkmsg junk1 "$MS_ALICE_USER" "$MS_BOB_USER" "[junk] $RUN-junksubject"
mkmsg junk2 "$MS_ALICE_USER" "$MS_BOB_USER" "$RUN-junkheader" "X-Mailprobe-Route: junk"
# shellcheck disable=SC2016 # expanded by the inner bash
check "send a [junk] subject and an X-Mailprobe-Route: junk message" bash -c '
  "$@" "$MS_BOB_USER" --upload-file "$W/junk1" && "$@" "$MS_BOB_USER" --upload-file "$W/junk2"' _ \
  "${CURL[@]}" --url "smtp://$H:$MS_SMTP_NONE_PORT" --user "$MS_ALICE_USER:$MS_ALICE_PASS" \
  --mail-from "$MS_ALICE_USER" --mail-rcpt
check "[junk] subject lands in bob's Junk" \
  found "imaps://$H:$MS_IMAPS_PORT/Junk" "$MS_BOB_USER" "$MS_BOB_PASS" "HEADER Subject $RUN-junksubject" "${CA[@]}"
check "X-Mailprobe-Route: junk lands in bob's Junk" \
  found "imaps://$H:$MS_IMAPS_PORT/Junk" "$MS_BOB_USER" "$MS_BOB_PASS" "HEADER Subject $RUN-junkheader" "${CA[@]}"
check "junk-routed messages are not in bob's INBOX" \
  absent "imaps://$H:$MS_IMAPS_PORT/INBOX" "$MS_BOB_USER" "$MS_BOB_PASS" "OR HEADER Subject $RUN-junksubject HEADER Subject $RUN-junkheader" "${CA[@]}"

special_use() {
  py <<'EOF'
import imaplib, os, ssl
ctx = ssl.create_default_context(cafile=os.environ["MS_CA_FILE"])
m = imaplib.IMAP4_SSL(os.environ["MS_HOST"], int(os.environ["MS_IMAPS_PORT"]), ssl_context=ctx, timeout=10)
m.login(os.environ["MS_CAROL_USER"], os.environ["MS_CAROL_PASS"])
typ, data = m.list()
lines = b"\n".join(data).decode()
assert '\\Junk) "." Junk' in lines and '\\Trash) "." Trash' in lines, lines
typ, data = m.lsub()
subs = b"\n".join(data).decode()
assert "Junk" in subs and "Trash" in subs, subs
m.logout()
EOF
}
check "Junk (\\Junk) and Trash (\\Trash) exist and are subscribed" special_use

hold_test() {
  local qid
  qid=$(py <<'EOF'
import os, smtplib, sys
run = os.environ["RUN"]
msg = (f"From: <{os.environ['MS_ALICE_USER']}>\r\nTo: <{os.environ['MS_HOLD_USER']}>\r\n"
       f"Subject: {run}-hold\r\n\r\nheld\r\n")
with smtplib.SMTP(os.environ["MS_HOST"], int(os.environ["MS_SMTP_NONE_PORT"]), timeout=10) as s:
    s.login(os.environ["MS_ALICE_USER"], os.environ["MS_ALICE_PASS"])
    s.mail(os.environ["MS_ALICE_USER"])
    code, resp = s.rcpt(os.environ["MS_HOLD_USER"])
    assert code == 250, (code, resp)
    code, resp = s.data(msg)
    assert code == 250, (code, resp)
    print(resp.decode().rsplit(" ", 1)[1])
EOF
  ) || return 1
  [[ $qid =~ ^[0-9A-F]+$ ]] || { echo "no queue id in DATA reply: $qid"; return 1; }
  sleep 0.3
  local q
  q=$(postqueue -c "$MS_POSTFIX_CONFIG_DIR" -p)
  grep -q "^$qid!" <<<"$q" || { echo "queue id $qid not held: $q"; return 1; }
  grep -q "$qid: hold: RCPT" "$MS_POSTFIX_LOG" || { echo "no hold log line for $qid in $MS_POSTFIX_LOG"; return 1; }
  absent "imaps://$H:$MS_IMAPS_PORT/INBOX" "$MS_HOLD_USER" "$MS_HOLD_PASS" "HEADER Subject $RUN-hold" "${CA[@]}"
}
check "hold@ is accepted, parked in the hold queue (postqueue -p shows ID!), never delivered" hold_test

mkmsg bounce "$MS_ALICE_USER" "$MS_BOUNCE_ADDR" "$RUN-bounce"
check "bounce@ is accepted at RCPT" \
  send "smtp://$H:$MS_SMTP_NONE_PORT" "$MS_ALICE_USER" "$MS_ALICE_PASS" "$MS_BOUNCE_ADDR" bounce
check "bounce@ produces a DSN in alice's INBOX" \
  found "imaps://$H:$MS_IMAPS_PORT/INBOX" "$MS_ALICE_USER" "$MS_ALICE_PASS" \
  "FROM MAILER-DAEMON SUBJECT \"Undelivered Mail\" TEXT $RUN-bounce" "${CA[@]}"

rcpt_codes() {
  py <<'EOF'
import os, smtplib
d = os.environ["MS_DOMAIN"]
with smtplib.SMTP(os.environ["MS_HOST"], int(os.environ["MS_SMTP_NONE_PORT"]), timeout=10) as s:
    s.login(os.environ["MS_ALICE_USER"], os.environ["MS_ALICE_PASS"])
    s.mail(os.environ["MS_ALICE_USER"])
    code, resp = s.rcpt(f"nobody@{d}")
    assert code == 550 and resp.startswith(b"5.1.1"), (code, resp)
    code, resp = s.rcpt("someone@example.com")
    assert code == 554 and resp.startswith(b"5.7.1"), (code, resp)
EOF
}
check "nobody@ gets 550 5.1.1 at RCPT; other domains get 554 5.7.1 (no relay)" rcpt_codes

check "wrong password refused on SMTP (curl exit 67)" \
  expect_rc 67 "${CURL[@]}" --url "smtps://$H:$MS_SMTP_TLS_PORT" "${CA[@]}" --user "$MS_ALICE_USER:wrong" -X NOOP
smtp_535() {
  py <<'EOF'
import os, smtplib
with smtplib.SMTP(os.environ["MS_HOST"], int(os.environ["MS_SMTP_NONE_PORT"]), timeout=10) as s:
    s.ehlo("smoke")
    try:
        s.auth("PLAIN", lambda challenge=None: f"\0{os.environ['MS_ALICE_USER']}\0wrong")
    except smtplib.SMTPAuthenticationError as e:
        assert e.smtp_code == 535, e
    else:
        raise AssertionError("AUTH with a wrong password succeeded")
EOF
}
check "wrong password gets 535 on SMTP AUTH PLAIN" smtp_535
check "wrong password refused on IMAP (curl exit 67)" \
  expect_rc 67 "${CURL[@]}" --url "imaps://$H:$MS_IMAPS_PORT/INBOX" "${CA[@]}" --user "$MS_ALICE_USER:wrong" -X NOOP

expiry() {
  py <<'EOF'
import datetime as dt, os, socket, ssl
ctx = ssl.create_default_context(cafile=os.environ["MS_CA_FILE"])
with socket.create_connection((os.environ["MS_HOST"], int(os.environ["MS_SMTP_EXPIRING_PORT"])), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        cert = tls.getpeercert()
not_after = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), dt.timezone.utc)
iso = not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
assert iso == os.environ["MS_EXPIRING_NOT_AFTER"], (iso, os.environ["MS_EXPIRING_NOT_AFTER"])
days = (not_after - dt.datetime.now(dt.timezone.utc)).total_seconds() / 86400
assert 8.5 < days <= 10.01, f"expiring cert has {days:.2f} days left"
print(f"notAfter {iso}, {days:.2f} days left")
EOF
}
check "expiring port serves a CA-signed cert whose notAfter equals MS_EXPIRING_NOT_AFTER (~10 days)" expiry

# OAuth2: an HS256 JWT minted with the shell alone (README "OAuth2").
b64u() { basenc --base64url -w0 | tr -d '='; }
mint_jwt() { # mint_jwt USER AUD
  local now h p sig
  now=$(date +%s)
  h=$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | b64u)
  p=$(printf '{"sub":"x","email":"%s","iss":"%s","aud":"%s","iat":%d,"exp":%d}' \
    "$1" "$MS_OAUTH2_ISSUER" "$2" "$now" "$((now + 600))" | b64u)
  sig=$(printf '%s' "$h.$p" | openssl dgst -sha256 -mac HMAC -macopt "key:$MS_OAUTH2_HS256_KEY" -binary | b64u)
  printf '%s.%s.%s' "$h" "$p" "$sig"
}
check "OAuth2 on IMAP: a locally minted JWT logs in (curl --oauth2-bearer)" \
  "${CURL[@]}" --url "imaps://$H:$MS_IMAPS_PORT/INBOX" "${CA[@]}" --user "$MS_ALICE_USER" \
  --oauth2-bearer "$(mint_jwt "$MS_ALICE_USER" "$MS_OAUTH2_AUDIENCE")" -X NOOP
check "OAuth2 on IMAP: a token for another audience is refused (curl exit 67)" \
  expect_rc 67 "${CURL[@]}" --url "imaps://$H:$MS_IMAPS_PORT/INBOX" "${CA[@]}" --user "$MS_ALICE_USER" \
  --oauth2-bearer "$(mint_jwt "$MS_ALICE_USER" other-audience)" -X NOOP
ehlo_auth() { # ehlo_auth PORT STARTTLS(0|1): the AUTH line of EHLO
  py "$@" <<'EOF'
import os, smtplib, ssl, sys
s = smtplib.SMTP(os.environ["MS_HOST"], int(sys.argv[1]), timeout=10)
if sys.argv[2] == "1":
    s.starttls(context=ssl.create_default_context(cafile=os.environ["MS_CA_FILE"]))
s.ehlo()
print(s.esmtp_features.get("auth", ""))
s.quit()
EOF
}
oauth_mechs() {
  local sub none
  sub=$(ehlo_auth "$MS_SMTP_STARTTLS_PORT" 1)
  none=$(ehlo_auth "$MS_SMTP_NONE_PORT" 0)
  [[ " $sub " == *" XOAUTH2 "* && " $sub " == *" OAUTHBEARER "* && " $none " != *XOAUTH2* ]] \
    || { echo "starttls: '$sub', none: '$none'"; return 1; }
  echo "starttls: AUTH $sub; none: AUTH $none"
}
check "OAuth2 on SMTP: XOAUTH2 and OAUTHBEARER offered after STARTTLS, not on the none port" oauth_mechs

T1=${EPOCHREALTIME/,/.}
if ((FAILS == 0)); then
  echo "smoke: all $CHECKS checks passed in $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", b - a }') s"
else
  echo "smoke: $FAILS of $CHECKS checks FAILED"
  exit 1
fi
