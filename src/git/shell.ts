/**
 * Shell quoting for the commands git-ctx prints as fixes and hints (issue 24, point 2): every
 * such command runs as printed in a POSIX shell, also for paths with spaces or quotes.
 */

/** Quotes `s` for a POSIX shell when it holds anything but safe characters. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
