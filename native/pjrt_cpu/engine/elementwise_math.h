// Scalar semantics of the element-wise ops where C++ differs by type or from XLA: each helper
// is what one element of the op computes (ops.def names them). The unfused kernels
// (elementwise.cc) and the fused f32 loops (fusion.cc) evaluate the same expressions, so both
// give the same bits.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "engine.h"

namespace xlaprune::cpu::math {

// Two's-complement negation without signed overflow (XLA wraps: -MIN = MIN).
template <typename T>
T Negate(T x) {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<std::make_unsigned_t<T>>(0) - static_cast<std::make_unsigned_t<T>>(x));
  else return -x;
}

// |x|; for floats the sign bit is cleared, so abs(-0) = +0 and abs(-NaN) is a NaN.
template <typename T>
T Abs(T x) {
  if constexpr (std::is_floating_point_v<T>) return std::fabs(x);
  else if constexpr (std::is_signed_v<T>) return x < 0 ? Negate(x) : x;
  else return x;
}

// -1, 0 or 1; a NaN stays NaN and a zero keeps its sign (sign(-0) = -0).
template <typename T>
T Sign(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(x) || x == 0) return x;
    return x > 0 ? T{1} : T{-1};
  } else {
    return static_cast<T>((x > 0) - (x < 0));
  }
}

// XLA's rules where C++ is undefined: x / 0 = -1, and MIN / -1 = MIN (no trap).
template <typename T>
T Divide(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if (b == 0) return static_cast<T>(-1);
    if constexpr (std::is_signed_v<T>) {
      if (a == std::numeric_limits<T>::min() && b == static_cast<T>(-1)) return a;
    }
    return static_cast<T>(a / b);
  } else {
    return a / b;
  }
}

// Maximum and minimum propagate a NaN from either side.
template <typename T>
T Max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return a > b ? a : b;
}

template <typename T>
T Min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return a < b ? a : b;
}

// clamp(lo, x, hi) = min(max(x, lo), hi), NaN-propagating like maximum and minimum.
template <typename T>
T Clamp(T lo, T x, T hi) { return Min(Max(x, lo), hi); }

// Floats: pow in double, rounded once (a negative base with a non-integer exponent is NaN).
// Integers: exact repeated squaring with wrap-around; a negative exponent gives 0 except for
// bases 1 and -1, as XLA defines it.
template <typename T>
T Power(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
  } else {
    using U = std::make_unsigned_t<T>;
    if constexpr (std::is_signed_v<T>) {
      if (b < 0) return a == 1 ? T{1} : a == -1 ? static_cast<T>((b & 1) ? -1 : 1) : T{0};
    }
    U result = 1, base = static_cast<U>(a);
    for (U e = static_cast<U>(b); e != 0; e >>= 1) {
      if (e & 1) result = static_cast<U>(result * base);
      base = static_cast<U>(base * base);
    }
    return static_cast<T>(result);
  }
}

template <typename T>
T And(T a, T b) { if constexpr (std::is_integral_v<T>) return static_cast<T>(a & b); else return a; }
template <typename T>
T Or(T a, T b) { if constexpr (std::is_integral_v<T>) return static_cast<T>(a | b); else return a; }
template <typename T>
T Xor(T a, T b) { if constexpr (std::is_integral_v<T>) return static_cast<T>(a ^ b); else return a; }

// Logical not of a pred (held as 0 or 1), bitwise not of an integer.
template <typename T>
T Not(T x, ElementType type) {
  if (type == ElementType::kPred) return static_cast<T>(x == 0 ? 1 : 0);
  if constexpr (std::is_integral_v<T>) return static_cast<T>(~x); else return x;
}

}  // namespace xlaprune::cpu::math
