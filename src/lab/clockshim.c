/* faultline clock shim: an LD_PRELOAD library that shifts a process' wall clock (CLOCK_REALTIME, gettimeofday,
 * time) by an offset in milliseconds read from the file named by FAULTLINE_CLOCK_FILE. The file is mapped
 * once and read on every call, so changing it (in place, fixed width, never truncated) moves the clock at
 * once. The kernel is called through syscall(): no dlsym, no malloc, safe before any constructor runs
 * (libfaketime's dlsym path makes Debian's redis-server recurse at start). Monotonic clocks are untouched.
 * Build: gcc -O2 -shared -fPIC -o clockshim.so clockshim.c */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wnonnull-compare"
#define MAP_BYTES 32
static const volatile char *map;
static int state; /* 0 untried, 1 mapped, 2 unavailable */

static long long offset_ns(void) {
  if (state == 0) {
    int done = 2;
    const char *path = getenv("FAULTLINE_CLOCK_FILE");
    if (path) {
      int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        void *p = (void *)syscall(SYS_mmap, NULL, MAP_BYTES, PROT_READ, MAP_SHARED, fd, 0);
        syscall(SYS_close, fd);
        if (p != MAP_FAILED) { map = p; done = 1; }
      }
    }
    __atomic_store_n(&state, done, __ATOMIC_RELEASE);
  }
  if (state != 1) return 0;
  long long ms = 0; int neg = 0, i = 0;
  while (i < MAP_BYTES && map[i] == ' ') i++;
  if (i < MAP_BYTES && (map[i] == '-' || map[i] == '+')) { neg = map[i] == '-'; i++; }
  for (; i < MAP_BYTES && map[i] >= '0' && map[i] <= '9'; i++) ms = ms * 10 + (map[i] - '0');
  return (neg ? -ms : ms) * 1000000LL;
}

static int real_clock(clockid_t id, struct timespec *ts) { return (int)syscall(SYS_clock_gettime, id, ts); }

static void shift(struct timespec *ts) {
  long long ns = (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec + offset_ns();
  ts->tv_sec = ns / 1000000000LL; ts->tv_nsec = ns % 1000000000LL;
  if (ts->tv_nsec < 0) { ts->tv_nsec += 1000000000LL; ts->tv_sec--; }
}

int clock_gettime(clockid_t id, struct timespec *ts) {
  int r = real_clock(id, ts);
  if (r == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) shift(ts);
  return r;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  (void)tz;
  struct timespec ts;
  if (real_clock(CLOCK_REALTIME, &ts) != 0) return -1;
  shift(&ts);
  if (tv) { tv->tv_sec = ts.tv_sec; tv->tv_usec = ts.tv_nsec / 1000; }
  return 0;
}

time_t time(time_t *t) {
  struct timespec ts;
  real_clock(CLOCK_REALTIME, &ts);
  shift(&ts);
  if (t) *t = ts.tv_sec;
  return ts.tv_sec;
}
