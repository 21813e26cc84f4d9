// memhog: a wasi:cli command that allocates memory without end, 1 MiB at a time, writing to every
// page so the memory is really used, and printing progress every MEMHOG_REPORT_MIB (default 16) MiB.
// When the allocator fails (the memory cap, or wasm32's 4 GiB) it says so and aborts (a trap).
// Used to test memory limits (OOMKilled).
#include <stdio.h>
#include <stdlib.h>

#define CHUNK (1024 * 1024)
#define PAGE 4096

int main(void) {
  const char *text = getenv("MEMHOG_REPORT_MIB");
  long report = text ? strtol(text, NULL, 10) : 16;
  if (report <= 0) report = 16;
  printf("memhog: allocating 1 MiB chunks, reporting every %ld MiB\n", report);
  fflush(stdout);
  for (long mib = 1;; mib++) {
    volatile char *chunk = malloc(CHUNK);
    if (!chunk) {
      fprintf(stderr, "memhog: out of memory after %ld MiB\n", mib - 1);
      abort();
    }
    for (long at = 0; at < CHUNK; at += PAGE) chunk[at] = (char)(mib + at);
    if (mib % report == 0) {
      printf("memhog: %ld MiB\n", mib);
      fflush(stdout);
    }
  }
}
