// A simulated network between named endpoints: seeded latency, one-way blocks (partitions), random loss,
// crashed nodes (messages dropped) and paused nodes (messages held until resumed).
import type { Rng } from "../../src/run/rng.ts";
import type { SimClock } from "./clock.ts";
import type { Completion } from "../../src/history/op.ts";

export type Handler = (from: string, msg: unknown) => void;

export class SimNetwork {
  private handlers = new Map<string, Handler>();
  private blocked = new Set<string>();
  private lossRate = new Map<string, number>();
  readonly down = new Set<string>();
  private paused = new Map<string, [string, unknown][]>();

  constructor(
    private clock: SimClock,
    private rng: Rng,
    private meanLatency = 1,
  ) {}

  listen(name: string, handler: Handler): void {
    this.handlers.set(name, handler);
  }

  send(from: string, to: string, msg: unknown): void {
    if (this.down.has(from) || this.dropped(from, to)) return;
    const latency = 0.2 + this.rng.exp(this.meanLatency);
    this.clock.at(latency, () => this.deliver(from, to, msg));
  }

  private dropped(from: string, to: string): boolean {
    if (this.blocked.has(`${from}>${to}`)) return true;
    const loss = this.lossRate.get(to) ?? 0;
    return loss > 0 && this.rng.chance(loss);
  }

  private deliver(from: string, to: string, msg: unknown): void {
    if (this.down.has(to) || this.blocked.has(`${from}>${to}`)) return;
    const held = this.paused.get(to);
    if (held) {
      held.push([from, msg]);
      return;
    }
    this.handlers.get(to)?.(from, msg);
  }

  block(links: [string, string][]): void {
    for (const [a, b] of links) this.blocked.add(`${a}>${b}`);
  }
  setLoss(node: string, p: number): void {
    this.lossRate.set(node, p);
  }
  heal(): void {
    this.blocked.clear();
    this.lossRate.clear();
  }
  canReach(from: string, to: string): boolean {
    return !this.blocked.has(`${from}>${to}`) && !this.down.has(to);
  }

  pause(node: string): void {
    if (!this.paused.has(node)) this.paused.set(node, []);
  }
  resume(node: string): void {
    const held = this.paused.get(node);
    this.paused.delete(node);
    for (const [from, msg] of held ?? []) this.handlers.get(node)?.(from, msg);
  }
  isPaused(node: string): boolean {
    return this.paused.has(node);
  }
}

/** A client's request to a node, as it travels the simulated network. */
export interface Req {
  t: "req";
  id: number;
  f: string;
  value: unknown;
  client: string;
  via?: string;
}

/** Clients' requests to nodes: each resolves with the node's reply (or never, if the request or reply is lost).
 *  A node answers with `{ t: "resp", id, completion }`. */
export class Requests {
  private next = 0;
  private readonly waiting = new Map<number, (c: Completion) => void>();
  constructor(private readonly net: SimNetwork) {}

  call(client: string, node: string, f: string, value: unknown): Promise<Completion> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.net.listen(client, (_from, msg) => {
        const m = msg as { t: "resp"; id: number; completion: Completion };
        const r = this.waiting.get(m.id);
        if (r) {
          this.waiting.delete(m.id);
          r(m.completion);
        }
      });
      this.net.send(client, node, { t: "req", id, f, value, client });
    });
  }
}
