// Parsed JSON from outside the program (a run's files, a server's answers): read loosely, each field checked
// where it is used, so one alias says so instead of a cast at every access.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
