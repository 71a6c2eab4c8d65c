/// <reference lib="dom" />
// The summary: the run's facts, notes, each checker's verdict, the consistency spectrum, transactional
// isolation, the operations by kind.
import { duration } from "../../format.ts";
import { $, el } from "./dom.ts";
import { DATA, END, N } from "./ops.ts";
import type { Json } from "../../json.ts";

const verdictWord = (v: unknown) =>
  v === true ? "VALID" : v === false ? "INVALID" : v === "unknown" ? "UNKNOWN" : "NOT CHECKED";
const verdictClass = (v: unknown) =>
  v === true ? "v-valid" : v === false ? "v-invalid" : v === "unknown" ? "v-unknown" : "v-none";
const statusClass = (s: string) => (s === "held" ? "held" : s === "violated" ? "violated" : "muted");

export function renderSummary(): void {
  const r = DATA.run as Record<string, Json>,
    c = DATA.counts;
  $("title").textContent = `${DATA.title}${r.name ? ` · ${r.name}` : ""}`;
  const badge = $("verdict");
  badge.textContent = verdictWord(DATA.valid);
  badge.className = `badge ${verdictClass(DATA.valid)}`;
  const dur = typeof r.simulatedSeconds === "number" ? r.simulatedSeconds * 1e9 : END;
  const facts: [string, unknown][] = [
    ["target", [r.target, r.mode].filter(Boolean).join(" / ") || "—"],
    ["workload", r.workload ?? "—"],
    ["nemesis", Array.isArray(r.nemesis) ? (r.nemesis.length ? r.nemesis.join(", ") : "none") : (r.nemesis ?? "—")],
    ["seed", r.seed ?? "—"],
    ["duration", duration(dur)],
    ["nodes", Array.isArray(r.nodes) ? r.nodes.join(", ") : "—"],
    ["operations", `${N} (${c.ok} ok, ${c.fail} failed, ${c.info} indeterminate)`],
    ["faults", `${DATA.faults.length} injected`],
    ["history events", c.events],
    ["concurrency", r.concurrency ?? "—"],
    ["rate", r.rate === 0 ? "unlimited" : r.rate !== undefined ? `${r.rate} ops/s` : "—"],
    ["started", r.started ?? "—"],
    ["status", r.status ?? "—"],
    ["faultline", r.versions?.faultline ?? "—"],
  ];
  $("facts").append(
    el(
      "dl",
      { class: "facts" },
      facts.map(([k, v]) => el("div", null, el("dt", { text: k }), el("dd", { text: v, title: String(v) }))),
    ),
  );
  if (r.description)
    $("facts").append(el("p", { class: "muted", text: `${r.target}${r.mode ? "/" + r.mode : ""}: ${r.description}` }));
  if (Array.isArray(r.argv))
    $("facts").append(el("p", { class: "muted" }, "command: ", el("code", { text: `faultline ${r.argv.join(" ")}` })));
  for (const n of DATA.notes) $("notes").append(el("p", { class: "note", text: n }));
  if (DATA.checkers.length) {
    $("checkers").append(
      el("h3", { text: "Checkers" }),
      el(
        "table",
        null,
        el(
          "tr",
          null,
          el("th", { text: "checker" }),
          el("th", { text: "verdict" }),
          el("th", { text: "anomalies" }),
          el("th", { text: "notes" }),
        ),
        DATA.checkers.map((k) =>
          el(
            "tr",
            null,
            el("td", { text: k.name }),
            el("td", {
              class: k.valid === true ? "held" : k.valid === false ? "violated" : "",
              text: verdictWord(k.valid),
            }),
            el("td", { class: "num", text: k.anomalies }),
            el("td", {
              class: "muted",
              text: [
                k.reason,
                k.stats
                  ? Object.entries(k.stats)
                      .map(([a, b]) => `${a} ${b}`)
                      .join(", ")
                  : "",
              ]
                .filter(Boolean)
                .join(" · "),
            }),
          ),
        ),
      ),
    );
  }
  const sp = DATA.spectrum;
  if (sp && sp.models.length) {
    const held = sp.models.filter((m) => m.status === "held").map((m) => m.model),
      broke = sp.models.filter((m) => m.status === "violated").map((m) => m.model);
    $("spectrum").append(
      el("h3", { text: "Consistency spectrum" }),
      el(
        "p",
        null,
        "Strongest held: ",
        el("strong", { text: sp.strongest ?? (held[0] || "none") }),
        held.length ? ` · held: ${held.join(", ")}` : "",
        broke.length ? ` · broke: ${broke.join(", ")}` : "",
      ),
      el(
        "table",
        { class: "spectrum" },
        el(
          "tr",
          null,
          el("th", { text: "model" }),
          el("th", { text: "status" }),
          el("th", { text: "anomalies" }),
          el("th", { text: "notes" }),
        ),
        sp.models.map((m) =>
          el(
            "tr",
            null,
            el("td", { text: m.model }),
            el("td", { class: statusClass(m.status), text: m.status }),
            el("td", { class: "num", text: m.anomalies ?? "" }),
            el("td", { class: "muted", text: m.note ?? "" }),
          ),
        ),
      ),
    );
  }
  const iso = DATA.isolation;
  if (iso && iso.models.length) {
    const counts = Object.entries(iso.anomalyCounts || {});
    $("spectrum").append(
      el("h3", { text: "Transactional isolation" }),
      el(
        "p",
        null,
        "Strongest held: ",
        el("strong", { text: iso.strongest }),
        counts.length ? ` · anomalies: ${counts.map(([k, v]) => `${k} ×${v}`).join(", ")}` : "",
      ),
      el(
        "table",
        { class: "spectrum isolation" },
        el("tr", null, el("th", { text: "model" }), el("th", { text: "status" })),
        iso.models.map((m) =>
          el("tr", null, el("td", { text: m.model }), el("td", { class: statusClass(m.status), text: m.status })),
        ),
      ),
    );
  }
  const fs = Object.entries(c.byF);
  if (fs.length)
    $("byf").append(
      el("h3", { text: "Operations by kind" }),
      el(
        "table",
        null,
        el("tr", null, ...["f", "ok", "failed", "indeterminate"].map((x) => el("th", { text: x }))),
        fs.map(([f, v]) =>
          el(
            "tr",
            null,
            el("td", { text: f }),
            el("td", { class: "num", text: v.ok }),
            el("td", { class: "num", text: v.fail }),
            el("td", { class: "num", text: v.info }),
          ),
        ),
      ),
    );
}
