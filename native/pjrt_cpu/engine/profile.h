// XLAPRUNE_CPU_PROFILE=1: time every entry-computation instruction by kind and print the totals
// on standard error when the process exits. A developer aid; off by default and free when off.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "internal.h"

namespace xlaprune::cpu {

class OpProfile {
 public:
  // The process's profile, or null when XLAPRUNE_CPU_PROFILE is not set.
  static OpProfile* Get();
  void Add(const Instr& in, double ms);
  // Forgets what was timed so far (a driver calls it after its warm-up steps).
  void Reset();

 private:
  OpProfile();
  void Print();
  std::mutex mutex_;
  std::map<std::string, std::pair<double, long>> totals_;
};

}  // namespace xlaprune::cpu
