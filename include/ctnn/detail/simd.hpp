/// @file What ctnn's hand-written kernels (detail/affine.hpp, detail/gemm.hpp, optim/adam.hpp)
/// share about SIMD: Eigen's packet type and width for a scalar, and the loop-unrolling pragma
/// that keeps arrays of packets in registers.
#pragma once

#include "ctnn/detail/eigen.hpp"

namespace ctnn::detail {

/// Eigen's SIMD packet of S (8 floats with AVX2) and its number of lanes.
template <class S>
using packet_t = typename Eigen::internal::packet_traits<S>::type;
template <class S>
inline constexpr int packet_size = Eigen::internal::packet_traits<S>::size;

/// SIMD registers a register-blocked kernel may plan its tiles for: 32 with AVX-512 and on
/// AArch64 (NEON), 16 on AVX/AVX2 and SSE.
#if defined(__AVX512F__) || defined(__aarch64__)
inline constexpr int simd_registers = 32;
#else
inline constexpr int simd_registers = 16;
#endif

}  // namespace ctnn::detail

// Loops over packets with constant trip counts are unrolled in full, so that arrays of
// accumulators become registers.
#if defined(__clang__)
#define CTNN_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define CTNN_UNROLL _Pragma("GCC unroll 16")
#else
#define CTNN_UNROLL
#endif
