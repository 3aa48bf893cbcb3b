// `porchlight request --help`.

import { CONTACT_HELP } from './contact-flags.js';
import { MAINTENANCE_HELP } from './maintenance-flags.js';

export const REQUEST_HELP = `Usage: porchlight request --relay URL [--token T] --device ID --ticket ID [--ticket-url URL]
                          --reason TEXT --scopes view,control,admin,file-transfer [--minutes N]
                          [--unattended --approval FILE | --emergency TEXT --incident ID] [--task-id ID [--targets a,b]]
                          [--outcome resolved|follow-up|escalated] [--json] [--timeout S]
                          [--ca FILE] [--otp CODE] [--interactive] [--screen-port PORT] [--send FILE]
                          [--contact phone|teams|email|sms|in-person|other [--contact-note TEXT] [--contact-at HH:MM]]
       porchlight request ... --at 2026-12-04T18:00 --window 2h [--ics FILE]

Asks the user of a device for a support session. Prints the verification code
at once (read it to the user), then the decision per scope, then session events
until the session ends. Ctrl-C ends the session (or withdraws the request).

  --relay          the relay (wss://host:port), or its instances in the order to try,
                   separated by commas (wss://a:7443,wss://b:7443)
  --token          technician API token (or set PORCHLIGHT_TOKEN)
  --insecure       allow ws:// to a non-loopback relay (the token travels in clear text)
  --minutes        estimated duration (default 30)
${CONTACT_HELP}
  --unattended     unattended access with a manager approval token (--approval FILE,
                   from 'porchlight approve')
  --emergency      unattended emergency access: justification text, with --incident ID
${MAINTENANCE_HELP}
  --at             propose a window instead of connecting now: when it starts (your local
                   time, or with Z / +01:00); with --window LENGTH (2h, 90m, 1h30m; at most
                   24h, the device's policy may allow less). The user agrees or declines now;
                   inside an agreed window your request for that ticket and at most those
                   scopes starts without a prompt (the user still sees the banner), and the
                   user can cancel the window at any time. Prints the agreed window
                   (--json: an agreed-window event)
  --ics            with --at: write the agreed window as a calendar invitation (.ics) to FILE
  --outcome        when the session ends, record the ticket outcome in the central audit
                   (same as 'porchlight session close'; --close-outcome is an older name)
  --json           one JSON object per line per event
  --timeout        give up waiting for the decision after S seconds (exit 5)
  --ca             PEM file of a private CA to trust for a wss:// relay (added to the
                   system roots; no NODE_EXTRA_CA_CERTS needed)
  --otp            one-time code from your authenticator app (or PORCHLIGHT_OTP); on a
                   terminal you are asked for it when the relay needs one
  --interactive    while the session is live, read lines from stdin: text is narration
                   the user sees in the banner; /more SCOPES REASON asks for more access,
                   /more +MIN REASON for more time, /note TEXT notes a command you ran or a
                   setting you changed (the user sees it under "What was changed" in the
                   summary), /send FILE announces a file, /end ends
  --send           once file-transfer is granted, send FILE to the device (announced with its
                   sha256; stored in the device's policy folder); prints file: stored as NAME
  --screen-port    once view is granted, listen on 127.0.0.1:PORT (0 picks one) for one
                   VNC viewer at a time and print screen: vnc://127.0.0.1:PORT; the port
                   closes when view ends

Exit codes: 0 all scopes accepted, 3 partially accepted, 4 declined (or no user
present), 5 expired, 6 blocked by policy or permissions, 7 agent offline,
8 unauthorized, 2 usage error, 1 other (including "lost the relay" while a
session was live and had not ended cleanly).
`;
