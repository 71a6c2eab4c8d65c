// The sim's modes: each reproduces how a family of real stores replicates, and so which guarantees hold.
export const SIM_MODES = {
  linearizable: "single leader (n1), every op committed by a majority before it is acknowledged, reads through the leader",
  "primary-async": "writes to the primary, acknowledged at once and replicated asynchronously; reads from the client's own node (stale reads, read-your-writes violations)",
  "sticky-session": "writes through the primary; each client reads from its own node, which waits until it has applied the client's writes (read-your-writes holds, linearizability does not)",
  causal: "every node accepts writes; updates carry vector clocks and are applied only after everything they depend on (causal+; not linearizable)",
  "eventual-lww": "every node accepts writes; conflicts resolved by last-writer-wins on each node's wall clock, so clock skew loses acknowledged writes",
  "failover-lossy": "reads and writes at the primary, asynchronous replication; a majority promotes a new primary when the old one is cut off, and the old one's unreplicated writes are discarded when it rejoins",
} as const;

export type SimMode = keyof typeof SIM_MODES;
export const isSimMode = (m: string): m is SimMode => m in SIM_MODES;
