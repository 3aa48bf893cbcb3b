// Fixed Windows locations that decide what counts as IT's policy. They never
// come from %ProgramData% or %SystemRoot%: whoever starts the app sets its
// environment, so `ProgramData=C:\Users\me\pd` would turn a user-writable file
// into "IT's locked config", and `SystemRoot=C:\Users\me\w` would run a
// planted reg.exe as the managed-policy source. Porchlight therefore expects
// Windows on the system drive C: (docs/deploy.md); the HKLM registry policy
// is the preferred channel anyway.
import { win32 } from 'node:path';

/** The machine-wide, admin-writable data folder on a default Windows install. */
export const WINDOWS_PROGRAM_DATA = 'C:\\ProgramData';

/** Where IT puts Porchlight's files on Windows (IT sets the ACL: Administrators and SYSTEM only, docs/deploy.md). */
export const WINDOWS_PORCHLIGHT_DIR = win32.join(WINDOWS_PROGRAM_DATA, 'Porchlight');

/** reg.exe by absolute path: a bare `reg` is looked up in the current directory first. */
export const WINDOWS_REG_EXE = 'C:\\Windows\\System32\\reg.exe';
