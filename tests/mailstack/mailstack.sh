#!/usr/bin/env bash
# mailstack.sh: a private Postfix + Dovecot on 127.0.0.1 high ports for the
# mailprobe integration tests. See README.md in this folder.
#
#   mailstack.sh install   apt-get the packages (quick no-op when present)
#   mailstack.sh start     idempotent; writes $MAILSTACK_DIR/env
#   mailstack.sh stop      idempotent
#   mailstack.sh reset     empty every test mailbox and the Postfix queue
#   mailstack.sh status    print whether it runs (exit 0 only if it does)
#
# Environment: MAILSTACK_DIR (default /var/tmp/mailprobe-mailstack),
#              MAILSTACK_PORT_BASE (default 20000).
set -Eeuo pipefail
trap 'echo "mailstack: error: command failed (line $LINENO, status $?): $BASH_COMMAND" >&2' ERR
if [[ -n ${MAILSTACK_TRACE:-} ]]; then PS4='+ ${EPOCHREALTIME} ${FUNCNAME[0]:-main}: '; set -x; fi

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF="$SELF_DIR/$(basename "${BASH_SOURCE[0]}")"
readonly SELF_DIR SELF
readonly PY=/usr/bin/python3
readonly HEALTH="$SELF_DIR/health.py"

readonly MS_DIR=${MAILSTACK_DIR:-/var/tmp/mailprobe-mailstack}
readonly BASE=${MAILSTACK_PORT_BASE:-20000}
readonly HOST=127.0.0.1
readonly DOMAIN=mailprobe.test
if ! [[ $BASE =~ ^[0-9]{4,5}$ ]]; then
  echo "mailstack: error: MAILSTACK_PORT_BASE must be an integer in 1024..64542: $BASE" >&2
  exit 2
fi

# Port offsets are fixed; only the base moves.
readonly P_SMTP_NONE=$((BASE + 25))
readonly P_SMTP_STARTTLS=$((BASE + 587))
readonly P_SMTP_TLS=$((BASE + 465))
readonly P_SMTP_EXPIRING=$((BASE + 466))
readonly P_IMAP=$((BASE + 143))
readonly P_IMAPS=$((BASE + 993))
readonly P_IMAP_NOSTARTTLS=$((BASE + 144))
readonly P_LMTP=$((BASE + 24))
readonly P_AUTH=$((BASE + 26))
# A deliberately misconfigured listener: relays for every loopback client
# without AUTH (Postfix insists on a final reject, so mynetworks is the
# loophole), so
# `probe smtp --expect relay-refused=...` can be seen failing (no TLS needed).
readonly P_SMTP_OPENRELAY=$((BASE + 525))
readonly RELAY_TEST_DOMAIN=foreign.example

# Dovecot (IMAP) users: NAME:localpart:password. "healthcheck" is internal:
# start sends its round-trip probe there so the test users' mailboxes stay clean.
readonly USERS=(
  "ALICE:alice:alice-secret"
  "BOB:bob:bob-secret"
  "CAROL:carol:carol-secret"
  "HOLD:hold:hold-secret"
  "HEALTHCHECK:healthcheck:healthcheck-secret"
)
# Accepted by Postfix at RCPT but unknown to Dovecot: LMTP rejects, Postfix bounces.
readonly BOUNCE_ADDR="bounce@$DOMAIN"
readonly HOLD_ADDR="hold@$DOMAIN"

readonly TLS="$MS_DIR/tls"
readonly LOG="$MS_DIR/log"
readonly PF="$MS_DIR/postfix"
readonly PF_ETC="$PF/etc"
readonly PF_QUEUE="$PF/queue"
readonly PF_DATA="$PF/data"
readonly DV="$MS_DIR/dovecot"
readonly DV_CONF="$DV/dovecot.conf"
readonly DV2_CONF="$DV/dovecot-nostarttls.conf"
readonly DV_RUN="$DV/run"
readonly DV2_RUN="$DV/run-nostarttls"
readonly MAILDIR="$MS_DIR/mail"
readonly ENV_FILE="$MS_DIR/env"
readonly PF_LOG="$LOG/postfix.log"
readonly DV_LOG="$LOG/dovecot.log"
readonly DV2_LOG="$LOG/dovecot-nostarttls.log"
readonly POSTFIX_MASTER=/usr/lib/postfix/sbin/master

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
T0=$(now)
elapsed() { awk -v a="$T0" -v b="$(now)" 'BEGIN { printf "%.2fs", b - a }'; }

# die MESSAGE [LOGFILE...]: one clear line on stderr, then the tail of each log.
die() {
  local msg=$1; shift
  echo "mailstack: error: $msg" >&2
  local f
  for f in "$@"; do
    if [[ -s $f ]]; then
      echo "---- last lines of $f ----" >&2
      tail -n 25 "$f" >&2
    fi
  done
  exit 1
}
info() { echo "mailstack: $*"; }
# step NAME: timestamped progress line in start.log (for "why is start slow").
step() { echo "[$(elapsed)] $*" >>"$LOG/start.log"; }

