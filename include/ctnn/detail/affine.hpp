/// @file Defines detail::affine_into, the kernel behind Linear: y = act(W x + b) for a
/// column-major W (Out x In), with the product kernel chosen per layer at compile time and the
/// bias and an optional elementwise epilogue (the next layer's activation) applied in the same
/// pass.
///
/// Why several kernels (measured on AVX2, float, one sample; bench/ and docs/performance.md):
/// - Eigen's matrix-vector kernel (GEMV) is a run-time routine: for 8x8 or 64x8 its call and
///   blocking cost more than the arithmetic, and at 128x128 it re-reads and re-writes y for
///   every few columns.
/// - Eigen's lazyProduct on a column-major W keeps one accumulator per row packet, so a layer
///   with few outputs is one long chain of dependent FMAs (64->8: 64 FMAs in a row), and a
///   wide layer re-broadcasts x per row packet (1.6x slower than GEMV at 128 wide).
/// - The kernel here keeps up to 16 row packets of accumulators in registers (all 128 rows of
///   a 128-wide layer with AVX2) and broadcasts each x(k) once per block; with fewer row
///   packets it splits the sum over k into independent partial sums so that 8 FMA chains are
///   always in flight. Bias and the epilogue are applied once, before the store.
/// - One output row is a dot product (Eigen's tree reduction).
/// - Weights in heap storage (larger than Eigen's fixed-size limit) and batches use Eigen's
///   GEMV and GEMM, followed by one fused bias+epilogue pass.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <type_traits>

