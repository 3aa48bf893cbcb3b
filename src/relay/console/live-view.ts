// What the console shows: the live panel (code first, state, decision per
// access), the error banner and field errors. Text only, never markup.
import type { Scope } from '../../protocol/scopes.js';
import type { FieldId } from './request-form.js';
import { SCOPE_LABELS } from './scope-labels.js';

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function setError(words: string, detail = ''): void {
  $('error').textContent = words;
  $('error-detail').textContent = detail ? `Technical detail: ${detail}` : '';
  $('error-box').hidden = words === '';
}

export function clearError(): void {
  setError('');
}

export function setState(text: string, tone: 'ok' | 'failed' | 'neutral' = 'neutral'): void {
  const state = $('state');
  state.textContent = text;
  state.className = tone === 'neutral' ? 'state' : `state ${tone}`;
}

export function addEvent(text: string): void {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $('events').append(li);
}

/** A new request: the previous one's code, events and decision are gone. */
export function startLivePanel(scopes: readonly Scope[]): void {
  $('idle').hidden = true;
  $('active').hidden = false;
  $('desk').classList.add('has-request');
  $('fingerprint').textContent = '';
  $('events').replaceChildren();
  $('code').textContent = '';
  $('code-block').hidden = true;
  setState('Sending ...');
  $('decision').replaceChildren(
    ...scopes.map((scope) => {
      const li = document.createElement('li');
      li.dataset.scope = scope;
      const name = document.createElement('span');
      name.textContent = SCOPE_LABELS[scope];
      const verdict = document.createElement('span');
      verdict.className = 'waiting';
      verdict.textContent = 'waiting for the user';
      li.append(name, verdict);
      return li;
    }),
  );
  $('live-title').focus();
}

export function markDecision(granted: readonly Scope[], declined: readonly Scope[]): void {
  for (const li of $('decision').querySelectorAll<HTMLLIElement>('li')) {
    const scope = li.dataset.scope as Scope;
    const verdict = li.lastElementChild as HTMLElement;
    const isGranted = granted.includes(scope);
    verdict.className = isGranted ? 'granted' : 'declined';
    verdict.textContent = isGranted ? 'granted' : declined.includes(scope) ? 'declined' : 'not granted';
  }
}

export function showCode(code: string): void {
  $('code').textContent = code;
  $('code-block').hidden = false;
}

/** The request ended before the user decided: nothing is waiting any more. */
export function markUndecided(words: string): void {
  for (const verdict of $('decision').querySelectorAll<HTMLElement>('li > .waiting')) {
    verdict.className = 'unsent';
    verdict.textContent = words;
  }
}

export function clearFieldErrors(): void {
  for (const el of document.querySelectorAll<HTMLElement>('.field-error')) el.textContent = '';
  for (const el of document.querySelectorAll<HTMLElement>('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

export function showFieldErrors(errors: ReadonlyMap<FieldId, string>): void {
  for (const [field, words] of errors) {
    $(`${field}-error`).textContent = words;
    if (field !== 'scopes') $(field).setAttribute('aria-invalid', 'true');
  }
}
