// The interpreter's values and kernels. interpreter.cc walks a computation and calls the
// kernels, which live by family: elementwise.cc, movement.cc, contraction.cc, reduction.cc, rng.cc.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "elementwise.h"
#include "internal.h"

namespace xlaprune::cpu {

using Buf = std::shared_ptr<DeviceBuffer>;

struct Value {
  Buf array;
  std::vector<Value> tuple;
  bool is_tuple = false;
};

inline Value ArrayValue(Buf b) {
  Value v;
  v.array = std::move(b);
  return v;
}

template <typename T>
T* P(const Buf& b) { return static_cast<T*>(b->data()); }

// Advances a multi-index over `dims`; returns false after the last one.
inline bool Next(std::vector<int64_t>& index, const std::vector<int64_t>& dims) {
  for (int d = static_cast<int>(dims.size()) - 1; d >= 0; d--) {
    if (++index[d] < dims[d]) return true;
    index[d] = 0;
  }
  return false;
}

// movement.cc
void Broadcast(const Instr& in, const DeviceBuffer& src, Buf& out);
void Transpose(const Instr& in, const Buf& src, Buf& out);
void Convert(const Buf& src, Buf& out);
void Slice(const Instr& in, const Buf& src, Buf& out);
void Pad(const Instr& in, const Buf& src, const Buf& value, Buf& out);
void Concatenate(const Instr& in, std::vector<Value>& vals, Buf& out);
// elementwise.cc (with RunElementwise)
void Compare(const Instr& in, const Buf& a, const Buf& b, Buf& out);
void Select(const Buf& pred, const Buf& on_true, const Buf& on_false, Buf& out);
// contraction.cc
void Dot(const Instr& in, const Buf& lhs, const Buf& rhs, Buf& out);
void Convolution(const Instr& in, const Buf& lhs, const Buf& rhs, Buf& out);
// rng.cc
Value RngBitGenerator(const Instr& in, const Buf& state);

class Interpreter {
 public:
  Interpreter(const Program& program, int replica, CollectiveHub* hub) : program_(program), replica_(replica), hub_(hub) {}

  Value Run(int comp_index, std::vector<Value> args);

 private:
  Value Eval(const Instr& in, std::vector<Value>& vals, std::vector<Value>& args);

  // reduction.cc: kernels that may interpret a reducer computation on scalars.
  template <typename T>
  std::function<T(T, T)> Reducer(const Instr& in, int which = 0);
  template <typename T, typename R = T>
  R ScalarCall(int comp, ElementType type, T a, T b);
  void Reduce(const Instr& in, const Buf& src, const Buf& init, Buf& out);
  void ReduceWindow(const Instr& in, const Buf& src, const Buf& init, Buf& out);
  void SelectAndScatter(const Instr& in, const Buf& operand, const Buf& source, const Buf& init, Buf& out);

  const Program& program_;
  int replica_;
  CollectiveHub* hub_;
};

}  // namespace xlaprune::cpu
