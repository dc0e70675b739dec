/// @file Defines the batch kernels behind Linear when its weights have a compile-time size:
/// detail::gemm_nn (C = A B or C += A B with A column-major, used for the forward W X and for
/// the weight gradient dY X^T) and detail::gemm_tn (C = A^T B, used for the input gradient
/// W^T dY).
///
/// Why not Eigen's general product: for the shapes of small networks (128 x 128 weights, a
/// batch of 32) Eigen's GEMM packs both operands on every call and runs its run-time blocked
/// kernel; measured on AVX2 it reached about 45% of the FMA units' peak on network A's training
/// step. Here every size but the batch is a compile-time constant, nothing is packed (the
/// operands of a small network fit in L1/L2), and the bias is the accumulators' initial value.
///
/// Both kernels compute whole SIMD packets of rows; the rows left over (fewer than a packet:
/// Out = 4 or 1 in float) are the caller's (Linear hands them to Eigen, where they are cheap).
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <cstddef>
#include <type_traits>

#include "ctnn/detail/simd.hpp"

// Packets are SIMD vector types: GCC warns that their alignment attributes are dropped when
// they are template arguments (as Eigen's own headers do, silenced there too). And GCC 12 at
// -O3 warns that a leftover-columns loop which it has not yet found dead would overflow a
// pointer after 2^58 iterations (the batch is a compile-time 32 there, the loop never runs).
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Waggressive-loop-optimizations"
#endif
#endif

