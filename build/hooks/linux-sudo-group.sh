#!/bin/sh
# Porchlight admin hook (Linux): give an IT-provided local account elevated
# rights for the length of a session by adding it to a sudo group, and take
# them away again. Idempotent: the agent runs `remove` again at end, expiry,
# agent exit and at start after a crash.
#
#   linux-sudo-group.sh add|remove ACCOUNT GROUP
#
# Porchlight sets PORCHLIGHT_SESSION_ID, PORCHLIGHT_TICKET_ID,
# PORCHLIGHT_TECHNICIAN_ID, PORCHLIGHT_DEVICE_ID, PORCHLIGHT_SCOPE and
# PORCHLIGHT_ACTION; they are logged to syslog here, never used as commands.
# Exit 0 = applied; anything else = the scope is not granted (or the user is
# told access may still be open). The agent needs root for this (headless
# daemon) or a sudoers rule for exactly this script.
set -eu
action=${1:?add or remove}
account=${2:?account}
group=${3:-sudo}
case "$account" in *[!a-z0-9_-]*) echo "refusing account name $account" >&2; exit 2 ;; esac
case "$group" in *[!a-z0-9_-]*) echo "refusing group name $group" >&2; exit 2 ;; esac
id "$account" >/dev/null 2>&1 || { echo "no local account $account" >&2; exit 3; }
logger -t porchlight-hook "$action $account in $group for session ${PORCHLIGHT_SESSION_ID:-?} ticket ${PORCHLIGHT_TICKET_ID:-?} technician ${PORCHLIGHT_TECHNICIAN_ID:-?}" || true
case "$action" in
  add) /usr/sbin/usermod -a -G "$group" "$account" ;;
  remove)
    if id -nG "$account" | tr ' ' '\n' | grep -qx "$group"; then /usr/bin/gpasswd -d "$account" "$group" >/dev/null; fi
    # End any process the account still runs with the old rights.
    /usr/bin/pkill -KILL -u "$account" 2>/dev/null || true ;;
  *) echo "unknown action $action" >&2; exit 2 ;;
esac
