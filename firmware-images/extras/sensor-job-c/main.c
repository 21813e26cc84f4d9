// sensor-job: a wasi:cli command that runs to completion. It lists every regular file in the
// granted directory (DATA_DIR, default /data; it must be preopened), in name order, with its size,
// line count and first line, then prints its arguments and SENSOR_ID, and exits 0.
// Exits 1 if the directory cannot be read (the preview1 adapter reports any failure as 1).
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILES 1024

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

// Prints "<name>: <size> bytes, <lines> lines, first line: <up to 60 chars>"; returns the size.
static long summarize(const char *dir, const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *file = fopen(path, "rb");
  if (!file) {
    printf("  %s: cannot open\n", name);
    return 0;
  }
  char first[61] = "";
  long size = 0, lines = 0, used = 0;
  int c, last = '\n', in_first = 1;
  while ((c = fgetc(file)) != EOF) {
    size++;
    last = c;
    if (c == '\n') { lines++; in_first = 0; }
    else if (in_first && used < 60) first[used++] = (char)c;
  }
  fclose(file);
  if (last != '\n') lines++; // a last line without a newline still counts
  printf("  %s: %ld bytes, %ld lines, first line: %s\n", name, size, lines, first);
  return size;
}

static int list_names(const char *dir, char **names) {
  DIR *handle = opendir(dir);
  if (!handle) return -1;
  int count = 0;
  struct dirent *entry;
  while ((entry = readdir(handle)) && count < MAX_FILES) {
    if (entry->d_type != DT_REG) continue;
    names[count++] = strdup(entry->d_name);
  }
  closedir(handle);
  qsort(names, count, sizeof *names, by_name);
  return count;
}

int main(int argc, char **argv) {
  const char *dir = getenv("DATA_DIR");
  if (!dir || !*dir) dir = "/data";
  static char *names[MAX_FILES];
  int count = list_names(dir, names);
  if (count < 0) {
    fprintf(stderr, "sensor-job: cannot read %s (is it granted as a volume?)\n", dir);
    return 1;
  }
  printf("sensor-job: %d files in %s\n", count, dir);
  long total = 0;
  for (int i = 0; i < count; i++) total += summarize(dir, names[i]);
  printf("sensor-job: args:");
  for (int i = 0; i < argc; i++) printf(" %s", argv[i]);
  const char *sensor = getenv("SENSOR_ID");
  printf("\nsensor-job: SENSOR_ID=%s\n", sensor ? sensor : "(unset)");
  printf("sensor-job: done, %d files, %ld bytes\n", count, total);
  return 0;
}
