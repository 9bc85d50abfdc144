// The reference packetdrill's way of injecting at a scheduled time, for bench/timing.mjs
// (mode "c-reference-style"). The reference's source is not reachable from this machine, so this
// reproduces its wait loop (run.c, wait_for_event()) rather than running it:
//   - SCHED_RR at the lowest real-time priority and mlockall(), as packetdrill does at start;
//   - while the event is in the future: usleep(wait - MAX_SPIN_USECS) if the wait is longer
//     than MAX_SPIN_USECS (20 µs), else spin; time read with gettimeofday();
//   - then one write() of the packet to the TUN device (packetdrill builds it at that point;
//     here it is prebuilt and only copied, so this is if anything a little early).
// No PM QoS request: packetdrill does not make one.
//
//   reference-style-injector <tun fd> <start CLOCK_MONOTONIC ns> <packet file>
// The packet file: u32 count, then per packet u64 time (µs after start), u32 length, bytes.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_SPIN_USECS 20

static int64_t now_usecs(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <tun fd> <start monotonic ns> <packet file>\n", argv[0]);
    return 2;
  }
  int fd = atoi(argv[1]);
  int64_t start_mono_ns = strtoll(argv[2], NULL, 10);
  FILE *f = fopen(argv[3], "rb");
  if (!f) { perror(argv[3]); return 1; }
  uint32_t count;
  if (fread(&count, 4, 1, f) != 1) { fprintf(stderr, "%s: truncated\n", argv[3]); return 1; }
  uint64_t *times = calloc(count, sizeof *times);
  uint32_t *lengths = calloc(count, sizeof *lengths);
  unsigned char **packets = calloc(count, sizeof *packets);
  for (uint32_t i = 0; i < count; i++) {
    if (fread(&times[i], 8, 1, f) != 1 || fread(&lengths[i], 4, 1, f) != 1) { fprintf(stderr, "%s: truncated\n", argv[3]); return 1; }
    packets[i] = malloc(lengths[i]);
    if (fread(packets[i], 1, lengths[i], f) != lengths[i]) { fprintf(stderr, "%s: truncated\n", argv[3]); return 1; }
  }
  fclose(f);

  struct sched_param param = { .sched_priority = sched_get_priority_min(SCHED_RR) };
  if (sched_setscheduler(0, SCHED_RR, &param) != 0) perror("sched_setscheduler");
  if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) perror("mlockall");

  // Script time 0 on the wall clock packetdrill waits on.
  struct timespec mono;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  int64_t mono_now_us = (int64_t)mono.tv_sec * 1000000 + mono.tv_nsec / 1000;
  int64_t start_usecs = now_usecs() + (start_mono_ns / 1000 - mono_now_us);

  unsigned char buf[65536];
  for (uint32_t i = 0; i < count; i++) {
    int64_t event_usecs = start_usecs + (int64_t)times[i];
    for (;;) {
      int64_t wait_usecs = event_usecs - now_usecs();
      if (wait_usecs <= 0) break;
      if (wait_usecs > MAX_SPIN_USECS) usleep(wait_usecs - MAX_SPIN_USECS);
    }
    memcpy(buf, packets[i], lengths[i]);
    if (write(fd, buf, lengths[i]) < 0) { perror("write"); return 1; }
  }
  return 0;
}
