// The per-kind instruction timer behind XLAPRUNE_CPU_PROFILE.
#include "profile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace xlaprune::cpu {
namespace {

std::string ProfileKind(const Instr& in) {
  if (in.op == Op::kConvolution) return std::string("convolution (") + (in.dnnl_conv ? ConvolutionRole(*in.dnnl_conv) : "generic") + ")";
  if (in.fusion != nullptr) return "fusion into " + in.opcode;
  return in.opcode;
}

// XLAPRUNE_CPU_PROFILE=instructions: one row per instruction, named and shaped, to find which of a
// kind's instructions cost the time.
std::string ProfileRow(const Instr& in) {
  static const bool per_instruction = [] {
    const char* v = std::getenv("XLAPRUNE_CPU_PROFILE");
    return v != nullptr && std::string(v) == "instructions";
  }();
  if (!per_instruction) return ProfileKind(in);
  std::string dims;
  for (int64_t d : in.shape.array.dims) dims += (dims.empty() ? "" : ",") + std::to_string(d);
  return ProfileKind(in) + " " + in.name + " [" + dims + "]";
}

}  // namespace

OpProfile* OpProfile::Get() {
  static OpProfile* profile = std::getenv("XLAPRUNE_CPU_PROFILE") != nullptr ? new OpProfile() : nullptr;
  return profile;
}

OpProfile::OpProfile() { std::atexit([] { Get()->Print(); }); }

void OpProfile::Add(const Instr& in, double ms) {
  std::string kind = ProfileRow(in);
  std::lock_guard<std::mutex> lock(mutex_);
  auto& e = totals_[kind];
  e.first += ms;
  e.second++;
}

void OpProfile::Reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  totals_.clear();
}

void OpProfile::Print() {
  std::lock_guard<std::mutex> lock(mutex_);
  double all = 0;
  for (const auto& [k, v] : totals_) all += v.first;
  std::vector<std::pair<double, std::string>> rows;
  for (const auto& [k, v] : totals_) rows.emplace_back(v.first, k);
  std::sort(rows.rbegin(), rows.rend());
  std::fprintf(stderr, "xlaprune cpu profile: %.1f ms in entry instructions\n", all);
  for (const auto& [ms, k] : rows) std::fprintf(stderr, "  %-60s %8ld x %10.2f ms %5.1f%%\n", k.c_str(), static_cast<long>(totals_[k].second), ms, 100 * ms / all);
}

}  // namespace xlaprune::cpu
