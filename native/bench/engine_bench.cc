// Runs a serialized HloModuleProto on the CPU engine directly (no PJRT layer) with seeded
// arguments and prints the median step time as JSON. A profiling driver for perf/callgrind:
//   xlaprune_engine_bench FILE.pb [steps]      (XLAPRUNE_CPU_PROFILE=1 adds a per-op table of the
//                                              timed steps, the warm-up step excluded)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "engine.h"
#include "profile.h"

using namespace xlaprune::cpu;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: xlaprune_engine_bench FILE.pb [steps]\n");
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "xlaprune_engine_bench: %s: cannot read\n", argv[1]);
    return 3;
  }
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  int steps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  try {
    auto exe = Executable::Compile(bytes.data(), bytes.size(), CompileConfig{});
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0f, 0.1f);
    std::vector<std::shared_ptr<DeviceBuffer>> args;
    for (const auto& shape : exe->parameter_shapes()) {
      auto b = DeviceBuffer::Allocate(shape);
      int64_t n = shape.ElementCount();
      if (shape.type == ElementType::kF32) {
        for (int64_t i = 0; i < n; i++) static_cast<float*>(b->data())[i] = normal(rng);
      } else if (shape.type == ElementType::kS32) {
        for (int64_t i = 0; i < n; i++) static_cast<int32_t*>(b->data())[i] = static_cast<int32_t>(i % 10);
      } else {
        for (size_t i = 0; i < b->size_bytes(); i++) static_cast<uint8_t*>(b->data())[i] = static_cast<uint8_t>(i * 37 + 1);
      }
      args.push_back(b);
    }
    std::vector<bool> donated(args.size(), false);
    exe->Execute(args, donated, 0, nullptr);  // warm-up
    if (OpProfile* profile = OpProfile::Get()) profile->Reset();
    std::vector<double> ms;
    for (int s = 0; s < steps; s++) {
      auto start = std::chrono::steady_clock::now();
      exe->Execute(args, donated, 0, nullptr);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms[ms.size() / 2];
    double flops = exe->cost_analysis().flops;
    std::printf("{\"file\": \"%s\", \"steps\": %d, \"median_ms\": %.3f, \"gflops\": %.2f}\n", argv[1], steps, median, flops / median / 1e6);
  } catch (const EngineError& e) {
    std::fprintf(stderr, "xlaprune_engine_bench: %s: %s\n", argv[1], e.what());
    return 1;
  }
  return 0;
}
