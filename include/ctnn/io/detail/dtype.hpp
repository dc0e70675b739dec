/// @file Element types of a safetensors file (F16, BF16, F32, F64, I64, ...) and their
/// little-endian conversion to and from float, double and std::int64_t.
///
/// Half and bfloat16 are converted with exact bit manipulation (no compiler extension):
/// every F16 and BF16 value, subnormals, infinities and NaN included, becomes the float of
/// the same value; float to F16 and BF16 rounds to nearest, ties to even, as PyTorch's
/// .half() and .bfloat16() do.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>

namespace ctnn {

/// The dtypes of the safetensors format that ctnn reads or writes. Files may hold others
/// (I8, U8, BOOL, ...): they parse, and fail with a message naming them when loaded.
enum class Dtype { F16, BF16, F32, F64, I32, I64 };

/// The format's name of a dtype ("F32", "BF16", ...).
constexpr std::string_view dtype_name(Dtype d) {
  switch (d) {
    case Dtype::F16: return "F16";
    case Dtype::BF16: return "BF16";
    case Dtype::F32: return "F32";
    case Dtype::F64: return "F64";
    case Dtype::I32: return "I32";
    case Dtype::I64: return "I64";
  }
  return "?";
}

/// Bytes per element.
constexpr std::size_t dtype_size(Dtype d) {
  switch (d) {
    case Dtype::F16:
    case Dtype::BF16: return 2;
    case Dtype::F32:
    case Dtype::I32: return 4;
    case Dtype::F64:
    case Dtype::I64: return 8;
  }
  return 0;
}

constexpr bool is_floating(Dtype d) { return d != Dtype::I32 && d != Dtype::I64; }

/// The dtype named `name`, or nothing when ctnn does not know it.
constexpr std::optional<Dtype> dtype_from_name(std::string_view name) {
  for (Dtype d : {Dtype::F16, Dtype::BF16, Dtype::F32, Dtype::F64, Dtype::I32, Dtype::I64})
    if (dtype_name(d) == name) return d;
  return std::nullopt;
}

/// The dtype that stores scalar type S exactly (F32 for float, F64 for double).
template <class S>
constexpr Dtype dtype_of() {
  if constexpr (std::is_same_v<S, float>) {
    return Dtype::F32;
  } else if constexpr (std::is_same_v<S, double>) {
    return Dtype::F64;
  } else {
    static_assert(std::is_same_v<S, std::int64_t>, "ctnn: only float, double and std::int64_t are stored");
    return Dtype::I64;
  }
}

/// PyTorch's name of a scalar type ("float32", "float64").
template <class S>
constexpr std::string_view torch_dtype_name() {
  return std::is_same_v<S, float> ? "float32" : std::is_same_v<S, double> ? "float64" : "int64";
}

namespace detail {

// ---- little-endian integers -----------------------------------------------------------------

template <class U>
U load_le(const std::byte* p) {
  static_assert(std::is_unsigned_v<U>);
  U v = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) v |= static_cast<U>(std::to_integer<unsigned>(p[i])) << (8 * i);
  return v;
}

template <class U>
void store_le(std::byte* p, U v) {
  static_assert(std::is_unsigned_v<U>);
  for (std::size_t i = 0; i < sizeof(U); ++i) p[i] = static_cast<std::byte>((v >> (8 * i)) & 0xFFu);
}

// ---- half and bfloat16 ------------------------------------------------------------------------

/// IEEE binary16 bits to float (exact).
inline float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu;
  std::uint32_t mant = h & 0x3FFu;
  std::uint32_t bits;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (mant << 13);  // inf or NaN (payload kept)
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);  // 112 = 127 - 15
  } else if (mant == 0) {
    bits = sign;  // signed zero
  } else {
    // subnormal half: normalise into a float
    std::uint32_t e = 113;  // exponent of 2^-14 in float, minus one per shift below
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --e;
    }
    bits = sign | (e << 23) | ((mant & 0x3FFu) << 13);
  }
  return std::bit_cast<float>(bits);
}

