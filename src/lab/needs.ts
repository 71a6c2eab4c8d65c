// What the lab runtimes themselves need, beside each target's own store (declared in the target's folder):
// on the harness host for the netns runtime, and on every docker or ssh node for fl-node.sh.
import type { Needs } from "../target/needs.ts";

/** The netns runtime on this host: namespaces and veths, firewall rules, setpriv, the clock shim's compiler. */
export const hostNeeds: Needs = {
  packages: ["iproute2", "iptables", "util-linux", "gcc", "libc6-dev", "faketime"],
  binaries: [
    { name: "ip", pkg: "iproute2", label: "iproute2 (ip)" },
    { name: "iptables", pkg: "iptables" },
    { name: "iptables-restore", pkg: "iptables" },
    { name: "setpriv", pkg: "util-linux" },
    { name: "gcc", pkg: "gcc", label: "clock shim compiler (gcc)" },
    { name: "libfaketime", pkg: "faketime", path: "/usr/lib/*/faketime/libfaketime.so.1" },
  ],
};

/** A docker or ssh node, for fl-node.sh: firewall chain, setpriv/setsid, tar, awk; the image adds ps and libfaketime. */
export const nodeNeeds: Needs = {
  packages: ["iptables", "util-linux", "tar", "mawk", "coreutils"],
  imagePackages: ["iptables", "iproute2", "faketime", "procps"],
  binaries: [
    { name: "iptables", pkg: "iptables" },
    { name: "setpriv", pkg: "util-linux" },
    { name: "setsid", pkg: "util-linux" },
    { name: "tar", pkg: "tar" },
    { name: "awk", pkg: "mawk" },
    { name: "timeout", pkg: "coreutils" },
  ],
};
