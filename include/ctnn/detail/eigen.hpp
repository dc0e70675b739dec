/// @file Includes Eigen/Core for every ctnn header, with the warnings that users would
/// otherwise see from the compiler's intrinsics headers and from Eigen itself silenced
/// exactly: that warning, for the affected versions only, around those headers only. The
/// warnings stay on for ctnn's code and the user's. A program that includes <immintrin.h> or
/// Eigen before ctnn gets those headers as they are.
#pragma once

// GCC 12.1 and 12.2 with AVX-512 (GCC bug 105593, fixed in 12.3): the intrinsics header's
// _mm512_undefined_ps() and friends are written `__m512 __Y = __Y; return __Y;`, and where
// Eigen's AVX-512 packet math (ptranspose, pmax, redux, pload1, ...) is inlined GCC reports that
// line as -Wuninitialized / -Wmaybe-uninitialized, hundreds of times in a program built with
// -march=native -Wall on an AVX-512 CPU. GCC reports the header's own line, so the pragmas
// cover <immintrin.h> alone, included here before Eigen includes it.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12 && __GNUC_MINOR__ < 3 && defined(__AVX512F__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

// Eigen 3.4.0 declares a `Packet r;` it never uses in three bfloat16 functions of
// arch/AVX/PacketMath.h (F32ToBf16) and arch/AVX512/PacketMath.h (ploaddup, ploadquad),
// removed in Eigen's later releases. With Eigen on an -I path (pkg-config's eigen3 flags) rather
// than -isystem (its CMake target), -Wall reports them when AVX is on, with GCC and Clang.
#include <Eigen/src/Core/util/Macros.h>  // EIGEN_VERSION_AT_LEAST, without the rest of Eigen
#if defined(__GNUC__) && defined(__AVX__) && !EIGEN_VERSION_AT_LEAST(3, 4, 1)
#define CTNN_EIGEN_UNUSED_VARIABLE_WORKAROUND
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-variable"
#endif
#include <Eigen/Core>
#ifdef CTNN_EIGEN_UNUSED_VARIABLE_WORKAROUND
#pragma GCC diagnostic pop
#undef CTNN_EIGEN_UNUSED_VARIABLE_WORKAROUND
#endif