/// Float to IEEE binary16 bits, round to nearest even; too large becomes infinity.
inline std::uint16_t float_to_half(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const std::uint32_t abs = x & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u)  // inf or NaN (NaN stays a quiet NaN)
    return static_cast<std::uint16_t>(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u | ((abs >> 13) & 0x3FFu) : 0u));
  if (abs >= 0x477FF000u) return static_cast<std::uint16_t>(sign | 0x7C00u);  // rounds past 65504
  if (abs < 0x38800000u) {
    // half subnormal (or zero): value = m * 2^-24; round abs / 2^-24 to nearest even
    if (abs < 0x33000000u) return sign;  // below half of the smallest subnormal
    const std::uint32_t e = abs >> 23;
    const std::uint32_t m = (abs & 0x7FFFFFu) | 0x800000u;
    const std::uint32_t shift = 126 - e;  // 113 <= e < 113 + 12: shift in 14..24
    std::uint32_t r = m >> shift;
    const std::uint32_t rem = m & ((1u << shift) - 1);
    const std::uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (r & 1u))) ++r;
    return static_cast<std::uint16_t>(sign | r);
  }
  // normal: rebias the exponent, round the 13 dropped bits to nearest even (a carry into the
  // exponent is the correct result)
  std::uint32_t h = ((abs - 0x38000000u) >> 13);
  const std::uint32_t rem = abs & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

/// bfloat16 bits to float (exact: the upper half of a float).
inline float bf16_to_float(std::uint16_t b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

/// Float to bfloat16 bits, round to nearest even; NaN stays NaN.
inline std::uint16_t float_to_bf16(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
  const std::uint32_t rounding = 0x7FFFu + ((x >> 16) & 1u);
  return static_cast<std::uint16_t>((x + rounding) >> 16);
}

// ---- one element ------------------------------------------------------------------------------

/// Reads element i of a little-endian buffer of dtype d as a double (exact for every
/// floating dtype; integers beyond 2^53 round).
inline double read_element(Dtype d, const std::byte* data, std::size_t i) {
  const std::byte* p = data + i * dtype_size(d);
  switch (d) {
    case Dtype::F16: return half_to_float(load_le<std::uint16_t>(p));
    case Dtype::BF16: return bf16_to_float(load_le<std::uint16_t>(p));
    case Dtype::F32: return std::bit_cast<float>(load_le<std::uint32_t>(p));
    case Dtype::F64: return std::bit_cast<double>(load_le<std::uint64_t>(p));
    case Dtype::I32: return static_cast<double>(static_cast<std::int32_t>(load_le<std::uint32_t>(p)));
    case Dtype::I64: return static_cast<double>(static_cast<std::int64_t>(load_le<std::uint64_t>(p)));
  }
  return 0;
}

/// Reads element i of an integer buffer (I32 or I64).
inline std::int64_t read_integer(Dtype d, const std::byte* data, std::size_t i) {
  const std::byte* p = data + i * dtype_size(d);
  if (d == Dtype::I32) return static_cast<std::int32_t>(load_le<std::uint32_t>(p));
  return static_cast<std::int64_t>(load_le<std::uint64_t>(p));
}

/// Writes v as element i of a little-endian buffer of floating dtype d (rounding to d).
inline void write_element(Dtype d, std::byte* data, std::size_t i, double v) {
  std::byte* p = data + i * dtype_size(d);
  switch (d) {
    case Dtype::F16: store_le(p, float_to_half(static_cast<float>(v))); break;
    case Dtype::BF16: store_le(p, float_to_bf16(static_cast<float>(v))); break;
    case Dtype::F32: store_le(p, std::bit_cast<std::uint32_t>(static_cast<float>(v))); break;
    case Dtype::F64: store_le(p, std::bit_cast<std::uint64_t>(v)); break;
    case Dtype::I32: store_le(p, static_cast<std::uint32_t>(static_cast<std::int32_t>(v))); break;
    case Dtype::I64: store_le(p, static_cast<std::uint64_t>(static_cast<std::int64_t>(v))); break;
  }
}

inline void write_integer(std::byte* data, std::size_t i, std::int64_t v) {
  store_le(data + i * 8, static_cast<std::uint64_t>(v));
}

}  // namespace detail
}  // namespace ctnn
