// `npm run bench -- --quick`: the same rows from fewer samples (about a minute, for use while
// developing); the full run is the one whose figures go in notes.
export const QUICK = process.argv.includes('--quick');

/** `full` samples normally; a tenth (or `quick`) with --quick. */
export function rounds(full: number, quick = Math.max(1, Math.ceil(full / 10))): number {
  return QUICK ? quick : full;
}
