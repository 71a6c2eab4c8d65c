// Each model: histories that must pass and histories that must fail.
import { describe, expect, it } from "vitest";
import { checkLinearizable } from "../../checkers/linearizable/index.ts";
import { createModel, type ModelSpec } from "../../checkers/linearizable/models/index.ts";
import { historyBuilder } from "../helpers.ts";

type H = ReturnType<typeof historyBuilder>;
const verdict = (spec: ModelSpec, build: (h: H) => void) => {
  const h = historyBuilder();
  build(h);
  return checkLinearizable(h.ops, { model: createModel(spec) }).valid;
};
/** An op that runs alone: invoke then complete. */
const seq = (h: H, p: number, f: string, inv: unknown, out: unknown = inv, type: "ok" | "fail" | "info" = "ok") => {
  h.invoke(p, f, inv);
  h[type](p, f, out);
};

describe("models", () => {
  it("register: write then read; rejects a read of an overwritten value and any cas", () => {
    expect(
      verdict({ name: "register" }, (h) => {
        seq(h, 0, "write", 1);
        seq(h, 1, "read", null, 1);
      }),
    ).toBe(true);
    expect(
      verdict({ name: "register" }, (h) => {
        seq(h, 0, "write", 1);
        seq(h, 0, "write", 2);
        seq(h, 1, "read", null, 1);
      }),
    ).toBe(false);
    expect(
      verdict({ name: "register" }, (h) => {
        seq(h, 0, "cas", [null, 1]);
      }),
    ).toBe(false);
    expect(
      verdict({ name: "register", initial: 0 }, (h) => {
        seq(h, 1, "read", null, 0);
      }),
    ).toBe(true);
    expect(
      verdict({ name: "register" }, (h) => {
        seq(h, 1, "read", null, 0);
      }),
    ).toBe(false);
  });

  it("cas-register with nil reads unknown (Knossos) or absent", () => {
    const hist = (h: H) => {
      seq(h, 0, "write", 3);
      seq(h, 1, "read", null, null);
    };
    expect(verdict({ name: "cas-register", nilReadIsUnknown: true }, hist)).toBe(true);
    expect(verdict({ name: "cas-register" }, hist)).toBe(false);
  });

  it("multi-register: atomic txns; a torn read fails", () => {
    const spec = { name: "multi-register", initial: { x: 0, y: 0 }, nilReadIsUnknown: true };
    expect(
      verdict(spec, (h) => {
        seq(h, 0, "txn", [
          ["write", "x", 1],
          ["write", "y", 1],
        ]);
        seq(
          h,
          1,
          "txn",
          [
            ["read", "x", null],
            ["read", "y", null],
          ],
          [
            ["read", "x", 1],
            ["read", "y", 1],
          ],
        );
      }),
    ).toBe(true);
    expect(
      verdict(spec, (h) => {
        seq(h, 0, "txn", [
          ["write", "x", 1],
          ["write", "y", 1],
        ]);
        seq(
          h,
          1,
          "txn",
          [
            ["read", "x", null],
            ["read", "y", null],
          ],
          [
            ["read", "x", 1],
            ["read", "y", 0],
          ],
        );
      }),
    ).toBe(false);
    // Concurrent: the read may come before the txn, but never see half of it.
    expect(
      verdict(spec, (h) => {
        h.invoke(0, "txn", [
          ["write", "x", 1],
          ["write", "y", 1],
        ]);
        h.invoke(1, "txn", [
          ["read", "x", null],
          ["read", "y", null],
        ]);
        h.ok(1, "txn", [
          ["read", "x", 0],
          ["read", "y", 0],
        ]);
        h.ok(0, "txn", [
          ["write", "x", 1],
          ["write", "y", 1],
        ]);
      }),
    ).toBe(true);
    expect(
      verdict(spec, (h) => {
        h.invoke(0, "txn", [
          ["write", "x", 1],
          ["write", "y", 1],
        ]);
        h.invoke(1, "txn", [
          ["read", "x", null],
          ["read", "y", null],
        ]);
        h.ok(1, "txn", [
          ["read", "x", 0],
          ["read", "y", 1],
        ]);
        h.ok(0, "txn", [
          ["write", "x", 1],
          ["write", "y", 1],
        ]);
      }),
    ).toBe(false);
  });

  it("kv: per key get / put / append (Porcupine's model)", () => {
    const ok = (h: H) => {
      seq(h, 0, "put", ["a", "x"]);
      seq(h, 0, "append", ["a", "y"]);
      seq(h, 1, "get", ["a", null], ["a", "xy"]);
      seq(h, 1, "get", ["b", null], ["b", ""]);
    };
    const v = checkLinearizable(
      (() => {
        const h = historyBuilder();
        ok(h);
        return h.ops;
      })(),
      { model: createModel({ name: "kv" }) },
    );
    expect(v.valid).toBe(true);
    expect(v.stats?.partitions).toBe(2);
    expect(
      verdict({ name: "kv" }, (h) => {
        seq(h, 0, "append", ["a", "x"]);
        seq(h, 0, "append", ["a", "y"]);
        seq(h, 1, "get", ["a", null], ["a", "yx"]);
      }),
    ).toBe(false);
  });

  it("set: reads must see exactly the adds linearized before them", () => {
    expect(
      verdict({ name: "set" }, (h) => {
        seq(h, 0, "add", 1);
        h.invoke(0, "add", 2);
        seq(h, 1, "read", null, [1]);
        h.ok(0, "add", 2);
        seq(h, 1, "read", null, [2, 1]);
      }),
    ).toBe(true);
    expect(
      verdict({ name: "set" }, (h) => {
        seq(h, 0, "add", 1);
        seq(h, 0, "add", 2);
        seq(h, 1, "read", null, [1]);
      }),
    ).toBe(false);
    expect(
      verdict({ name: "set" }, (h) => {
        seq(h, 0, "add", 1);
        seq(h, 1, "read", null, [1]);
        seq(h, 1, "read", null, []);
      }),
    ).toBe(false);
  });

  it("mutex: two holders at once fail; failed acquires did not happen", () => {
    expect(
      verdict({ name: "mutex" }, (h) => {
        seq(h, 0, "acquire", null);
        seq(h, 1, "acquire", null, null, "fail");
        seq(h, 0, "release", null);
        seq(h, 1, "acquire", null);
      }),
    ).toBe(true);
    expect(
      verdict({ name: "mutex" }, (h) => {
        seq(h, 0, "acquire", null);
        seq(h, 1, "acquire", null);
      }),
    ).toBe(false);
    expect(
      verdict({ name: "mutex" }, (h) => {
        seq(h, 0, "release", null);
      }),
    ).toBe(false);
    // A crashed release may have freed the lock.
    expect(
      verdict({ name: "mutex" }, (h) => {
        seq(h, 0, "acquire", null);
        seq(h, 0, "release", null, null, "info");
        seq(h, 1, "acquire", null);
      }),
    ).toBe(true);
  });

  it("fifo-queue: dequeues in enqueue order; a crashed dequeue may have taken the head", () => {
    expect(
      verdict({ name: "fifo-queue" }, (h) => {
        seq(h, 0, "enqueue", 1);
        seq(h, 0, "enqueue", 2);
        seq(h, 1, "dequeue", null, 1);
        seq(h, 1, "dequeue", null, 2);
        seq(h, 1, "dequeue", null, null);
      }),
    ).toBe(true);
    expect(
      verdict({ name: "fifo-queue" }, (h) => {
        seq(h, 0, "enqueue", 1);
        seq(h, 0, "enqueue", 2);
        seq(h, 1, "dequeue", null, 2);
      }),
    ).toBe(false);
    expect(
      verdict({ name: "fifo-queue" }, (h) => {
        seq(h, 0, "enqueue", 1);
        seq(h, 0, "enqueue", 2);
        seq(h, 2, "dequeue", null, null, "info");
        seq(h, 1, "dequeue", null, 2);
      }),
    ).toBe(true);
  });

  it("unordered-queue: any element present, each at most once", () => {
    expect(
      verdict({ name: "unordered-queue" }, (h) => {
        seq(h, 0, "enqueue", 1);
        seq(h, 0, "enqueue", 2);
        seq(h, 1, "dequeue", null, 2);
        seq(h, 1, "dequeue", null, 1);
      }),
    ).toBe(true);
    expect(
      verdict({ name: "unordered-queue" }, (h) => {
        seq(h, 0, "enqueue", 1);
        seq(h, 1, "dequeue", null, 1);
        seq(h, 1, "dequeue", null, 1);
      }),
    ).toBe(false);
    expect(
      verdict({ name: "unordered-queue" }, (h) => {
        seq(h, 1, "dequeue", null, 1);
        seq(h, 0, "enqueue", 1);
      }),
    ).toBe(false);
  });

  it("many identical crashed writes stay tractable (symmetry reduction)", () => {
    const h = historyBuilder();
    for (let p = 0; p < 30; p++) {
      h.invoke(p, "write", p % 3);
      h.info(p, "write", p % 3);
    }
    for (let i = 0; i < 40; i++) {
      h.invoke(100 + i, "read", null);
      h.ok(100 + i, "read", i % 3);
    }
    h.invoke(200, "read", null);
    h.ok(200, "read", 7);
    const v = checkLinearizable(h.ops, {
      model: createModel({ name: "register" }),
      maxSteps: 2_000_000,
      shrink: false,
    });
    expect(v.valid).toBe(false);
  });
});
