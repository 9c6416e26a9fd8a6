/*
 * This machine's practical fp32 limit, measured in the same run as the train-step benchmark:
 * oneDNN's sgemm on square matrices.
 *
 *   xlaprune_sgemm_bench [N] [REPEATS]      (defaults 2048 and 10)
 *
 * Prints one JSON line: {"n": N, "gflops": best GFLOP/s over the repeats}.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <dnnl.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2048;
  int repeats = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 10;
  if (n <= 0 || n > 16384 || repeats <= 0) {
    fprintf(stderr, "usage: %s [N in 1..16384] [REPEATS > 0]\n", argv[0]);
    return 2;
  }
  size_t count = (size_t)n * (size_t)n;
  float *a = malloc(count * sizeof(float)), *b = malloc(count * sizeof(float)), *c = malloc(count * sizeof(float));
  if (a == NULL || b == NULL || c == NULL) {
    fprintf(stderr, "out of memory for N=%ld\n", n);
    return 1;
  }
  for (size_t i = 0; i < count; i++) {
    a[i] = (float)(i % 7) * 0.25f;
    b[i] = (float)(i % 5) * 0.5f;
    c[i] = 0;
  }
  double best = 1e30;
  for (int r = 0; r <= repeats; r++) {  /* the first run warms up */
    double t0 = now_s();
    if (dnnl_sgemm('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n) != dnnl_success) {
      fprintf(stderr, "dnnl_sgemm failed\n");
      return 1;
    }
    double t = now_s() - t0;
    if (r > 0 && t < best) best = t;
  }
  printf("{\"n\": %ld, \"gflops\": %.1f}\n", n, 2.0 * (double)n * (double)n * (double)n / best * 1e-9);
  free(a);
  free(b);
  free(c);
  return 0;
}
