// The practical limit of a train step's convolutions on this machine: oneDNN's own convolution
// primitives (forward, backward-data, backward-weights; f32; 3x3, stride 1, padding 1), each in
// the layouts oneDNN prefers (format_tag::any, so no reorders are timed), on the given layer shapes.
//
//   xlaprune_conv_limit_bench [--nhwc] BATCH REPEATS C,K,H [C,K,H ...]
//
// C input channels, K output channels, H the square spatial size (input = output). --nhwc fixes the
// activations (source, destination and their gradients) to channels-last instead, the weights stay
// oneDNN's choice: an A/B of the layout oneDNN picks against channels-last. Each primitive
// runs once to warm up, then REPEATS times; prints one JSON line with the median milliseconds of
// every pass of every layer. Exit codes: 0 ok, 2 bad arguments, 1 oneDNN failed.
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using dnnl::memory;

struct Layer {
  long c = 0, k = 0, h = 0;
};

bool ParseLong(const char* text, long min, long max, long* out) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < min || v > max) return false;
  *out = v;
  return true;
}

bool ParseLayer(const std::string& text, Layer* layer) {
  size_t a = text.find(','), b = text.find(',', a == std::string::npos ? a : a + 1);
  if (a == std::string::npos || b == std::string::npos) return false;
  return ParseLong(text.substr(0, a).c_str(), 1, 65536, &layer->c) && ParseLong(text.substr(a + 1, b - a - 1).c_str(), 1, 65536, &layer->k) &&
         ParseLong(text.substr(b + 1).c_str(), 1, 4096, &layer->h);
}

// Deterministic values in [-0.5, 0.5): timing does not depend on them, but denormals and NaNs would.
void Fill(memory& m, uint32_t seed) {
  auto* p = static_cast<float*>(m.get_data_handle());
  size_t n = m.get_desc().get_size() / sizeof(float);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; i++) {
    x = x * 1664525u + 1013904223u;
    p[i] = static_cast<float>(x >> 8) / 16777216.0f - 0.5f;
  }
}

double MedianMs(const dnnl::primitive& p, dnnl::stream& s, const std::unordered_map<int, memory>& args, int repeats) {
  p.execute(s, args);  // warm-up: first-touch of buffers, JIT kernels
  s.wait();
  std::vector<double> ms;
  for (int r = 0; r < repeats; r++) {
    auto t0 = std::chrono::steady_clock::now();
    p.execute(s, args);
    s.wait();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

struct Times {
  double forward = 0, backward_data = 0, backward_weights = 0;
};

Times TimeLayer(const dnnl::engine& e, dnnl::stream& s, long batch, const Layer& l, int repeats, bool nhwc) {
  const memory::dims src{batch, l.c, l.h, l.h}, weights{l.k, l.c, 3, 3}, dst{batch, l.k, l.h, l.h};
  const memory::dims strides{1, 1}, pad{1, 1};
  auto any = [](const memory::dims& d) { return memory::desc(d, memory::data_type::f32, memory::format_tag::any); };
  auto act = [&](const memory::dims& d) { return nhwc ? memory::desc(d, memory::data_type::f32, memory::format_tag::nhwc) : any(d); };
  dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, act(src), any(weights), act(dst),
                                     strides, pad, pad);
  dnnl::convolution_forward::primitive_desc fpd(fd, e);
  dnnl::convolution_backward_data::desc dd(dnnl::algorithm::convolution_direct, act(src), any(weights), act(dst), strides, pad, pad);
  dnnl::convolution_backward_data::primitive_desc dpd(dd, e, fpd);
  dnnl::convolution_backward_weights::desc wd(dnnl::algorithm::convolution_direct, act(src), any(weights), act(dst), strides, pad, pad);
  dnnl::convolution_backward_weights::primitive_desc wpd(wd, e, fpd);

  // Each pass gets its operands in the layout its own primitive chose.
  memory x(fpd.src_desc(), e), w(fpd.weights_desc(), e), y(fpd.dst_desc(), e);
  memory dy_d(dpd.diff_dst_desc(), e), w_d(dpd.weights_desc(), e), dx(dpd.diff_src_desc(), e);
  memory x_w(wpd.src_desc(), e), dy_w(wpd.diff_dst_desc(), e), dw(wpd.diff_weights_desc(), e);
  uint32_t seed = 1;
  for (memory* m : {&x, &w, &dy_d, &w_d, &x_w, &dy_w}) Fill(*m, seed++);

  Times t;
  t.forward = MedianMs(dnnl::convolution_forward(fpd), s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y}}, repeats);
  t.backward_data =
      MedianMs(dnnl::convolution_backward_data(dpd), s, {{DNNL_ARG_DIFF_DST, dy_d}, {DNNL_ARG_WEIGHTS, w_d}, {DNNL_ARG_DIFF_SRC, dx}}, repeats);
  t.backward_weights =
      MedianMs(dnnl::convolution_backward_weights(wpd), s, {{DNNL_ARG_SRC, x_w}, {DNNL_ARG_DIFF_DST, dy_w}, {DNNL_ARG_DIFF_WEIGHTS, dw}}, repeats);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  long batch = 0, repeats = 0;
  const bool nhwc = argc > 1 && std::string(argv[1]) == "--nhwc";
  const int first = nhwc ? 2 : 1;
  if (argc < first + 3 || !ParseLong(argv[first], 1, 65536, &batch) || !ParseLong(argv[first + 1], 1, 1000, &repeats)) {
    std::fprintf(stderr, "usage: %s [--nhwc] BATCH(1..65536) REPEATS(1..1000) C,K,H [C,K,H ...]\n", argv[0]);
    return 2;
  }
  std::vector<Layer> layers;
  for (int i = first + 2; i < argc; i++) {
    Layer l;
    if (!ParseLayer(argv[i], &l)) {
      std::fprintf(stderr, "%s: layer '%s' is not C,K,H (positive integers)\n", argv[0], argv[i]);
      return 2;
    }
    layers.push_back(l);
  }
  try {
    dnnl::engine e(dnnl::engine::kind::cpu, 0);
    dnnl::stream s(e);
    std::string json = "{\"batch\": " + std::to_string(batch) + ", \"repeats\": " + std::to_string(repeats) + ", \"layers\": [";
    for (size_t i = 0; i < layers.size(); i++) {
      const Layer& l = layers[i];
      Times t = TimeLayer(e, s, batch, l, static_cast<int>(repeats), nhwc);
      char row[256];
      std::snprintf(row, sizeof row, "%s{\"c\": %ld, \"k\": %ld, \"h\": %ld, \"forward_ms\": %.4f, \"backward_data_ms\": %.4f, \"backward_weights_ms\": %.4f}",
                    i == 0 ? "" : ", ", l.c, l.k, l.h, t.forward, t.backward_data, t.backward_weights);
      json += row;
    }
    json += "]}";
    std::printf("%s\n", json.c_str());
  } catch (const dnnl::error& err) {
    std::fprintf(stderr, "%s: oneDNN failed: %s\n", argv[0], err.what());
    return 1;
  }
  return 0;
}