# spawn CMD...: run CMD with stdin from /dev/null and every inherited fd above 2
# closed, so daemons keep neither our lock (fd 9) nor a caller's pipe open
# (e.g. a test harness pipe at fd 251). Redirect stdout/stderr at the call site.
spawn() {
  (
    local fd
    for fd in "/proc/$BASHPID/fd"/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec "$@" </dev/null
  )
}

# dead PID: gone, or a zombie. PID 1 of some sandboxes reaps orphans only
# every few seconds, so "kill -0" keeps succeeding after a daemon has exited.
dead() { [[ ! -e /proc/$1 ]] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

wait_dead() { # wait_dead PID SECONDS
  local i
  for ((i = 0; i < $2 * 50; i++)); do
    dead "$1" && return 0
    sleep 0.02
  done
  return 1
}

need_root() { [[ $EUID -eq 0 ]] || die "must run as root (Postfix and Dovecot are started as root and drop privileges)"; }

check_params() {
  [[ $MS_DIR == /* ]] || die "MAILSTACK_DIR must be an absolute path: $MS_DIR"
  [[ $MS_DIR =~ ^[A-Za-z0-9._/+-]+$ ]] || die "MAILSTACK_DIR may only contain [A-Za-z0-9._/+-] (it ends up unquoted in Postfix, Dovecot and env files): $MS_DIR"
  # Postfix and Dovecot put unix sockets below it; sun_path is 108 bytes.
  ((${#MS_DIR} <= 60)) || die "MAILSTACK_DIR is too long for unix socket paths (max 60 chars): $MS_DIR"
  if ! [[ $BASE =~ ^[0-9]+$ ]] || ((BASE < 1024 || BASE + 993 > 65535)); then
    die "MAILSTACK_PORT_BASE must be an integer in 1024..64542: $BASE"
  fi
}

# ---------------------------------------------------------------- install ---

# PACKAGES and missing_packages live in one place, shared with tests/install/deps.sh.
# shellcheck source=../install/packages.sh
source "$SELF_DIR/../install/packages.sh"
readonly PACKAGES=("${MAILSTACK_PACKAGES[@]}")

cmd_install() {
  local missing=() list
  # A plain assignment, not `mapfile < <(...)`: a failure inside a process
  # substitution is invisible to set -e (issue 9).
  list=$(missing_packages "${PACKAGES[@]}")
  [[ -z $list ]] || mapfile -t missing <<<"$list"
  if ((${#missing[@]} == 0)); then
    info "packages already installed (${PACKAGES[*]})"
    return 0
  fi
  need_root
  info "installing ${missing[*]}"
  # Preseed so the postfix postinst asks nothing.
  debconf-set-selections <<'EOF'
postfix postfix/main_mailer_type select Local only
postfix postfix/mailname string localhost
EOF
  # Keep the packages' own services (port 25, 143, 993) from starting on a
  # fresh machine: invoke-rc.d honours policy-rc.d exit 101 = "not allowed".
  local policy=/usr/sbin/policy-rc.d made_policy=
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  local rc=0 out
  out=$(mktemp)
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  } >"$out" 2>&1 </dev/null || rc=$?
  if [[ -n $made_policy ]]; then rm -f "$policy"; fi
  if ((rc != 0)); then
    cp "$out" /tmp/mailstack-install.log
    rm -f "$out"
    die "apt-get install ${missing[*]} failed (rc=$rc)" /tmp/mailstack-install.log
  fi
  rm -f "$out"
  local still=()
  list=$(missing_packages "${PACKAGES[@]}")
  [[ -z $list ]] || mapfile -t still <<<"$list"
  ((${#still[@]} == 0)) || die "still not installed after apt-get: ${still[*]}"
  info "installed ${missing[*]} in $(elapsed)"
}

require_tools() {
  local t
  for t in postfix postconf postsuper postqueue dovecot doveadm sievec openssl flock script "$PY"; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found; run: $SELF install"
  done
  [[ -x $POSTFIX_MASTER ]] || die "$POSTFIX_MASTER not found; run: $SELF install"
  [[ -f /usr/lib/dovecot/modules/lib90_sieve_plugin.so ]] || die "dovecot-sieve not installed; run: $SELF install"
  [[ -x /usr/lib/dovecot/lmtp ]] || die "dovecot-lmtpd not installed; run: $SELF install"
}

# ----------------------------------------------------------- certificates ---

ssl_log() { echo "$LOG/openssl.log"; }

# issue_leaf NAME DAYS: NAME.pem/NAME.key for CN=localhost, SAN localhost +
# 127.0.0.1, signed by the test CA.
issue_leaf() {
  local name=$1 days=$2 tmp
  tmp=$(mktemp -d "$TLS/.issue.XXXXXX")
  cat >"$tmp/ext.cnf" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF
  {
    openssl req -new -newkey rsa:2048 -nodes -subj "/O=mailprobe mailstack/CN=localhost" \
      -keyout "$tmp/key" -out "$tmp/csr" &&
      openssl x509 -req -in "$tmp/csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 \
        -extfile "$tmp/ext.cnf" -out "$tmp/pem"
  } >>"$(ssl_log)" 2>&1 || die "openssl could not issue $name certificate" "$(ssl_log)"
  chmod 600 "$tmp/key"
  chmod 644 "$tmp/pem"
  mv -f "$tmp/key" "$TLS/$name.key"
  mv -f "$tmp/pem" "$TLS/$name.pem"
  rm -rf "$tmp"
}

# make_ca NAME CN: a self-signed CA certificate NAME.pem + NAME.key.
make_ca() {
  local name=$1 cn=$2
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 -subj "/O=mailprobe mailstack/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$TLS/$name.key.tmp" -out "$TLS/$name.pem.tmp" >>"$(ssl_log)" 2>&1 \
    || die "openssl could not create $name" "$(ssl_log)"
  chmod 600 "$TLS/$name.key.tmp"
  chmod 644 "$TLS/$name.pem.tmp"
  mv -f "$TLS/$name.key.tmp" "$TLS/$name.key"
  mv -f "$TLS/$name.pem.tmp" "$TLS/$name.pem"
}

# cert_ok NAME MIN_SECONDS_LEFT: exists, verifies against ca.pem, and is valid
# for at least MIN_SECONDS_LEFT more seconds.
cert_ok() {
  [[ -s $TLS/$1.pem && -s $TLS/$1.key ]] || return 1
  openssl verify -CAfile "$TLS/ca.pem" "$TLS/$1.pem" >/dev/null 2>&1 || return 1
  openssl x509 -in "$TLS/$1.pem" -noout -checkend "$2" >/dev/null 2>&1
}

iso_not_after() {
  local d
  d=$(openssl x509 -in "$1" -noout -enddate) || return 1
  date -u -d "${d#notAfter=}" +%Y-%m-%dT%H:%M:%SZ
}

# wait_all LABEL PID...: wait for background jobs, fail if any failed.
wait_all() {
  local label=$1 pid rc=0
  shift
  for pid in "$@"; do wait "$pid" || rc=1; done
  ((rc == 0)) || die "$label failed" "$(ssl_log)"
}

gen_certs() {
  install -d -m 755 -o root -g root "$TLS"
  local jobs=()
  # RSA key generation dominates a cold start; independent keys run in parallel.
  if [[ ! -s $TLS/ca.pem || ! -s $TLS/ca.key ]] ||
    ! openssl x509 -in "$TLS/ca.pem" -noout -checkend $((86400 * 30)) >/dev/null 2>&1; then
    rm -f "$TLS/server.pem" "$TLS/expiring.pem"
    make_ca ca "mailprobe mailstack test CA" &
    jobs+=($!)
  fi
  if [[ ! -s $TLS/other-ca.pem ]]; then
    make_ca other-ca "mailprobe mailstack UNRELATED CA" &
    jobs+=($!)
  fi
  ((${#jobs[@]} == 0)) || wait_all "CA generation" "${jobs[@]}"
  jobs=()
  if ! cert_ok server $((86400 * 30)); then
    issue_leaf server 825 &
    jobs+=($!)
  fi
  # "Expires in 10 days": reissue once it has less than 9 days left, so the
  # expiring cert is always 9-10 days from expiry after a cold start.
  if ! cert_ok expiring $((86400 * 9)); then
    issue_leaf expiring 10 &
    jobs+=($!)
  fi
  ((${#jobs[@]} == 0)) || wait_all "certificate issuing" "${jobs[@]}"
}

# ---------------------------------------------------------------- configs ---

vmail_ids() {
  if ! getent passwd vmail >/dev/null; then
    getent group vmail >/dev/null || groupadd --system vmail
    useradd --system --gid vmail --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin --comment "mailstack virtual mail" vmail
  fi
  VMAIL_UID=$(id -u vmail)
  VMAIL_GID=$(id -g vmail)
}

vmap_entries() {
  local u lpart out=""
  for u in "${USERS[@]}"; do
    IFS=: read -r _ lpart _ <<<"$u"
    out+="$lpart@$DOMAIN=ok, "
  done
  printf '%s%s=ok' "$out" "$BOUNCE_ADDR"
}

render_main_cf() {
  cat <<EOF
# Generated by tests/mailstack/mailstack.sh: do not edit, it is rewritten on start.
compatibility_level = 3.6
queue_directory = $PF_QUEUE
data_directory = $PF_DATA
mail_owner = postfix
setgid_group = postdrop
myhostname = mailstack.$DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
mydestination =
relay_domains =
relayhost =
inet_interfaces = $HOST
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
biff = no
append_dot_mydomain = no
readme_directory = no
alias_maps =
alias_database =
local_recipient_maps =
virtual_alias_maps =

# Only the virtual domain exists; nothing ever leaves this box.
local_transport = error:5.1.1 local delivery is disabled in mailstack
default_transport = error:5.7.1 external delivery is disabled in mailstack
relay_transport = error:5.7.1 relaying is disabled in mailstack
# The one foreign domain the openrelay listener may accept: discarded, never sent.
transport_maps = inline:{ $RELAY_TEST_DOMAIN=discard:relay-test }
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = inline:{ $(vmap_entries) }
virtual_transport = lmtp:inet:$HOST:$P_LMTP
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtpd_peername_lookup = no

# Tests want answers now, not politeness delays.
in_flow_delay = 0s
smtpd_error_sleep_time = 0s
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 2000
smtpd_junk_command_limit = 1000
delay_warning_time = 0h
# If Dovecot was down, retry deferred mail within seconds, not minutes.
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 10s
smtpd_banner = \$myhostname ESMTP mailstack

smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access inline:{ $HOLD_ADDR=HOLD }, permit
smtpd_reject_unlisted_recipient = yes
# Open the queue file at MAIL FROM, so every smtpd log line of a transaction
# (including "hold:" and RCPT rejects) carries the queue id, not NOQUEUE.
smtpd_delay_open_until_valid_rcpt = no

smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:$HOST:$P_AUTH
smtpd_sasl_auth_enable = no
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
broken_sasl_auth_clients = no

smtpd_tls_cert_file = $TLS/server.pem
smtpd_tls_key_file = $TLS/server.key
smtpd_tls_security_level = none
smtpd_tls_auth_only = no
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_tls_session_cache_database =
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtp_tls_security_level = none
lmtp_tls_security_level = none

maillog_file = $PF_LOG
maillog_file_prefixes = $LOG
EOF
}

render_master_cf() {
  cat <<EOF
# Generated by tests/mailstack/mailstack.sh. No stock smtp/submission/smtps
# inet service: nothing here binds 25/465/587.
# service          type  private unpriv chroot wakeup maxproc command
$HOST:$P_SMTP_NONE inet n - n - - smtpd
  -o syslog_name=postfix/smtp-none
  -o smtpd_tls_security_level=none
  -o smtpd_tls_auth_only=no
  -o smtpd_sasl_auth_enable=yes
$HOST:$P_SMTP_STARTTLS inet n - n - - smtpd
  -o syslog_name=postfix/smtp-starttls
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
$HOST:$P_SMTP_TLS inet n - n - - smtpd
  -o syslog_name=postfix/smtp-tls
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
$HOST:$P_SMTP_EXPIRING inet n - n - - smtpd
  -o syslog_name=postfix/smtp-expiring
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_cert_file=$TLS/expiring.pem
  -o smtpd_tls_key_file=$TLS/expiring.key
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
$HOST:$P_SMTP_OPENRELAY inet n - n - - smtpd
  -o syslog_name=postfix/smtp-openrelay
  -o smtpd_tls_security_level=may
  -o smtpd_sasl_auth_enable=no
  -o mynetworks=127.0.0.0/8
  -o smtpd_relay_restrictions=permit_mynetworks,reject
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
tlsmgr     unix  - - n 1000? 1 tlsmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
local      unix  - n n -     - local
virtual    unix  - n n -     - virtual
lmtp       unix  - - n -     - lmtp
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
}

# Settings shared by both Dovecot instances.
render_dovecot_common() {
  cat <<EOF
listen = $HOST
shutdown_clients = yes
first_valid_uid = $VMAIL_UID
last_valid_uid = $VMAIL_UID
first_valid_gid = $VMAIL_GID
last_valid_gid = $VMAIL_GID
mail_location = maildir:$MAILDIR/%d/%n
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_cache_size = 0
log_timestamp = "%Y-%m-%d %H:%M:%S "
postmaster_address = postmaster@$DOMAIN
hostname = mailstack.$DOMAIN
login_greeting = mailstack Dovecot ready.

passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT username_format=%u $DV/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $DV/passwd
  default_fields = uid=vmail gid=vmail home=$MAILDIR/%d/%n
}

namespace inbox {
  inbox = yes
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}

protocol imap {
  mail_max_userip_connections = 1000
}

# No auth penalty: after a failed login Dovecot would delay every further
# login from 127.0.0.1 by 2-15 s (wrong-password tests poison later tests).
# A mode-0 listener is not created, and auth disables penalties without it.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
}

render_dovecot_conf() {
  cat <<EOF
# Generated by tests/mailstack/mailstack.sh: do not edit, it is rewritten on start.
instance_name = mailstack
base_dir = $DV_RUN
state_dir = $DV/state
protocols = imap lmtp
log_path = $DV_LOG
info_log_path = $DV_LOG
ssl = yes
ssl_cert = <$TLS/server.pem
ssl_key = <$TLS/server.key
ssl_min_protocol = TLSv1.2
EOF
  [[ -f /usr/share/dovecot/dh.pem ]] && echo "ssl_dh = </usr/share/dovecot/dh.pem"
  render_dovecot_common
  cat <<EOF

service imap-login {
  inet_listener imap {
    address = $HOST
    port = $P_IMAP
  }
  inet_listener imaps {
    address = $HOST
    port = $P_IMAPS
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = $HOST
    port = $P_LMTP
  }
}
service auth {
  inet_listener sasl {
    address = $HOST
    port = $P_AUTH
  }
}
protocol lmtp {
  mail_plugins = \$mail_plugins sieve
}
plugin {
  sieve_before = $DV/sieve/before.sieve
  sieve = file:~/sieve;active=~/.dovecot.sieve
}
EOF
}

# A second, tiny instance with ssl = no: Dovecot 2.3 cannot switch STARTTLS
# off per listener, and this port must not offer it.
render_dovecot2_conf() {
  cat <<EOF
# Generated by tests/mailstack/mailstack.sh: do not edit, it is rewritten on start.
instance_name = mailstack-nostarttls
base_dir = $DV2_RUN
state_dir = $DV/state-nostarttls
protocols = imap
log_path = $DV2_LOG
info_log_path = $DV2_LOG
ssl = no
EOF
  render_dovecot_common
  cat <<EOF

service imap-login {
  inet_listener imap {
    address = $HOST
    port = $P_IMAP_NOSTARTTLS
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
}

render_sieve() {
  cat <<'EOF'
# mailstack sieve_before: junk routing for the tests.
require ["fileinto", "mailbox"];
if anyof (header :contains "Subject" "[junk]",
          header :is "X-Mailprobe-Route" "junk") {
  fileinto :create "Junk";
  stop;
}
EOF
}

users_spec() { printf '%s\n' "${USERS[@]}"; }

# Everything that decides the running configuration. A warm start only
# reuses the running stack when this matches what it was started with.
fingerprint() {
  {
    echo "dir=$MS_DIR base=$BASE"
    render_main_cf
    render_master_cf
    render_dovecot_conf
    render_dovecot2_conf
    render_sieve
    users_spec
    sha256sum <"$HEALTH"
  } | sha256sum | cut -d' ' -f1
}

write_file() { # write_file PATH MODE < CONTENT; leaves PATH untouched when unchanged
  local path=$1 mode=$2
  cat >"$path.tmp"
  if [[ -f $path ]] && cmp -s "$path.tmp" "$path"; then
    rm -f "$path.tmp"
    chmod "$mode" "$path"
  else
    chmod "$mode" "$path.tmp"
    mv -f "$path.tmp" "$path"
  fi
}

# passwd-file: user:{SHA512-CRYPT}hash::::::  (uid/gid/home come from
# default_fields). Hashing costs ~70 ms per doveadm call, so the file is only
# rebuilt when the user list changes, and the calls run in parallel.
write_passwd() {
  local spec u name lpart pass i pids=()
  spec=$(users_spec | sha256sum | cut -d' ' -f1)
  if [[ -s $DV/passwd && -f $DV/passwd.spec && $(<"$DV/passwd.spec") == "$spec" ]]; then
    return 0
  fi
  local tmp
  tmp=$(mktemp -d "$DV/.passwd.XXXXXX")
  i=0
  for u in "${USERS[@]}"; do
    IFS=: read -r name lpart pass <<<"$u"
    spawn doveadm -c "$DV_CONF" pw -s SHA512-CRYPT -p "$pass" >"$tmp/$i" 2>>"$LOG/start.log" &
    pids+=($!)
    i=$((i + 1))
  done
  local rc=0 pid
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  ((rc == 0)) || die "doveadm pw failed (dovecot config broken?)" "$LOG/start.log"
  i=0
  for u in "${USERS[@]}"; do
    IFS=: read -r name lpart pass <<<"$u"
    grep -q '^{SHA512-CRYPT}[$]6[$]' "$tmp/$i" || die "doveadm pw gave no SHA512-CRYPT hash for $lpart" "$LOG/start.log"
    printf '%s@%s:%s::::::\n' "$lpart" "$DOMAIN" "$(<"$tmp/$i")"
    i=$((i + 1))
  done >"$tmp/passwd"
  chmod 640 "$tmp/passwd"
  chown root:dovecot "$tmp/passwd"
  mv -f "$tmp/passwd" "$DV/passwd"
  rm -rf "$tmp"
  echo "$spec" >"$DV/passwd.spec"
}

write_configs() {
  install -d -m 755 -o root -g root "$PF" "$PF_ETC" "$PF_QUEUE" "$DV" "$DV/sieve" "$DV_RUN" "$DV2_RUN"
  install -d -m 700 -o postfix -g postfix "$PF_DATA"
  install -d -m 750 -o root -g dovecot "$DV/state" "$DV/state-nostarttls"
  install -d -m 755 -o vmail -g vmail "$MAILDIR"

  render_main_cf | write_file "$PF_ETC/main.cf" 644
  render_master_cf | write_file "$PF_ETC/master.cf" 644
  render_dovecot_conf | write_file "$DV_CONF" 644
  render_dovecot2_conf | write_file "$DV2_CONF" 644
  render_sieve | write_file "$DV/sieve/before.sieve" 644
  write_passwd

  # Compile as root now: LMTP runs as vmail and could not write the binary.
  if [[ ! -s $DV/sieve/before.svbin || $DV/sieve/before.sieve -nt $DV/sieve/before.svbin ]]; then
    spawn sievec -c "$DV_CONF" "$DV/sieve/before.sieve" >>"$LOG/start.log" 2>&1 \
      || die "sievec could not compile the sieve_before script" "$LOG/start.log"
  fi
  chmod 644 "$DV/sieve/before.svbin"
}

render_env() {
  local u name lpart pass
  cat <<EOF
MS_DIR=$MS_DIR
MS_HOST=$HOST
MS_DOMAIN=$DOMAIN
MS_PORT_BASE=$BASE
MS_SMTP_NONE_PORT=$P_SMTP_NONE
MS_SMTP_STARTTLS_PORT=$P_SMTP_STARTTLS
MS_SMTP_TLS_PORT=$P_SMTP_TLS
MS_SMTP_EXPIRING_PORT=$P_SMTP_EXPIRING
MS_IMAP_PORT=$P_IMAP
MS_IMAPS_PORT=$P_IMAPS
MS_IMAP_NOSTARTTLS_PORT=$P_IMAP_NOSTARTTLS
MS_LMTP_PORT=$P_LMTP
MS_AUTH_PORT=$P_AUTH
MS_SMTP_OPENRELAY_PORT=$P_SMTP_OPENRELAY
MS_RELAY_TEST_DOMAIN=$RELAY_TEST_DOMAIN
MS_CA_FILE=$TLS/ca.pem
MS_OTHER_CA_FILE=$TLS/other-ca.pem
MS_CERT_FILE=$TLS/server.pem
MS_EXPIRING_CERT_FILE=$TLS/expiring.pem
MS_EXPIRING_NOT_AFTER=$(iso_not_after "$TLS/expiring.pem")
MS_SERVER_NOT_AFTER=$(iso_not_after "$TLS/server.pem")
MS_POSTFIX_LOG=$PF_LOG
MS_DOVECOT_LOG=$DV_LOG
MS_DOVECOT_NOSTARTTLS_LOG=$DV2_LOG
MS_POSTFIX_CONFIG_DIR=$PF_ETC
MS_POSTFIX_QUEUE_DIR=$PF_QUEUE
MS_DOVECOT_CONF=$DV_CONF
MS_DOVECOT_NOSTARTTLS_CONF=$DV2_CONF
MS_MAIL_DIR=$MAILDIR
MS_MAILSTACK_SH=$SELF
MS_BOUNCE_ADDR=$BOUNCE_ADDR
MS_UNKNOWN_ADDR=nobody@$DOMAIN
EOF
  for u in "${USERS[@]}"; do
    IFS=: read -r name lpart pass <<<"$u"
    echo "MS_${name}_USER=$lpart@$DOMAIN"
    echo "MS_${name}_PASS=$pass"
  done
}

# ---------------------------------------------------------------- process ---

pf_running() { [[ -f $PF_ETC/main.cf ]] && ! "$POSTFIX_MASTER" -c "$PF_ETC" -t >/dev/null 2>&1; }

# dv_pid CONF RUNDIR: pid of the dovecot master started with CONF, if alive.
dv_pid() {
  local pid
  [[ -r $2/master.pid ]] || return 1
  pid=$(<"$2/master.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-c $1" || return 1
  echo "$pid"
}

pf_pid() { pf_running && sed -n '1{s/ //g;p}' "$PF_QUEUE/pid/master.pid"; }

# stop_dovecots (CONF RUNDIR LABEL LOG)...: stop instances in parallel; a
# Dovecot master takes ~1 s to exit after SIGTERM.
stop_dovecots() {
  local pids=() dpids=() labels=() logs=() pid i
  while (($# >= 4)); do
    if pid=$(dv_pid "$1" "$2"); then
      # doveadm stop sends SIGTERM at once but then polls kill(pid, 0) for up
      # to 3 s, which a slowly reaped zombie keeps answering: run it in the
      # background and watch the master ourselves.
      spawn doveadm -c "$1" stop >>"$LOG/stop.log" 2>&1 &
      dpids+=($!)
      pids+=("$pid")
      labels+=("$3")
      logs+=("$4")
    fi
    shift 4
  done
  for i in "${!pids[@]}"; do
    pid=${pids[$i]}
    if ! wait_dead "$pid" 5; then
      kill "$pid" 2>/dev/null || true
      if ! wait_dead "$pid" 5; then
        kill -9 "$pid" 2>/dev/null || true
        wait_dead "$pid" 2 || die "${labels[$i]} master (pid $pid) does not stop" "${logs[$i]}"
      fi
    fi
    info "stopped ${labels[$i]}"
    STOPPED=1
  done
  for pid in "${dpids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

stop_postfix() {
  local pid
  pid=$(pf_pid) || return 0
  spawn postfix -c "$PF_ETC" stop >>"$LOG/stop.log" 2>&1 || kill "$pid" 2>/dev/null || true
  if ! wait_dead "$pid" 10; then
    kill -9 "$pid" 2>/dev/null || true
    wait_dead "$pid" 2 || die "postfix master (pid $pid) does not stop" "$PF_LOG"
  fi
  info "stopped postfix"
  STOPPED=1
}

# Postfix first: its smtpd processes hold SASL connections to Dovecot auth,
# and Dovecot's auth (and log, anvil, stats) children outlive their master
# until those connections close.
stop_all() {
  rm -f "$ENV_FILE" "$MS_DIR/fingerprint"
  STOPPED=0
  stop_postfix
  stop_dovecots "$DV_CONF" "$DV_RUN" dovecot "$DV_LOG" "$DV2_CONF" "$DV2_RUN" dovecot-nostarttls "$DV2_LOG"
  wait_ports_free $((STOPPED ? 10 : 0))
}

all_ports() { echo "$P_SMTP_NONE $P_SMTP_STARTTLS $P_SMTP_TLS $P_SMTP_EXPIRING $P_SMTP_OPENRELAY $P_IMAP $P_IMAPS $P_IMAP_NOSTARTTLS $P_LMTP $P_AUTH"; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

busy_ports() {
  local p busy=()
  for p in $(all_ports); do port_open "$p" && busy+=("$p"); done
  echo "${busy[*]}"
}

# wait_ports_free SECONDS: daemons that were just stopped may hold their
# listeners a moment longer; with 0, fail at once if anything listens.
wait_ports_free() {
  local deadline busy
  deadline=$(awk -v n="$(now)" -v s="$1" 'BEGIN { printf "%.3f", n + s }')
  while :; do
    busy=$(busy_ports)
    [[ -z $busy ]] && return 0
    awk -v n="$(now)" -v d="$deadline" 'BEGIN { exit !(n >= d) }' && break
    sleep 0.05
  done
  die "ports already in use: $busy (another program or a leftover of this stack; see ss -ltnp, or pick another MAILSTACK_PORT_BASE)"
}

start_dovecot() { # start_dovecot CONF LOG LABEL
  : >"$LOG/$3-start.out"
  [[ -e $2 ]] || install -m 644 /dev/null "$2"
  spawn dovecot -c "$1" >>"$LOG/$3-start.out" 2>&1 || die "$3 failed to start" "$LOG/$3-start.out" "$2"
}

start_postfix() {
  # Postfix reports fatal start-up errors to syslog only (absent here) unless
  # stderr is a terminal; script(1) provides one so we can capture them.
  : >"$LOG/postfix-start.out"
  # Once the queue exists, skip the slow integrity checks (~0.7 s of find(1)
  # over /usr/lib/postfix and /etc/postfix): postfix-script honours this file.
  [[ -d $PF_QUEUE/active && -d $PF_QUEUE/public ]] && touch "$PF_QUEUE/quick-start"
  if ! spawn script -qec "postfix -c '$PF_ETC' start" /dev/null >>"$LOG/postfix-start.out" 2>&1; then
    die "postfix failed to start" "$LOG/postfix-start.out" "$PF_LOG"
  fi
}

health() { # health MODE ENVFILE
  spawn "$PY" "$HEALTH" "$1" "$2"
}

cmd_start() {
  need_root
  check_params
  require_tools
  install -d -m 755 -o root -g root "$MS_DIR" "$LOG"
  exec 9>"$MS_DIR/.lock"
  flock -w 180 9 || die "timed out waiting for another mailstack.sh holding $MS_DIR/.lock"

  vmail_ids
  local fp
  fp=$(fingerprint)

  # Warm path: everything up, same configuration, answers a round trip.
  local why="" out=""
  if [[ ! -s $ENV_FILE ]]; then
    why="not started"
  elif [[ ! -f $MS_DIR/fingerprint || $(<"$MS_DIR/fingerprint") != "$fp" ]]; then
    why="configuration changed"
  elif ! pf_running || ! dv_pid "$DV_CONF" "$DV_RUN" >/dev/null || ! dv_pid "$DV2_CONF" "$DV2_RUN" >/dev/null; then
    why="a daemon is down"
  elif ! out=$(health warm "$ENV_FILE" 2>&1); then
    why="health check failed: $(tail -n 1 <<<"$out")"
  else
    info "already running and healthy ($(elapsed)); env: $ENV_FILE"
    return 0
  fi

  # Cold path: stop whatever part runs, regenerate, start.
  : >"$LOG/start.log"
  step "cold start ($why)"
  [[ $why == "not started" ]] || info "restarting: $why"
  stop_all
  step "stopped leftovers; ports free"
  gen_certs
  step "certificates ready"
  # Fresh runtime dirs: a stale anvil-auth-penalty socket left by an older
  # config makes every auth process hang 5 s on ECONNREFUSED.
  rm -rf "$DV_RUN" "$DV2_RUN"
  write_configs
  render_env | write_file "$ENV_FILE.new" 644
  step "configs, users, sieve written"

  start_dovecot "$DV_CONF" "$DV_LOG" dovecot
  start_dovecot "$DV2_CONF" "$DV2_LOG" dovecot-nostarttls
  step "dovecot instances started"
  start_postfix
  step "postfix started"

  if ! health cold "$ENV_FILE.new" >>"$LOG/start.log" 2>&1; then
    die "stack started but the health check failed (see $LOG/start.log)" "$LOG/start.log" "$PF_LOG" "$DV_LOG"
  fi
  step "healthy"
  mv -f "$ENV_FILE.new" "$ENV_FILE"
  echo "$fp" >"$MS_DIR/fingerprint"
  info "started in $(elapsed): smtp none=$P_SMTP_NONE starttls=$P_SMTP_STARTTLS tls=$P_SMTP_TLS expiring=$P_SMTP_EXPIRING openrelay=$P_SMTP_OPENRELAY imap=$P_IMAP imaps=$P_IMAPS imap-nostarttls=$P_IMAP_NOSTARTTLS lmtp=$P_LMTP auth=$P_AUTH; env: $ENV_FILE"
}

cmd_stop() {
  need_root
  check_params
  [[ -d $MS_DIR ]] || { info "not running (no $MS_DIR)"; return 0; }
  install -d -m 755 "$LOG"
  exec 9>"$MS_DIR/.lock"
  flock -w 180 9 || die "timed out waiting for $MS_DIR/.lock"
  stop_all
  info "stopped ($(elapsed))"
}

cmd_reset() {
  need_root
  check_params
  [[ -d $MS_DIR ]] || die "not running (no $MS_DIR); run: $SELF start"
  exec 9>"$MS_DIR/.lock"
  flock -w 180 9 || die "timed out waiting for $MS_DIR/.lock"
  pf_running || die "postfix is not running; run: $SELF start"
  dv_pid "$DV_CONF" "$DV_RUN" >/dev/null || die "dovecot is not running; run: $SELF start"
  # Queue first, so nothing queued is delivered after the mailboxes are emptied.
  postsuper -c "$PF_ETC" -d ALL >>"$LOG/reset.log" 2>&1 </dev/null || die "postsuper -d ALL failed" "$LOG/reset.log"
  local u name lpart pass users=()
  for u in "${USERS[@]}"; do
    IFS=: read -r name lpart pass <<<"$u"
    users+=("$lpart@$DOMAIN")
  done
  printf '%s\n' "${users[@]}" >"$DV/users.list"
  doveadm -c "$DV_CONF" expunge -F "$DV/users.list" mailbox '*' all >>"$LOG/reset.log" 2>&1 </dev/null \
    || die "doveadm expunge failed" "$LOG/reset.log" "$DV_LOG"
  info "reset: queue and mailboxes (INBOX, Junk, Trash, ...) of ${users[*]} emptied ($(elapsed))"
}

cmd_status() {
  check_params
  local pf dv dv2 state
  pf=$(pf_pid 2>/dev/null) || pf=
  dv=$(dv_pid "$DV_CONF" "$DV_RUN" 2>/dev/null) || dv=
  dv2=$(dv_pid "$DV2_CONF" "$DV2_RUN" 2>/dev/null) || dv2=
  if [[ -n $pf && -n $dv && -n $dv2 ]]; then
    state=running
  elif [[ -z $pf && -z $dv && -z $dv2 ]]; then
    state=stopped
  else
    state=partial
  fi
  echo "mailstack: $state (postfix=${pf:-down} dovecot=${dv:-down} dovecot-nostarttls=${dv2:-down}) dir=$MS_DIR base=$BASE env=$([[ -s $ENV_FILE ]] && echo "$ENV_FILE" || echo none)"
  # exit, not a failing return: the ERR trap would call "not running" an error.
  if [[ $state == running ]]; then exit 0; fi
  exit 1
}

usage() {
  cat >&2 <<EOF
usage: $0 install|start|stop|reset|status
  MAILSTACK_DIR=$MS_DIR MAILSTACK_PORT_BASE=$BASE
EOF
  exit 2
}

main() {
  (($# == 1)) || usage
  case $1 in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    reset) cmd_reset ;;
    status) cmd_status ;;
    *) usage ;;
  esac
}

main "$@"