namespace ctnn::detail {

/// The epilogue of a layer with no activation after it.
struct no_epilogue {
  template <class A>
  const A& operator()(const A& a) const {
    return a;
  }
};

/// Columns per tile of gemm_nn for MP packets of rows: NR broadcasts share each loaded packet
/// of A, and MP * NR accumulators keep at least 8 FMA chains in flight within 16 registers.
template <int MP>
inline constexpr int gemm_nr = MP == 1 ? 8 : MP == 2 ? 6 : 4;

/// One tile of C = A B (+ C): MP packets of rows starting at row i0, NR columns from j0.
/// A(i, k) = a[i + k lda]; B(k, j) = b[k bk + j bj]; C(i, j) = c[i + j ldc]. `init` is null
/// (start from zero) or MP packets to start every column from (the bias). The epilogue (the
/// next layer's activation) runs over the tile just stored, while it is in L1.
template <int MP, int NR, bool Accumulate, class S, class Epi>
EIGEN_ALWAYS_INLINE void gemm_nn_tile(int K, const S* a, std::ptrdiff_t lda, const S* b, std::ptrdiff_t bk,
                                      std::ptrdiff_t bj, S* c, std::ptrdiff_t ldc, const S* init, const Epi& epi) {
  using namespace Eigen::internal;
  using P = packet_t<S>;
  constexpr int PS = packet_size<S>;
  P acc[NR][MP];
  CTNN_UNROLL for (int p = 0; p < MP; ++p) {
    const P start = init ? ploadu<P>(init + p * PS) : pset1<P>(S(0));
    CTNN_UNROLL for (int j = 0; j < NR; ++j) acc[j][p] = start;
  }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 4
#endif
  for (int k = 0; k < K; ++k) {
    P ak[MP];
    CTNN_UNROLL for (int p = 0; p < MP; ++p) ak[p] = ploadu<P>(a + k * lda + p * PS);
    CTNN_UNROLL for (int j = 0; j < NR; ++j) {
      const P bkj = pset1<P>(b[k * bk + j * bj]);
      CTNN_UNROLL for (int p = 0; p < MP; ++p) acc[j][p] = pmadd(ak[p], bkj, acc[j][p]);
    }
  }
  CTNN_UNROLL for (int j = 0; j < NR; ++j) {
    CTNN_UNROLL for (int p = 0; p < MP; ++p) {
      S* to = c + j * ldc + p * PS;
      pstoreu(to, Accumulate ? padd(ploadu<P>(to), acc[j][p]) : acc[j][p]);
    }
  }
  if constexpr (!std::is_same_v<Epi, no_epilogue>) {
    for (int j = 0; j < NR; ++j) {
      Eigen::Map<Eigen::Matrix<S, MP * PS, 1>> column(c + j * ldc);
      column = epi(column.array()).matrix();
    }
  }
}

/// Rows [i0, i0 + MP packets) of C, every column: tiles of gemm_nr columns, then the last
/// columns one by one (a tile per leftover count would multiply the instantiations, and so
/// the compile time, for a few columns).
template <int MP, bool Accumulate, class S, class Epi>
EIGEN_ALWAYS_INLINE void gemm_nn_rows(int K, const S* a, std::ptrdiff_t lda, const S* b, std::ptrdiff_t bk,
                                      std::ptrdiff_t bj, std::ptrdiff_t N, S* c, std::ptrdiff_t ldc, const S* init,
                                      const Epi& epi) {
  constexpr int NR = gemm_nr<MP>;
  std::ptrdiff_t j = 0;
  for (; j + NR <= N; j += NR)
    gemm_nn_tile<MP, NR, Accumulate>(K, a, lda, b + j * bj, bk, bj, c + j * ldc, ldc, init, epi);
  for (; j < N; ++j) gemm_nn_tile<MP, 1, Accumulate>(K, a, lda, b + j * bj, bk, bj, c + j * ldc, ldc, init, epi);
}

/// C = A B + init (or C += A B) over the first M / packet rows of A and C, every column.
///   A: M x K, A(i, k) = a[i + k lda];  B: K x N, B(k, j) = b[k bk + j bj];  C(i, j) = c[i + j ldc].
/// M is a compile-time size; K and N may be the batch, known only at run time. Row blocks of
/// three packets (12 accumulators and 3 packets of A: all 16 AVX2 registers), or two where
/// that leaves none of one packet, each over all columns, so the block of A stays in L1.
template <int M, bool Accumulate, class S, class Epi = no_epilogue>
void gemm_nn(int K, const S* a, std::ptrdiff_t lda, const S* b, std::ptrdiff_t bk, std::ptrdiff_t bj, std::ptrdiff_t N,
             S* c, std::ptrdiff_t ldc, const std::type_identity_t<S>* init, const Epi& epi = {}) {
  constexpr int PS = packet_size<S>;
  constexpr int packets = M / PS;
  // blocks of 3 packets, with the remainder as blocks of 2 (3k+1 = 3(k-1) + 2 + 2)
  constexpr int threes = packets % 3 == 1 && packets >= 4 ? packets / 3 - 1 : packets / 3;
  constexpr int twos = (packets - 3 * threes) / 2;
  constexpr int ones = packets - 3 * threes - 2 * twos;
  int i = 0;
  for (int t = 0; t < threes; ++t, i += 3 * PS)
    gemm_nn_rows<3, Accumulate>(K, a + i, lda, b, bk, bj, N, c + i, ldc, init ? init + i : nullptr, epi);
  for (int t = 0; t < twos; ++t, i += 2 * PS)
    gemm_nn_rows<2, Accumulate>(K, a + i, lda, b, bk, bj, N, c + i, ldc, init ? init + i : nullptr, epi);
  if constexpr (ones > 0) gemm_nn_rows<1, Accumulate>(K, a + i, lda, b, bk, bj, N, c + i, ldc, init ? init + i : nullptr, epi);
}

/// One tile of C = A^T B: MI columns of A (rows of C) by NJ columns of B, each element a dot
/// product over K of contiguous columns.
template <int MI, int NJ, int K, class S>
EIGEN_ALWAYS_INLINE void gemm_tn_tile(const S* a, std::ptrdiff_t lda, const S* b, std::ptrdiff_t ldb, S* c,
                                      std::ptrdiff_t ldc) {
  using namespace Eigen::internal;
  using P = packet_t<S>;
  constexpr int PS = packet_size<S>;
  P acc[MI][NJ];
  CTNN_UNROLL for (int i = 0; i < MI; ++i) {
    CTNN_UNROLL for (int j = 0; j < NJ; ++j) acc[i][j] = pset1<P>(S(0));
  }
  constexpr int whole = K / PS * PS;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 4
#endif
  for (int k = 0; k < whole; k += PS) {
    P bk[NJ];
    CTNN_UNROLL for (int j = 0; j < NJ; ++j) bk[j] = ploadu<P>(b + j * ldb + k);
    CTNN_UNROLL for (int i = 0; i < MI; ++i) {
      const P ak = ploadu<P>(a + i * lda + k);
      CTNN_UNROLL for (int j = 0; j < NJ; ++j) acc[i][j] = pmadd(ak, bk[j], acc[i][j]);
    }
  }
#if defined(__AVX__)
  if constexpr (MI == 4 && std::is_same_v<P, __m256>) {
    // four horizontal sums at once (three hadds and one add instead of four reductions),
    // stored as four consecutive rows of C
    CTNN_UNROLL for (int j = 0; j < NJ; ++j) {
      const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(acc[0][j], acc[1][j]), _mm256_hadd_ps(acc[2][j], acc[3][j]));
      __m128 sum = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
      if constexpr (whole < K) {  // what fills no packet
        alignas(16) float tail[4] = {};
        for (int i = 0; i < 4; ++i)
          for (int k = whole; k < K; ++k) tail[i] += a[i * lda + k] * b[j * ldb + k];
        sum = _mm_add_ps(sum, _mm_load_ps(tail));
      }
      _mm_storeu_ps(c + j * ldc, sum);
    }
    return;
  }
#endif
  CTNN_UNROLL for (int i = 0; i < MI; ++i) {
    CTNN_UNROLL for (int j = 0; j < NJ; ++j) {
      S sum = predux(acc[i][j]);
      for (int k = whole; k < K; ++k) sum += a[i * lda + k] * b[j * ldb + k];  // what fills no packet
      c[i + j * ldc] = sum;
    }
  }
}

