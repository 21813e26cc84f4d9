// spinner: a wasi:cli command that never ends. It burns CPU in a loop the compiler cannot remove
// (a volatile counter) and prints a heartbeat every 2^28 turns. Used to test deadlines, CPU limits
// and that a runaway instance can be stopped.
#include <stdint.h>
#include <stdio.h>

int main(void) {
  volatile uint64_t turns = 0;
  printf("spinner: spinning forever\n");
  fflush(stdout);
  for (;;) {
    turns = turns + 1;
    if ((turns & ((1u << 28) - 1)) == 0) {
      printf("spinner: %llu turns\n", (unsigned long long)turns);
      fflush(stdout);
    }
  }
}
