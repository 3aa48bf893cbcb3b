// The request panel's moving parts: the mode switch (attended / unattended
// with approval / emergency) shows only that mode's fields, and the approval
// box takes a pasted token or a dropped / chosen file and shows what the
// approval covers before anything is sent.
import type { ApprovalToken } from '../../protocol/approval.js';
import { describeApproval, readApprovalFile, readApprovalText, type ApprovalRead } from './approval-file.js';
import { $ } from './live-view.js';
import { requestModeOf } from './request-form.js';

let approval: ApprovalToken | undefined;

export function approvalToken(): ApprovalToken | undefined {
  return requestModeOf($<HTMLFormElement>('request')) === 'unattended' ? approval : undefined;
}

function showMode(): void {
  const mode = requestModeOf($<HTMLFormElement>('request'));
  $('unattended-fields').hidden = mode !== 'unattended';
  $('emergency-fields').hidden = mode !== 'emergency';
  $('maintenance-fields').hidden = mode === 'attended';
}

/** What the chosen mode asks for appears at the end of the form: bring it into view. */
function revealMode(): void {
  showMode();
  const mode = requestModeOf($<HTMLFormElement>('request'));
  if (mode !== 'attended') $(mode === 'unattended' ? 'unattended-fields' : 'emergency-fields').scrollIntoView({ block: 'nearest' });
}

/** The approval's facts next to what this request says, refreshed as the form changes. */
export function showApproval(): void {
  const box = $('approval-summary');
  const warn = $('approval-warnings');
  if (!approval) {
    box.replaceChildren();
    warn.replaceChildren();
    box.hidden = true;
    return;
  }
  const form = new FormData($<HTMLFormElement>('request'));
  const d = describeApproval(
    approval,
    { deviceId: String(form.get('device') ?? '').trim(), ticketId: String(form.get('ticket') ?? '').trim(), scopes: form.getAll('scope').map(String) },
    Date.now(),
  );
  box.replaceChildren(
    ...d.rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      return [dt, dd];
    }),
  );
  box.hidden = false;
  warn.replaceChildren(
    ...d.warnings.map((w) => {
      const li = document.createElement('li');
      li.textContent = w;
      return li;
    }),
  );
}

function took(read: ApprovalRead): void {
  approval = read.ok ? read.token : undefined;
  $('approval-error').textContent = read.ok ? '' : read.words;
  $('approval').toggleAttribute('aria-invalid', !read.ok);
  showApproval();
}

export function bindRequestPanel(): void {
  const form = $<HTMLFormElement>('request');
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="mode"]')) radio.addEventListener('change', revealMode);
  form.addEventListener('input', () => approval && showApproval());
  const pasted = $<HTMLTextAreaElement>('approval');
  pasted.addEventListener('input', () => took(readApprovalText(pasted.value)));
  $<HTMLInputElement>('approval-file').addEventListener('change', (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file) void readApprovalFile(file).then(took);
  });
  const drop = $('approval-drop');
  drop.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    drop.classList.add('dropping');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dropping'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('dropping');
    const file = ev.dataTransfer?.files[0];
    if (file) void readApprovalFile(file).then(took);
  });
  showMode();
}
