// The sim's modes: each reproduces how a family of real stores replicates, and so which guarantees hold.
export const SIM_MODES = {
  linearizable:
    "single leader (n1), every op committed by a majority before it is acknowledged, reads through the leader",
  "primary-async":
    "writes to the primary, acknowledged at once and replicated asynchronously; reads from the client's own node (stale reads, read-your-writes violations)",
  "sticky-session":
    "writes through the primary; each client reads from its own node, which waits until it has applied the client's writes (read-your-writes holds, linearizability does not)",
  causal:
    "every node accepts writes; updates carry vector clocks and are applied only after everything they depend on (causal+; not linearizable)",
  "eventual-lww":
    "every node accepts writes; conflicts resolved by last-writer-wins on each node's wall clock, so clock skew loses acknowledged writes",
  "failover-lossy":
    "reads and writes at the primary, asynchronous replication; a majority promotes a new primary when the old one is cut off, and the old one's unreplicated writes are discarded when it rejoins",
  "txn-strict-serializable":
    "transactions (list-append, rw-register), each run atomically on the primary at one instant between its invoke and completion: strict serializable",
  "txn-serializable":
    "transactions atomic on the primary, but read-only ones read a consistent snapshot up to --opt stale-ms=50 old: serializable, not strict",
  "txn-snapshot":
    "transactions read the snapshot taken when they began; first committer wins on written keys: snapshot isolation, with write skew (G2-item)",
  "txn-read-committed":
    "transactions read the latest committed data at each read; writes lock their keys and install at commit, unchecked: read committed (G-single, lost update)",
  "txn-replica-snapshot":
    "read-write transactions atomic on the primary; read-only ones on a replica's current state, replicas applying non-conflicting commits in arrival order: long fork (G-nonadjacent)",
} as const;

export type SimMode = keyof typeof SIM_MODES;
export const isSimMode = (m: string): m is SimMode => m in SIM_MODES;
