// A URL given as text (a flag, a config file), parsed once: the schemas for
// webhook, syslog and similar targets refine this instead of each catching
// `new URL` themselves.
import { z } from 'zod';

export const urlText = z
  .string()
  .max(2048)
  .transform((s, ctx) => {
    if (URL.canParse(s)) return new URL(s);
    ctx.addIssue({ code: 'custom', message: 'not a URL' });
    return z.NEVER;
  });
