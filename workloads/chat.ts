// Messaging: messages posted to conversations, each reply naming the messages its sender saw (the node's view
// of the conversation when the post arrives, as a chat server does when its client replies) and views of
// whole conversations. Checked for causal consistency (CC bad patterns) and the user-visible symptom
// "a reader saw reply R without its parent P". Conversations rotate every 60 ops of a worker, so each stays
// small; worker w's n-th message is m<w>-<n>.
import { checkCausal } from "../checkers/causal/index.ts";
import { chatAdapter, checkChat } from "../checkers/chat/index.ts";
import type { Workload } from "../src/run/types.ts";
import type { Op } from "../src/history/op.ts";
import { nothingToJudge } from "../checkers/fit.ts";

/** Causal order is judged through what scans saw: with no scan, it holds vacuously, which is no verdict. */
const hasScans = (h: readonly Op[]) => h.some((o) => o.f === "scan" && o.type === "ok" && o.process !== "nemesis");

export const chatWorkload: Workload = {
  options: [],
  name: "chat",
  description:
    "posts replies to conversations and reads whole conversations; checked for causal order (a reply never shows without its parent)",
  generator(rng, options, worker) {
    const width = Math.max(1, options.keys);
    let ops = 0,
      n = 0;
    return () => {
      const conv = `c${Math.floor(ops++ / 60)}-${rng.int(width)}`;
      if (rng.chance(0.4)) return { f: "post", value: [conv, `m${worker}-${++n}`] };
      return { f: "scan", value: [`${conv}/`] };
    };
  },
  checkers: () => [
    {
      name: "causal",
      decides: ["causal"],
      check: (h) =>
        hasScans(h)
          ? checkCausal(h, chatAdapter, { model: "CC" })
          : nothingToJudge("causal", "no scans completed ok: no view of a conversation to judge causal order by"),
    },
    { name: "chat", decides: ["causal"], check: (h) => checkChat(h) },
  ],
};
