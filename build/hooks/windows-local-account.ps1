# Porchlight admin hook (Windows): enable an IT-provided local administrator
# account for the length of a session and disable it again (idempotent: the
# agent runs `disable` again at end, expiry, agent exit and at start after a crash).
#
#   powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File windows-local-account.ps1 enable|disable ACCOUNT
#
# Porchlight sets PORCHLIGHT_SESSION_ID, PORCHLIGHT_TICKET_ID, PORCHLIGHT_TECHNICIAN_ID,
# PORCHLIGHT_DEVICE_ID, PORCHLIGHT_SCOPE and PORCHLIGHT_ACTION; they are written to the
# Application event log here, never used as commands. Exit 0 = applied.
param(
  [Parameter(Mandatory = $true)][ValidateSet('enable', 'disable')][string]$Action,
  [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9_-]{1,20}$')][string]$Account
)
$ErrorActionPreference = 'Stop'
try {
  $user = Get-LocalUser -Name $Account
  $note = "$Action $Account for session $env:PORCHLIGHT_SESSION_ID ticket $env:PORCHLIGHT_TICKET_ID technician $env:PORCHLIGHT_TECHNICIAN_ID"
  try { Write-EventLog -LogName Application -Source 'Porchlight' -EventId 100 -Message $note } catch { }
  if ($Action -eq 'enable') {
    if (-not $user.Enabled) { Enable-LocalUser -Name $Account }
  } else {
    if ($user.Enabled) { Disable-LocalUser -Name $Account }
    # Sign the account out of any session it still holds.
    quser 2>$null | Select-String -Pattern "^\s*>?$Account\s" | ForEach-Object {
      $id = ($_.ToString() -split '\s+' | Where-Object { $_ -match '^\d+$' } | Select-Object -First 1)
      if ($id) { logoff $id }
    }
  }
  exit 0
} catch {
  Write-Error $_
  exit 1
}
