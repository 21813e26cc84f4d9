// LD_PRELOAD library that makes wizer's pre-initialization of StarlingMonkey reproducible.
// componentize-js snapshots the JS engine with wizer after running its init code; that code reads
// random bytes (hash seeds) and the clock (GC heuristics), so each build gave a different heap
// image and digest. Inside the wizer process only, this library replaces:
//   getrandom() and syscall(SYS_getrandom)  ->  a fixed SplitMix64 stream
//   clock_gettime()                          ->  a fake clock: a fixed epoch + 1 us per call (per thread)
// No secret is lost: whatever seed wizer captured is stored in the published image anyway.
// The library removes LD_PRELOAD from its environment at load, so the guest never sees it.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>

static uint64_t seed = 0x53484f414c000001ULL;
static __thread int64_t clock_calls; // per thread: the guest's thread sees its own sequence

__attribute__((constructor)) static void forget_preload(void) { unsetenv("LD_PRELOAD"); }

static uint64_t next_random(void) {
  uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static ssize_t fill(void *buf, size_t len) {
  unsigned char *bytes = buf;
  for (size_t i = 0; i < len; i++) bytes[i] = (unsigned char)next_random();
  return (ssize_t)len;
}

ssize_t getrandom(void *buf, size_t len, unsigned flags) {
  (void)flags;
  return fill(buf, len);
}

long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  if (number == SYS_getrandom) return fill((void *)a[0], (size_t)a[1]);
  static long (*real)(long, ...);
  if (!real) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int clock_gettime(clockid_t id, struct timespec *ts) {
  (void)id;
  int64_t ns = 1700000000LL * 1000000000LL + clock_calls++ * 1000;
  ts->tv_sec = ns / 1000000000LL;
  ts->tv_nsec = ns % 1000000000LL;
  return 0;
}
