// The command line the ssh runtime sends to a host (also built by the synchronous undo in undo.ts).

/** Quotes one word for a POSIX shell. */
export const shQuote = (s: string) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The remote command line for argv, under sudo when the login user is not root. */
export function remoteCommand(argv: string[], sudo: boolean): string {
  return [...(sudo ? ["sudo", "-n", "--"] : []), ...argv].map(shQuote).join(" ");
}
