// What a target (or a runtime) needs installed, declared once: the Debian packages `faultline lab install`
// installs, the programs `lab doctor` and the ssh host check look for (each named with the package that
// provides it, so a missing one turns into the exact apt-get command), the distribution services the install
// stops, and the packages of the docker node image.

/** A program (or file) that must be present, and the Debian package that provides it. */
export interface Binary {
  /** The command's name (looked up on PATH when there is no `path`). */
  name: string;
  pkg: string;
  /** Its absolute path; one `*` in it stands for a version directory (PostgreSQL's bin dir is per major version). */
  path?: string;
  /** What doctor calls it, when the command's name alone says too little. */
  label?: string;
}

export interface Needs {
  /** Debian packages `faultline lab install` installs. */
  packages: string[];
  /** Programs and files checked by `lab doctor` (this host) and the ssh host check (each host). */
  binaries: Binary[];
  /** The docker node image's packages for this target, when they differ from `packages` (Debian bookworm). */
  imagePackages?: string[];
  /** The distribution's own services these packages start, which the lab stops (they hold ports and CPU). */
  services?: string[];
  /** System users the servers run as, and the package that creates them. */
  users?: { name: string; pkg: string }[];
}

/** The union of several needs, in order, without duplicates. */
export function mergeNeeds(all: Needs[]): Required<Needs> {
  const uniq = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];
  return {
    packages: uniq(
      all.flatMap((n) => n.packages),
      (p) => p,
    ),
    binaries: uniq(
      all.flatMap((n) => n.binaries),
      (b) => b.path ?? b.name,
    ),
    imagePackages: uniq(
      all.flatMap((n) => n.imagePackages ?? n.packages),
      (p) => p,
    ),
    services: uniq(
      all.flatMap((n) => n.services ?? []),
      (s) => s,
    ),
    users: uniq(
      all.flatMap((n) => n.users ?? []),
      (u) => u.name,
    ),
  };
}

/** The packages providing the named (missing) binaries, once each, for an apt-get command. */
export function packagesOf(binaries: Binary[], names: string[]): string[] {
  return [...new Set(names.map((m) => binaries.find((b) => b.name === m)?.pkg ?? m))];
}

/** A POSIX sh snippet that prints `missing NAME` for each binary absent on the host it runs on (sbin dirs
 *  included: a non-root login's PATH may lack them). */
export function missingScript(binaries: Binary[]): string {
  const onPath = binaries.filter((b) => !b.path).map((b) => b.name);
  const files = binaries.filter((b) => b.path);
  return [
    ...(onPath.length
      ? [
          `for c in ${onPath.join(" ")}; do command -v "$c" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$c" >/dev/null 2>&1 || echo "missing $c"; done`,
        ]
      : []),
    ...files.map((b) => `ls -d ${b.path} >/dev/null 2>&1 || echo "missing ${b.name}"`),
  ].join("; ");
}
