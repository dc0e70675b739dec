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
/// - The kernel here keeps up to 8 row packets of accumulators in registers when the weights
///   fit in L1, 16 when they stream from L2 (all 128 rows of a 128-wide layer with AVX2; see
///   max_row_packets), and broadcasts each x(k) once per block; with fewer row packets it
///   splits the sum over k into independent partial sums, up to In / 4 of them. The bias is
///   the first partial sum's start; the epilogue is applied once, before the store.
/// - One output row is a dot product (Eigen's tree reduction).
/// - A batch through weights of a compile-time size uses detail/gemm.hpp (no packing, the bias
///   as the accumulators' start, the epilogue over each tile while it is in L1).
/// - Weights in heap storage (larger than Eigen's fixed-size limit) use Eigen's GEMV and GEMM,
///   followed by one fused bias+epilogue pass.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "ctnn/detail/gemm.hpp"

namespace ctnn::detail {

/// Independent FMA chains the kernel keeps in flight: the FMA units' latency times their
/// throughput (4 x 2 on current x86).
inline constexpr int fma_chains = 8;
/// Row packets one pass of the kernel accumulates in registers, for Out x In weights: half the
/// SIMD registers (8 of AVX2's 16) when the weights fit in a 32 KiB L1, leaving room for the
/// broadcast input and the loaded weights; all of them when the weights stream from L2, where
/// a second pass over the same columns defeats the prefetcher. Measured for one sample on
/// AVX2: Linear<32, 128> 134 -> 99 ns with passes of 8; Linear<128, 128> (64 KiB) 666 ns in
/// one pass of 16 (with one spill), 780 ns in two of 8, 670 ns at best blocked over columns:
/// it is bound by L2's bandwidth (about 98 bytes per ns here).
template <class S, int Out, int In>
inline constexpr int max_row_packets =
    static_cast<long>(Out) * In * static_cast<long>(sizeof(S)) <= 32 * 1024 ? EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS / 2
                                                                           : EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS;

/// X is stored column by column with unit stride between rows, so a kernel may read it
/// through its pointer and outer stride.
template <class X>
inline constexpr bool column_major_storage = bool(X::Flags & Eigen::DirectAccessBit) &&
                                             !bool(X::Flags & Eigen::RowMajorBit) && X::InnerStrideAtCompileTime == 1;

/// Which product kernel a layer uses for one sample.
enum class matvec_kernel { dot, blocked, gemv };

template <class S, int Out, int In>
constexpr matvec_kernel choose_matvec() {
  if (Out == 1) return matvec_kernel::dot;
  // weights in heap storage (network E's 1024x1024): streaming from memory, GEMV is as good
  if (static_cast<long>(Out) * In * static_cast<long>(sizeof(S)) > EIGEN_STACK_ALLOCATION_LIMIT) return matvec_kernel::gemv;
  return matvec_kernel::blocked;
}


/// acc[s] += acc[s + Width] for s = 0, 2 Width, 4 Width, ...; then the next level: a pairwise
/// sum of the Split partial sums in log2(Split) dependent adds. Constant trip counts
/// throughout, so that the compiler unrolls it and keeps acc in registers.
template <int Width, int Split, int NP, class P>
EIGEN_ALWAYS_INLINE void pairwise_sum(P (&acc)[Split][NP]) {
  if constexpr (Width < Split) {
    CTNN_UNROLL for (int s = 0; s < Split - Width; s += 2 * Width) {
      CTNN_UNROLL for (int p = 0; p < NP; ++p) acc[s][p] = Eigen::internal::padd(acc[s][p], acc[s + Width][p]);
    }
    pairwise_sum<2 * Width>(acc);
  }
}

/// How many independent partial sums the kernel keeps for NP row packets and In inputs:
/// enough FMA chains in flight for one call's latency (W1dep), but no more than In / 4, so that
/// a tiny layer (8 inputs) is nearly a plain chain: consecutive calls overlap anyway, and the
/// extra adds would cost more than they save (W1 on network B).
template <int NP, int In>
inline constexpr int split_of = std::max(1, std::min(In / 4, (fma_chains + NP - 1) / NP));

/// out[0 .. NP packets) = rows Rows0.. of W x + b, for column-major W with leading dimension
/// Out: NP row packets accumulated in registers, the sum over k split into split_of partial
/// sums, the bias (null: none) as the first one's start.
template <int Rows0, int NP, class S, int Out, int In, class X>
EIGEN_ALWAYS_INLINE void packet_rows(const S* w, const X& x, const S* bias, S* out) {
  using P = packet_t<S>;
  using namespace Eigen::internal;
  constexpr int PS = packet_size<S>;
  constexpr int Split = split_of<NP, In>;
  P acc[Split][NP];
  CTNN_UNROLL for (int s = 0; s < Split; ++s) {
    CTNN_UNROLL for (int p = 0; p < NP; ++p) acc[s][p] = s == 0 && bias ? ploadu<P>(bias + Rows0 + p * PS) : pset1<P>(S(0));
  }
  constexpr int Main = In / Split * Split;
  auto step = [&](int k, int s) {
    const P xk = pset1<P>(x(k));
    const S* col = w + static_cast<std::ptrdiff_t>(k) * Out + Rows0;
    CTNN_UNROLL for (int p = 0; p < NP; ++p) acc[s][p] = pmadd(ploadu<P>(col + p * PS), xk, acc[s][p]);
  };
  CTNN_UNROLL for (int k = 0; k < Main; k += Split) {
    CTNN_UNROLL for (int s = 0; s < Split; ++s) step(k + s, s);
  }
  CTNN_UNROLL for (int k = Main; k < In; ++k) step(k, 0);
  pairwise_sum<1>(acc);
  CTNN_UNROLL for (int p = 0; p < NP; ++p) pstoreu(out + p * PS, acc[0][p]);
}

/// Rows Rows0 .. Out of y = epi(W x + b), in blocks of at most max_row_packets packets; the
/// last rows that fill no packet (Linear(784, 10) with 16 floats a packet) go as one narrower
/// or partly filled packet, split_of partial sums. Eigen had them: its fixed-size vectors of
/// 10 floats are scalar code, and CNN2's Linear(784, 10) took 0.6 us for 7,840 multiply-adds.
template <int Rows0, class S, class W, class X, class Bias, class Y, class Epi>
EIGEN_ALWAYS_INLINE void blocked_from(const W& w, const X& x, const Bias* b, Y& y, const Epi& epi) {
  constexpr int Out = W::RowsAtCompileTime, In = W::ColsAtCompileTime, PS = packet_size<S>;
  constexpr int full = (Out - Rows0) / PS;
  if constexpr (full > 0) {
    constexpr int NP = std::min(full, max_row_packets<S, Out, In>), RB = NP * PS;
    Eigen::Matrix<S, RB, 1> z;
    const S* bias = nullptr;
    if constexpr (!std::is_same_v<Bias, void>) bias = b->data();
    packet_rows<Rows0, NP, S, Out, In>(w.data(), x, bias, z.data());
    y.template segment<RB>(Rows0) = epi(z.array()).matrix();
    blocked_from<Rows0 + RB, S>(w, x, b, y, epi);
  } else if constexpr (Rows0 < Out) {
    constexpr int RB = Out - Rows0;
    using Q = rest_packet_t<S, RB>;
    constexpr int QL = Eigen::internal::unpacket_traits<Q>::size;
    constexpr int Split = split_of<1, In>;
    // Columns whose QL-lane load from row Rows0 stays inside W's storage: the lanes past RB
    // read the next column's first rows, and are discarded. The last columns' rows are copied
    // into a zeroed buffer instead.
    constexpr long Total = static_cast<long>(Out) * In;
    constexpr int Safe = Total < Rows0 + QL ? 0 : static_cast<int>(std::min<long>(In, (Total - Rows0 - QL) / Out + 1));
    using namespace Eigen::internal;
    Q acc[Split][1];
    CTNN_UNROLL for (int s = 0; s < Split; ++s) acc[s][0] = pset1<Q>(S(0));
    // the bias as the first sum's start when it fills the packet; otherwise added at the end
    // (copied into a packet's buffer, its scalar stores would stall the vector load)
    if constexpr (!std::is_same_v<Bias, void> && RB == QL) acc[0][0] = ploadu<Q>(b->data() + Rows0);
    const S* wd = w.data();
    constexpr int Main = Safe / Split * Split;
    for (int k = 0; k < Main; k += Split) {
      CTNN_UNROLL for (int s = 0; s < Split; ++s)
        acc[s][0] = pmadd(ploadu<Q>(wd + static_cast<std::ptrdiff_t>(k + s) * Out + Rows0), pset1<Q>(x(k + s)), acc[s][0]);
    }
    for (int k = Main; k < Safe; ++k)
      acc[0][0] = pmadd(ploadu<Q>(wd + static_cast<std::ptrdiff_t>(k) * Out + Rows0), pset1<Q>(x(k)), acc[0][0]);
    for (int k = Safe; k < In; ++k) {
      S col[QL] = {};
      for (int r = 0; r < RB; ++r) col[r] = wd[static_cast<std::ptrdiff_t>(k) * Out + Rows0 + r];
      acc[0][0] = pmadd(ploadu<Q>(col), pset1<Q>(x(k)), acc[0][0]);
    }
    pairwise_sum<1>(acc);
    S z[QL];
    pstoreu(z, acc[0][0]);
    const Eigen::Map<const Eigen::Array<S, RB, 1>> sum(z);
    if constexpr (!std::is_same_v<Bias, void> && RB != QL) {
      y.template segment<RB>(Rows0) = epi(sum + b->template segment<RB>(Rows0).array()).matrix();
    } else {
      y.template segment<RB>(Rows0) = epi(sum).matrix();
    }
  }
}

/// Whether a batch through Out x In weights uses detail/gemm.hpp: sizes known at compile time,
/// weights in fixed storage (heap weights are large enough for Eigen's cache blocking) and at
/// least one whole packet of rows.
template <class S, int Out, int In>
constexpr bool uses_batch_kernels() {
  return Out != Eigen::Dynamic && In != Eigen::Dynamic && Out >= packet_size<S> &&
         static_cast<long>(Out) * In * static_cast<long>(sizeof(S)) <= EIGEN_STACK_ALLOCATION_LIMIT;
}

/// y = epi(W x + b) for one sample x (In x 1) or a batch (In x B). `b` is null for a layer
/// without bias (Bias = void).
template <class Bias, class W, class X, class Y, class Epi = no_epilogue>
EIGEN_ALWAYS_INLINE void affine_into(const W& w, const Bias* b, const Eigen::MatrixBase<X>& x, Y& y, const Epi& epi = {}) {
  using S = typename W::Scalar;
  constexpr int Out = W::RowsAtCompileTime, In = W::ColsAtCompileTime;
  constexpr bool one_sample = X::ColsAtCompileTime == 1;
  constexpr bool fixed = Out != Eigen::Dynamic && In != Eigen::Dynamic;
  if constexpr (one_sample && fixed && choose_matvec<S, Out, In>() == matvec_kernel::dot) {
    S v = w.row(0).dot(x.col(0));
    if constexpr (!std::is_same_v<Bias, void>) v += (*b)(0);
    y(0, 0) = v;
    if constexpr (!std::is_same_v<Epi, no_epilogue>) y = epi(y.array()).matrix();
  } else if constexpr (one_sample && fixed && packet_size<S> == 1) {
    // No SIMD for S (a microcontroller's FPU): the blocked kernel's unrolled "packets" of one
    // scalar only add code (43 KB for network D on a Cortex-M4), so one loop over the columns.
    const Eigen::Matrix<S, In, 1> xv = x;
    Eigen::Matrix<S, Out, 1> acc;
    if constexpr (!std::is_same_v<Bias, void>) {
      acc = *b;
    } else {
      acc.setZero();
    }
    for (int k = 0; k < In; ++k) acc += w.col(k) * xv(k);
    y = epi(acc.array()).matrix();
  } else if constexpr (one_sample && fixed && choose_matvec<S, Out, In>() == matvec_kernel::blocked) {
    // the kernel reads each x(k) once per row block: from memory, never from an expression
    if constexpr (bool(X::Flags & Eigen::DirectAccessBit)) {
      blocked_from<0, S>(w, x.derived(), b, y, epi);
    } else {
      const Eigen::Matrix<S, In, 1> xv = x;
      blocked_from<0, S>(w, xv, b, y, epi);
    }
  } else if constexpr (!one_sample && uses_batch_kernels<S, Out, In>() && column_major_storage<X> &&
                       column_major_storage<Y>) {
    constexpr int whole = Out / packet_size<S> * packet_size<S>;
    const S* bias = nullptr;
    if constexpr (!std::is_same_v<Bias, void>) bias = b->data();
    gemm_nn<Out, false>(In, w.data(), Out, x.derived().data(), 1, x.derived().outerStride(), x.cols(), y.data(),
                        y.outerStride(), bias, epi);
    if constexpr (whole < Out) {  // the rows that fill no packet
      constexpr int rest = Out - whole;
      y.template bottomRows<rest>().noalias() = w.template bottomRows<rest>() * x;
      if constexpr (!std::is_same_v<Bias, void>) y.template bottomRows<rest>().colwise() += b->template tail<rest>();
      if constexpr (!std::is_same_v<Epi, no_epilogue>) y.template bottomRows<rest>() = epi(y.template bottomRows<rest>().array()).matrix();
    }
  } else {
    if constexpr (Out == 1) {
      // one output per sample: a dot product per column. Eigen's GEMV would take its row-major
      // kernel here, which GCC 12 at -O3 warns about falsely (-Waggressive-loop-optimizations
      // in a constant-propagated clone, BlasUtil.h); the dot products are as fast.
      y.noalias() = w.lazyProduct(x);
    } else {
      y.noalias() = w * x;
    }
    // column by column: Eigen does not vectorise an expression over `y.colwise() + b` (the
    // broadcast has no packet access), which made Tanh run in scalar code, 2.5x slower
    if constexpr (!std::is_same_v<Bias, void>) {
      for (Eigen::Index j = 0; j < y.cols(); ++j) y.col(j) = epi((y.col(j) + *b).array()).matrix();
    } else if constexpr (!std::is_same_v<Epi, no_epilogue>) {
      y = epi(y.array()).matrix();
    }
  }
}

/// dW += dY X^T, Linear's weight gradient over a batch (dY: Out x B, X: In x B).
template <class GW, class G, class X>
inline void add_outer_product(GW& dw, const G& dy, const X& x) {
  using S = typename GW::Scalar;
  constexpr int Out = GW::RowsAtCompileTime, In = GW::ColsAtCompileTime;
  if constexpr (uses_batch_kernels<S, Out, In>() && column_major_storage<G> && column_major_storage<X>) {
    // A = dY (Out x B), B(k = sample, j = input) = X(j, k): the sum runs over the batch
    gemm_nn<Out, true>(static_cast<int>(dy.cols()), dy.data(), dy.outerStride(), x.data(), x.outerStride(), 1, In,
                       dw.data(), Out, nullptr);
    constexpr int whole = Out / packet_size<S> * packet_size<S>;
    if constexpr (whole < Out) dw.template bottomRows<Out - whole>().noalias() += dy.template bottomRows<Out - whole>() * x.transpose();
  } else {
    dw.noalias() += dy * x.transpose();
  }
}

/// dX = W^T dY, Linear's input gradient (W: Out x In, dY: Out x B), as dot products over Out
/// when Out is two packets at least (fewer leave too little to sum). Weights in heap storage
/// take this path whatever their shape: Eigen's product of their transpose with a batch of
/// compile-time size blocks on the stack (4 MiB for 1024 x 1024 weights and a batch of 32,
/// which overflowed the stack of the benchmark's main thread).
template <class W, class G, class DX>
inline void transposed_product(const W& w, const G& dy, DX& dx) {
  using S = typename W::Scalar;
  constexpr int Out = W::RowsAtCompileTime;
  constexpr int In = W::ColsAtCompileTime != Eigen::Dynamic ? int(W::ColsAtCompileTime) : int(DX::RowsAtCompileTime);
  constexpr bool fixed = Out != Eigen::Dynamic && In != Eigen::Dynamic;
  constexpr bool heap = W::ColsAtCompileTime == Eigen::Dynamic;
  if constexpr (fixed && (Out >= 2 * packet_size<S> || heap) && column_major_storage<G> && column_major_storage<DX>) {
    gemm_tn<In, Out>(w.data(), Out, dy.data(), dy.outerStride(), dy.cols(), dx.data(), dx.outerStride());
  } else if constexpr (In == 1) {
    dx.noalias() = w.transpose().lazyProduct(dy);  // a dot product per column: as in affine_into
  } else {
    dx.noalias() = w.transpose() * dy;
  }
}

}  // namespace ctnn::detail

