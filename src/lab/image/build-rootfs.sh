#!/bin/sh
# Builds faultline's node image root filesystem from Debian's packages alone (no image registry needed):
# debootstrap --variant=minbase, then apt-get install of the given packages inside it, then a tarball that
# `docker import` turns into an image. Usage (as root): build-rootfs.sh OUT.tar SUITE MIRROR PACKAGE...
# Services are never started inside the build (policy-rc.d), PostgreSQL creates no default cluster.
set -eu
out=$1; suite=$2; mirror=$3; shift 3
[ "$(id -u)" = 0 ] || { echo "build-rootfs.sh: must run as root" >&2; exit 4; }
command -v debootstrap >/dev/null || { echo "build-rootfs.sh: debootstrap is missing: apt-get install -y debootstrap" >&2; exit 4; }
work=$(mktemp -d "$(dirname "$out")/build.XXXXXX")
root="$work/rootfs"
cleanup() {
  for m in "$root/proc" "$root/sys" "$root/dev/pts"; do mountpoint -q "$m" 2>/dev/null && umount -l "$m"; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
echo "faultline image: debootstrap --variant=minbase $suite ($mirror)"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 4; }
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/etc/postgresql-common/createcluster.d"
echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.d/faultline.conf"
mount -t proc proc "$root/proc"
echo "faultline image: apt-get install $*"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 4; }
chroot "$root" apt-get clean
rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin
umount -l "$root/proc"
echo "faultline image: packing $out"
tar -C "$root" --numeric-owner -cf "$out.tmp" .
mv "$out.tmp" "$out"