/// Columns j0 .. j0 + NJ - 1 of C = A^T B (below), every row (b and c point at column j0).
template <int M, int K, int NJ, class S>
EIGEN_ALWAYS_INLINE void gemm_tn_columns(const S* a, std::ptrdiff_t lda, const S* b, std::ptrdiff_t ldb, S* c,
                                         std::ptrdiff_t ldc) {
  constexpr int MI = 4;
  int i = 0;
  for (; i + MI <= M; i += MI) gemm_tn_tile<MI, NJ, K>(a + i * lda, lda, b, ldb, c + i, ldc);
  for (; i < M; ++i) gemm_tn_tile<1, NJ, K>(a + i * lda, lda, b, ldb, c + i, ldc);
}

/// C = A^T B: C(i, j) = sum_k A(k, i) B(k, j), with A(k, i) = a[k + i lda] (K x M) and
/// B(k, j) = b[k + j ldb] (K x N), C(i, j) = c[i + j ldc]. Tiles of 4 x 3 dot products: 12
/// accumulators, 7 loads per 12 FMAs; the last K % packet terms of each are summed in scalars.
/// No lambda over the column tiles: GCC kept one out of line, its captures in memory, and a
/// training step of network D took 5-8% longer than when this was written as loops
/// (bench/compare_trees.sh, W3/D).
template <int M, int K, class S>
void gemm_tn(const S* a, std::ptrdiff_t lda, const S* b, std::ptrdiff_t ldb, std::ptrdiff_t N, S* c,
             std::ptrdiff_t ldc) {
  constexpr int NJ = 3;
  std::ptrdiff_t j = 0;
  for (; j + NJ <= N; j += NJ) gemm_tn_columns<M, K, NJ>(a, lda, b + j * ldb, ldb, c + j * ldc, ldc);
  for (; j < N; ++j) gemm_tn_columns<M, K, 1>(a, lda, b + j * ldb, ldb, c + j * ldc, ldc);
}

}  // namespace ctnn::detail

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

