// crasher: a wasi:cli command that prints a line, sleeps, then exits with a non-zero code.
// CRASH_AFTER_MS (default 200) sets the sleep, CRASH_CODE (default 3) the exit code.
// Used to exercise restart policies and CrashLoopBackOff.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

// The preview1 adapter maps every non-zero exit status to 1; exit-with-code keeps the real code.
__attribute__((import_module("wasi:cli/exit@0.2.10"), import_name("exit-with-code")))
extern void exit_with_code(int32_t code);

static long env_number(const char *name, long fallback) {
  const char *text = getenv(name);
  if (!text || !*text) return fallback;
  char *end;
  long value = strtol(text, &end, 10);
  return *end ? fallback : value;
}

int main(void) {
  long after_ms = env_number("CRASH_AFTER_MS", 200);
  long code = env_number("CRASH_CODE", 3);
  printf("crasher: started, exiting with code %ld in %ld ms\n", code, after_ms);
  fflush(stdout);
  struct timespec delay = { after_ms / 1000, (after_ms % 1000) * 1000000L };
  nanosleep(&delay, NULL);
  fprintf(stderr, "crasher: crashing now (code %ld)\n", code);
  fflush(stdout);
  if (code != 0) exit_with_code((int32_t)(code & 0xff));
  return 0;
}
