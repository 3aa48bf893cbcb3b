// Imported first by main.ts, before any schema is built: the page CSP forbids
// eval, and zod would otherwise probe for it (a CSP violation on every load).
import { z } from 'zod';

z.config({ jitless: true });
