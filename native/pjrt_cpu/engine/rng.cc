// rng-bit-generator: counter-based bits from a u64 state.
#include <cstring>

#include "interpreter.h"

namespace xlaprune::cpu {

namespace {

uint64_t SplitMix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

// Counter-based bits: element i of a call is SplitMix(key ^ SplitMix(counter + i)), with the
// key in state[0] and the counter in state[1]; the new state advances the counter past them.
Value RngBitGenerator(const Instr& in, const Buf& state) {
  const Shape& bits_shape = in.shape.elements[1];
  Buf new_state = DeviceBuffer::Allocate(state->shape());
  Buf bits = DeviceBuffer::Allocate(bits_shape.array);
  const uint64_t* s = P<uint64_t>(state);
  uint64_t key = s[0];
  uint64_t counter = state->shape().dims[0] > 1 ? s[1] : 0;
  int64_t n = bits_shape.array.ElementCount();
  for (int64_t i = 0; i < n; i++) {
    uint64_t v = SplitMix(key ^ SplitMix(counter + static_cast<uint64_t>(i)));
    if (bits_shape.array.type == ElementType::kU32) P<uint32_t>(bits)[i] = static_cast<uint32_t>(v >> 32);
    else P<uint64_t>(bits)[i] = v;
  }
  std::memcpy(new_state->data(), state->data(), state->size_bytes());
  if (state->shape().dims[0] > 1) P<uint64_t>(new_state)[1] = counter + static_cast<uint64_t>(n);
  else P<uint64_t>(new_state)[0] = SplitMix(key);
  Value t;
  t.is_tuple = true;
  t.tuple = {ArrayValue(new_state), ArrayValue(bits)};
  return t;
}

}  // namespace xlaprune::cpu
