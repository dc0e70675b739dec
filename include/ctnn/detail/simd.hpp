/// @file What ctnn's hand-written kernels (detail/affine.hpp, detail/gemm.hpp, optim/adam.hpp)
/// share about SIMD: Eigen's packet type and width for a scalar, and the loop-unrolling pragma
/// that keeps arrays of packets in registers.
#pragma once

#include <cmath>
#include <type_traits>

#include "ctnn/detail/eigen.hpp"

namespace ctnn::detail {

/// Eigen's SIMD packet of S (8 floats with AVX2) and its number of lanes.
template <class S>
using packet_t = typename Eigen::internal::packet_traits<S>::type;
template <class S>
inline constexpr int packet_size = Eigen::internal::packet_traits<S>::size;

// Packets as template arguments: see detail/gemm.hpp.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

/// The first of Eigen's packets P, its half, its half's half... (AVX-512: 16 floats, 8, 4)
/// whose lanes divide N (Divide) or are at most N; the scalar S itself when none does, so that
/// callers need only check for more than one lane.
template <class S, class P, int N, bool Divide>
constexpr auto widest_packet() {
  using H = typename Eigen::internal::unpacket_traits<P>::half;
  constexpr int lanes = Eigen::internal::unpacket_traits<P>::size;
  if constexpr (Divide ? N % lanes == 0 : lanes <= N) {
    return std::type_identity<P>{};
  } else if constexpr (std::is_same_v<H, P>) {
    return std::type_identity<S>{};
  } else {
    return widest_packet<S, H, N, Divide>();
  }
}

/// For kernels vectorised over a compile-time count of channels: the widest packet of S whose
/// lanes divide n (AVX-512 takes 8 channels as one 8-float packet where 16 would not fit them).
template <class S, int N>
using packet_dividing_t = typename decltype(widest_packet<S, packet_t<S>, N, true>())::type;
template <class S, int N>
inline constexpr int packet_dividing_size = Eigen::internal::unpacket_traits<packet_dividing_t<S, N>>::size;

/// For kernels vectorised along a row of compile-time length: the widest packet of S of at
/// most n lanes (AVX-512 takes rows of 8 to 15 positions in 8-float packets).
template <class S, int N>
using packet_within_t = typename decltype(widest_packet<S, packet_t<S>, N, false>())::type;
template <class S, int N>
inline constexpr int packet_within_size = Eigen::internal::unpacket_traits<packet_within_t<S, N>>::size;

/// For the last RB rows of a Linear's weights that fill no whole packet (detail/affine.hpp): the
/// narrowest of Eigen's packets (its half, its half's half...) that still holds RB lanes; S
/// itself when S has no SIMD packet.
template <class P, int RB>
constexpr auto narrowest_holding() {
  using H = typename Eigen::internal::unpacket_traits<P>::half;
  if constexpr (!std::is_same_v<H, P> && Eigen::internal::unpacket_traits<H>::size >= RB) {
    return narrowest_holding<H, RB>();
  } else {
    return std::type_identity<P>{};
  }
}
template <class S, int RB>
using rest_packet_t = typename decltype(narrowest_holding<packet_t<S>, RB>())::type;

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// SIMD registers a register-blocked kernel may plan its tiles for: 32 with AVX-512 and on
/// AArch64 (NEON), 16 on AVX/AVX2 and SSE.
#if defined(__AVX512F__) || defined(__aarch64__)
inline constexpr int simd_registers = 32;
#else
inline constexpr int simd_registers = 16;
#endif

/// Keeps a loaded packet in a register: an empty asm that the compiler must assume reads and
/// writes it. GCC 12 otherwise folds the load into every FMA that uses the packet (x86 FMAs
/// take a memory operand): in a direct-convolution tile of 4 packets by 4 channels, 16 loads
/// a tap instead of 4, and CNN1's input-gradient kernel ran 1.17x slower (docs/performance.md).
/// Nothing elsewhere.
template <class P>
EIGEN_ALWAYS_INLINE void keep_in_register(P& v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  __asm__("" : "+v"(v));
#elif defined(__GNUC__) && defined(__aarch64__)
  __asm__("" : "+w"(v));
#else
  (void)v;
#endif
}

/// The square root of a packet of S (or of S), correctly rounded as std::sqrt and PyTorch's.
/// Eigen 3.4's psqrt, and with it `.sqrt()` and `.rsqrt()` of an array, is with EIGEN_FAST_MATH
/// (Eigen's default) a reciprocal-square-root estimate refined by Newton steps, for float on
/// SSE, AVX and AVX-512 and for double on AVX-512: 1 or 2 ulp off for about 4 inputs in 10,
/// and 0 for subnormal ones, where an optimizer or BatchNorm must give PyTorch's numbers.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // packets as template arguments
#endif
template <class P>
EIGEN_ALWAYS_INLINE P sqrt_exact(const P& x) {
  if constexpr (std::is_floating_point_v<P>) {
    return std::sqrt(x);
#if defined(EIGEN_VECTORIZE_AVX512)
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet16f>) {
    return _mm512_sqrt_ps(x);
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet8d>) {
    return _mm512_sqrt_pd(x);
#endif
#if defined(EIGEN_VECTORIZE_AVX)
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet8f>) {
    return _mm256_sqrt_ps(x);
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet4d>) {
    return _mm256_sqrt_pd(x);
#endif
#if defined(EIGEN_VECTORIZE_SSE2)
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet4f>) {
    return _mm_sqrt_ps(x);
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet2d>) {
    return _mm_sqrt_pd(x);
#endif
  } else {
    return Eigen::internal::psqrt(x);  // NEON on AArch64: vsqrtq, correctly rounded
  }
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// sqrt_exact as an Eigen functor: `a.unaryExpr(sqrt_exact_op<S>{})` where `a.sqrt()` would
/// be Eigen's estimate.
template <class S>
struct sqrt_exact_op {
  EIGEN_ALWAYS_INLINE S operator()(const S& x) const { return std::sqrt(x); }
  template <class P>
  EIGEN_ALWAYS_INLINE P packetOp(const P& x) const {
    return sqrt_exact(x);
  }
};

}  // namespace ctnn::detail

template <class S>
struct Eigen::internal::functor_traits<ctnn::detail::sqrt_exact_op<S>> {
  enum { Cost = 5 * Eigen::NumTraits<S>::MulCost, PacketAccess = Eigen::internal::packet_traits<S>::HasSqrt };
};

// Loops over packets with constant trip counts are unrolled in full, so that arrays of
// accumulators become registers.
#if defined(__clang__)
#define CTNN_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define CTNN_UNROLL _Pragma("GCC unroll 16")
#else
#define CTNN_UNROLL
#endif
