// The escalation confirmation code: three digits the user types, shown only in
// this capture-protected window. It must not look like the six-digit
// verification code (which is compared by ear, not typed): its own label,
// colour, dashed frame and a three-character field, with the rules in words.
import { CONFIRM_CODE_LENGTH } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { h } from '../common/element.js';

const s = strings.consent;

export interface ConfirmBoxDom {
  box: HTMLElement;
  input: HTMLInputElement;
}

export function renderConfirmBox(code: string, maxTries: number): ConfirmBoxDom {
  const input = h('input', {
    id: 'confirm-input',
    className: 'confirm-input',
    // Longer than the code on purpose: a pasted or typed six-digit verification code is seen and refused, not cut to
    // three digits and counted as a wrong try.
    attrs: { type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', maxlength: '12', 'aria-describedby': 'confirm-rules' },
  });
  const box = h(
    'section',
    { className: 'confirm-box', attrs: { 'aria-labelledby': 'confirm-title' } },
    h('label', { id: 'confirm-title', className: 'confirm-title', attrs: { for: 'confirm-input' }, text: s.confirmInputLabel(CONFIRM_CODE_LENGTH) }),
    h(
      'div',
      { className: 'confirm-row' },
      h('p', { className: 'confirm-code' }, h('span', { attrs: { 'aria-hidden': 'true' }, text: code }), h('span', { className: 'visually-hidden', text: code.split('').join(' ') })),
      input,
      h('p', { id: 'confirm-rules', className: 'confirm-rules', text: s.confirmRules(CONFIRM_CODE_LENGTH, maxTries) }),
    ),
  );
  return { box, input };
}
