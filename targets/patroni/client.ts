// A client as an application on a Patroni cluster sees it: it writes to whoever is leader (found through
// Patroni's REST API, GET /primary, as a load balancer or libpq's target_session_attrs=read-write would), keeps
// its connection until it fails or the node turns read-only, then finds the leader again. Ops are mapped to SQL
// by the postgres target's client (PgClient) with the leader as its primary; a write acknowledged by a node that
// is later rewound is recorded ok, because the application was told it committed.
//
// Where the client stands during a partition decides what is lost:
//   stay      it reaches every node (it stands with the old primary): it keeps writing to the old primary until
//             that demotes, and new connections prefer the primary the clients were already using;
//   majority  it stands with the majority: a node cut off from most of its peers is unreachable to it, its
//             connections there are dropped at once (ops in flight end indeterminate), and it follows the new leader.
import { PgClient } from "../postgres/client.ts";
import type { PgCluster } from "../postgres/cluster.ts";
import type { Completion } from "../../src/history/op.ts";
import { DefiniteFailure, type Client, type OpSpec } from "../../src/run/types.ts";
import type { LabNode } from "../../src/lab/runtime.ts";
import type { PatroniCluster } from "./cluster.ts";

export type ClientStance = "stay" | "majority";
export const CLIENT_STANCES: ClientStance[] = ["stay", "majority"];

/** What every client of one session shares: the primary clients use, and which nodes a majority client cannot reach. */
export class ClientView {
  preferred: string | undefined;
  /** Nodes cut off from the majority by the current partition. */
  cut = new Set<string>();
  readonly clients = new Set<PatroniClient>();

  constructor(
    readonly cluster: PatroniCluster,
    readonly stance: ClientStance,
  ) {}

  /** The partition changed (`nodes`: cut off from the majority): majority clients drop their connections there. */
  cutOff(nodes: Set<string>): void {
    this.cut = nodes;
    if (this.stance === "majority") for (const c of this.clients) c.lose(nodes);
  }

  /** The node a client should write to now, or undefined when no reachable node claims to be primary. */
  pick(current: string | undefined): string | undefined {
    const claims = this.cluster.claims.filter((c) => this.stance !== "majority" || !this.cut.has(c.node));
    const has = (n: string | undefined) => n !== undefined && claims.some((c) => c.node === n);
    if (has(current)) return current;
    if (this.stance === "stay" && has(this.preferred)) return this.preferred;
    this.preferred = claims[0]?.node;
    return this.preferred;
  }
}

export class PatroniClient implements Client {
  private inner: PgClient;
  private leader: LabNode | undefined;

  constructor(
    private view: ClientView,
    process: number,
    timeoutMs: number,
  ) {
    // PgClient sends writes (and, with read=primary, reads) to `cluster.primary`: here, this client's leader.
    const leader = () => this.leader!;
    const asCluster = {
      get primary() {
        return leader();
      },
      get replicas() {
        return [];
      },
    } as unknown as PgCluster;
    this.inner = new PgClient(asCluster, process, view.cluster.nodes[0], "primary", timeoutMs);
    view.clients.add(this);
  }

  /** Drops the connection when its node became unreachable (in-flight ops see a lost connection: indeterminate). */
  lose(nodes: Set<string>): void {
    if (this.leader && nodes.has(this.leader.name)) {
      this.leader = undefined;
      void this.inner.close();
    }
  }

  async invoke(op: OpSpec): Promise<Completion> {
    let name = this.view.pick(this.leader?.name);
    // No leader (failover in progress): wait a little, as a connection attempt would, rather than fail at once.
    for (let i = 0; !name && i < 10; i++) {
      await new Promise((r) => setTimeout(r, 50));
      name = this.view.pick(this.leader?.name);
    }
    if (!name) throw new DefiniteFailure("no leader: no reachable node claims to be primary");
    if (name !== this.leader?.name) {
      await this.inner.close();
      this.leader = this.view.cluster.node(name);
    }
    try {
      return await this.inner.invoke(op);
    } catch (e) {
      // connection lost, read-only (demoted), shutting down: find the leader again for the next op
      this.leader = undefined;
      await this.inner.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    this.view.clients.delete(this);
    await this.inner.close();
  }
}
