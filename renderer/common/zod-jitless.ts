// Pages run under a CSP without 'unsafe-eval': tell zod not to probe for or
// use `new Function` (the probe alone would report a CSP violation).
// Imported first by every page, before any schema parses.
import { z } from 'zod';

z.config({ jitless: true });
