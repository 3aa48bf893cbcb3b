// The envelope every message shares: `{v: 1, type, id}`.
import { z } from 'zod';
import { identifier } from '../primitives.js';

export const header = <T extends string>(type: T) => ({ v: z.literal(1), type: z.literal(type), id: identifier });
