// "Is your problem solved?" on the summary page (issue 20): Yes / Not yet, an
// optional 1-5 rating and a short comment. Sent once; the page checks the
// comment against the same text policy the core and the relay apply.
import { strings } from '../../src/shared/strings.js';
import { resolutionComment as commentText, type ResolutionAnswer } from '../../src/shared/view-models.js';
import { h } from '../common/element.js';

const s = strings.summary;
const MAX_COMMENT = 500;

export interface ResolutionForm {
  root: HTMLElement;
}

function radio(name: string, value: string, label: string): HTMLLabelElement {
  const input = h('input', { attrs: { type: 'radio', name, value } });
  return h('label', { className: 'choice' }, input, h('span', { text: label }));
}

export function resolutionForm(sessionId: string, send: (answer: ResolutionAnswer) => void): ResolutionForm {
  const solved = h('fieldset', { className: 'solved' }, h('legend', { className: 'visually-hidden', text: s.resolutionTitle }), radio('solved', 'yes', s.resolutionYes), radio('solved', 'no', s.resolutionNo));
  const ratings = [1, 2, 3, 4, 5].map((n) => {
    const label = radio('rating', String(n), String(n));
    label.title = s.ratingOption(n);
    label.querySelector('input')!.setAttribute('aria-label', `${n} — ${s.ratingOption(n)}${n === 1 ? `, ${s.ratingLow}` : n === 5 ? `, ${s.ratingHigh}` : ''}`);
    return label;
  });
  const rating = h(
    'fieldset',
    { className: 'rating' },
    h('legend', { text: s.ratingLegend }),
    h('div', { className: 'rating-scale' }, h('span', { className: 'muted small', attrs: { 'aria-hidden': 'true' }, text: s.ratingLow }), ...ratings, h('span', { className: 'muted small', attrs: { 'aria-hidden': 'true' }, text: s.ratingHigh })),
  );
  const comment = h('textarea', { id: 'resolution-comment', className: 'text-box comment', attrs: { rows: '2', maxlength: String(MAX_COMMENT) } });
  const submit = h('button', { className: 'button button-primary', attrs: { type: 'submit' }, text: s.resolutionSend });
  const status = h('p', { className: 'small resolution-status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const form = h(
    'form',
    { className: 'resolution-form', attrs: { 'aria-labelledby': 'resolution-title' } },
    solved,
    rating,
    h('label', { className: 'comment-label', attrs: { for: 'resolution-comment' }, text: s.commentLabel }),
    comment,
    h('div', { className: 'actions' }, submit),
    status,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const choice = data.get('solved');
    if (choice !== 'yes' && choice !== 'no') return void (status.textContent = s.resolutionChoose);
    const text = comment.value.normalize('NFC').replace(/\r\n?/g, '\n');
    let checked: string | undefined;
    if (text.trim() !== '') {
      const parsed = commentText.safeParse(text);
      if (!parsed.success) return void (status.textContent = s.resolutionInvalid);
      checked = parsed.data;
    }
    const stars = Number(data.get('rating'));
    const answer: ResolutionAnswer = { sessionId, solved: choice === 'yes', ...(stars >= 1 && stars <= 5 ? { rating: stars } : {}), ...(checked !== undefined ? { comment: checked } : {}) };
    send(answer);
    // Sent once: the form stays readable, but nothing in it can change.
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLButtonElement>('input, textarea, button')) el.disabled = true;
    status.textContent = answer.solved ? s.resolutionThanksYes : s.resolutionThanksNo;
  });
  const root = h('section', { className: 'card section resolution', attrs: { 'aria-labelledby': 'resolution-title' } }, h('h2', { id: 'resolution-title', text: s.resolutionTitle }), form);
  return { root };
}
