// The hook where central audit records are appended: a view of the storage
// whose appendAudit tells the streams once the record is durable (the append
// resolved), so they send it at once instead of at their next poll. The chain,
// the record and the caller's wait are unchanged; the notice is a wake-up
// call only (the streams read the record back from the storage themselves).
import type { RelayStorage } from '../storage/storage.js';

export function noticingAppends(storage: RelayStorage, appended: () => void): RelayStorage {
  return new Proxy(storage, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'appendAudit') {
        return async (...args: Parameters<RelayStorage['appendAudit']>) => {
          const record = await target.appendAudit(...args);
          queueMicrotask(appended);
          return record;
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