namespace ctnn::detail {

/// The epilogue of a layer with no activation after it.
struct no_epilogue {
  template <class A>
  const A& operator()(const A& a) const {
    return a;
  }
};

/// Lanes of one SIMD packet of S (8 floats with AVX2).
template <class S>
inline constexpr int packet_size = Eigen::internal::packet_traits<S>::size;

/// Independent FMA chains the kernel keeps in flight: the FMA units' latency times their
/// throughput (4 x 2 on current x86).
inline constexpr int fma_chains = 8;
/// Row packets one pass of the kernel accumulates in registers (16 AVX2 registers: 128 floats).
inline constexpr int max_row_packets = 16;

/// Which product kernel a layer uses for one sample.
enum class matvec_kernel { dot, blocked, gemv };

template <class S, int Out, int In>
constexpr matvec_kernel choose_matvec() {
  if (Out == 1) return matvec_kernel::dot;
  // weights in heap storage (network E's 1024x1024): streaming from memory, GEMV is as good
  if (static_cast<long>(Out) * In * static_cast<long>(sizeof(S)) > EIGEN_STACK_ALLOCATION_LIMIT) return matvec_kernel::gemv;
  return matvec_kernel::blocked;
}

#if defined(__GNUC__)
#define CTNN_UNROLL _Pragma("GCC unroll 16")
#else
#define CTNN_UNROLL
#endif

/// out[0 .. NP packets) = rows Rows0.. of W x, for column-major W with leading dimension Out:
/// NP row packets accumulated in registers, the sum over k split into Split independent
/// partial sums so that NP * Split >= fma_chains.
template <int Rows0, int NP, class S, int Out, int In, class X>
EIGEN_ALWAYS_INLINE void packet_rows(const S* w, const X& x, S* out) {
  using P = typename Eigen::internal::packet_traits<S>::type;
  using namespace Eigen::internal;
  constexpr int PS = packet_size<S>;
  constexpr int Split = std::max(1, std::min(In, (fma_chains + NP - 1) / NP));
  P acc[Split][NP];
  CTNN_UNROLL for (int s = 0; s < Split; ++s) {
    CTNN_UNROLL for (int p = 0; p < NP; ++p) acc[s][p] = pset1<P>(S(0));
  }
  constexpr int Main = In / Split * Split;
  auto step = [&](int k, int s) {
    const P xk = pset1<P>(x(k));
    const S* col = w + static_cast<std::ptrdiff_t>(k) * Out + Rows0;
    CTNN_UNROLL for (int p = 0; p < NP; ++p) acc[s][p] = pmadd(ploadu<P>(col + p * PS), xk, acc[s][p]);
  };
  for (int k = 0; k < Main; k += Split) {
    CTNN_UNROLL for (int s = 0; s < Split; ++s) step(k + s, s);
  }
  CTNN_UNROLL for (int k = Main; k < In; ++k) step(k, 0);
  // pairwise: log2(Split) dependent adds
  CTNN_UNROLL for (int width = 1; width < Split; width *= 2) {
    CTNN_UNROLL for (int s = 0; s + width < Split; s += 2 * width) {
      CTNN_UNROLL for (int p = 0; p < NP; ++p) acc[s][p] = padd(acc[s][p], acc[s + width][p]);
    }
  }
  CTNN_UNROLL for (int p = 0; p < NP; ++p) pstoreu(out + p * PS, acc[0][p]);
}

/// Rows Rows0 .. Out of y = epi(W x + b), in blocks of at most max_row_packets packets; the
/// last rows that fill no packet (Out = 4 in float) go through Eigen with Split partial sums.
template <int Rows0, class S, class W, class X, class Bias, class Y, class Epi>
EIGEN_ALWAYS_INLINE void blocked_from(const W& w, const X& x, const Bias* b, Y& y, const Epi& epi) {
  constexpr int Out = W::RowsAtCompileTime, In = W::ColsAtCompileTime, PS = packet_size<S>;
  constexpr int full = (Out - Rows0) / PS;
  if constexpr (full > 0) {
    constexpr int NP = std::min(full, max_row_packets), RB = NP * PS;
    Eigen::Matrix<S, RB, 1> z;
    packet_rows<Rows0, NP, S, Out, In>(w.data(), x, z.data());
    if constexpr (!std::is_same_v<Bias, void>) z += b->template segment<RB>(Rows0);
    y.template segment<RB>(Rows0) = epi(z.array()).matrix();
    blocked_from<Rows0 + RB, S>(w, x, b, y, epi);
  } else if constexpr (Rows0 < Out) {
    constexpr int RB = Out - Rows0;
    constexpr int Split = std::max(1, std::min(In, fma_chains));
    Eigen::Matrix<S, RB, 1> acc[Split];
    for (int s = 0; s < Split; ++s) acc[s].setZero();
    constexpr int Main = In / Split * Split;
    for (int k = 0; k < Main; k += Split)
      for (int s = 0; s < Split; ++s) acc[s].noalias() += w.col(k + s).template segment<RB>(Rows0) * x(k + s);
    for (int k = Main; k < In; ++k) acc[0].noalias() += w.col(k).template segment<RB>(Rows0) * x(k);
    for (int width = 1; width < Split; width *= 2)
      for (int s = 0; s + width < Split; s += 2 * width) acc[s] += acc[s + width];
    if constexpr (!std::is_same_v<Bias, void>) acc[0] += b->template segment<RB>(Rows0);
    y.template segment<RB>(Rows0) = epi(acc[0].array()).matrix();
  }
}

/// y = epi(W x + b) for one sample x (In x 1) or a batch (In x B). `b` is null for a layer
/// without bias (Bias = void).
template <class Bias, class W, class X, class Y, class Epi = no_epilogue>
inline void affine_into(const W& w, const Bias* b, const Eigen::MatrixBase<X>& x, Y& y, const Epi& epi = {}) {
  using S = typename W::Scalar;
  constexpr int Out = W::RowsAtCompileTime, In = W::ColsAtCompileTime;
  constexpr bool one_sample = X::ColsAtCompileTime == 1;
  constexpr bool fixed = Out != Eigen::Dynamic && In != Eigen::Dynamic;
  if constexpr (one_sample && fixed && choose_matvec<S, Out, In>() == matvec_kernel::dot) {
    S v = w.row(0).dot(x.col(0));
    if constexpr (!std::is_same_v<Bias, void>) v += (*b)(0);
    y(0, 0) = v;
    if constexpr (!std::is_same_v<Epi, no_epilogue>) y = epi(y.array()).matrix();
  } else if constexpr (one_sample && fixed && choose_matvec<S, Out, In>() == matvec_kernel::blocked) {
    // the kernel reads each x(k) once per row block: from memory, never from an expression
    if constexpr (bool(X::Flags & Eigen::DirectAccessBit)) {
      blocked_from<0, S>(w, x.derived(), b, y, epi);
    } else {
      const Eigen::Matrix<S, In, 1> xv = x;
      blocked_from<0, S>(w, xv, b, y, epi);
    }
  } else {
    y.noalias() = w * x;
    // column by column: Eigen does not vectorise an expression over `y.colwise() + b` (the
    // broadcast has no packet access), which made Tanh run in scalar code, 2.5x slower
    if constexpr (!std::is_same_v<Bias, void>) {
      for (Eigen::Index j = 0; j < y.cols(); ++j) y.col(j) = epi((y.col(j) + *b).array()).matrix();
    } else if constexpr (!std::is_same_v<Epi, no_epilogue>) {
      y = epi(y.array()).matrix();
    }
  }
}

}  // namespace ctnn::detail

#undef CTNN_UNROLL
