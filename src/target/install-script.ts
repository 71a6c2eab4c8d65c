// `faultline lab install`'s shell script, generated from the declared needs. src/lab/install.sh is this
// script checked in (CI runs it before anything is built); a test keeps the two equal, and
// `faultline lab install-script` prints it.
import type { Needs } from "./needs.ts";

export function installScript(needs: Required<Needs>): string {
  return `#!/bin/sh
# Installs what faultline's local lab needs on Debian or Ubuntu (run as root). Generated from the targets'
# declarations (targets/*/index.ts) and the runtime's own (src/lab/needs.ts): do not edit; regenerate with
#   faultline lab install-script > src/lab/install.sh
set -eu
PACKAGES="${needs.packages.join(" ")}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "faultline lab install: apt-get not found; install these packages with your system's package manager: $PACKAGES" >&2
  exit 4
fi
if [ "$(id -u)" != 0 ]; then
  echo "faultline lab install: must run as root (e.g. sudo sh $0)" >&2
  exit 4
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $PACKAGES
# The lab starts its own servers; stop the distribution's default instances so they do not hold ports or CPU.
for svc in ${needs.services.join(" ")}; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
    systemctl disable "$svc" >/dev/null 2>&1 || true
  fi
done
echo "faultline lab install: done; check with: faultline lab doctor"
`;
}
