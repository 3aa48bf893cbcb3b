; Included by electron-builder's NSIS installer (nsis.include).
; C:\ProgramData\Porchlight holds IT's agent.json and policy.json, which the
; agent trusts as managed policy. Create it owned by Administrators, writable
; only by Administrators and SYSTEM, readable by Users, replacing whatever ACL a
; user-made folder of that name may have had.
!macro customInstall
  SetShellVarContext all
  CreateDirectory "$APPDATA\Porchlight"
  nsExec::ExecToLog 'icacls "$APPDATA\Porchlight" /setowner *S-1-5-32-544 /T /C'
  nsExec::ExecToLog 'icacls "$APPDATA\Porchlight" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /T /C'
!macroend
