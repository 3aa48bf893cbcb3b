// Every value from the network is shown in its own bidi isolate (<bdi>, or
// dir=auto on a block), so right-to-left letters or digits in one field can
// never reorder the words or digits next to it.
import { h } from './element.js';

/** One value, isolated. */
export function isolated(text: string, className?: string): HTMLElement {
  return h('bdi', { ...(className ? { className } : {}), text });
}

/** A multi-line value (reason, narration) as its own paragraph, direction from its own first strong letter. */
export function isolatedBlock(text: string, className = 'multiline'): HTMLParagraphElement {
  return h('p', { className, attrs: { dir: 'auto' }, text });
}

const SLOT = '\u0000';

/** A sentence from the strings table around one value: the words stay translatable, the value stays isolated. */
export function sentence(template: (value: string) => string, value: string, valueClass?: string): (Node | string)[] {
  const [before = '', after = ''] = template(SLOT).split(SLOT);
  return [before, isolated(value, valueClass), after].filter((part) => part !== '');
}

/** A sentence around several values, each isolated (the template puts them in order). */
export function sentenceOf(template: (...values: string[]) => string, values: readonly string[], classes: readonly (string | undefined)[] = []): (Node | string)[] {
  const parts = template(...values.map(() => SLOT)).split(SLOT);
  const out: (Node | string)[] = [];
  parts.forEach((part, i) => {
    if (part !== '') out.push(part);
    if (i < values.length) out.push(isolated(values[i]!, classes[i]));
  });
  return out;
}
