/// @file Defines detail::direct_conv_row, the forward of a convolution computed straight from
/// its (padded) input: no im2col columns, no packing, the bias as the accumulators' start.
///
/// Why: the convolutions of small signal and image networks (CNN1's Conv1d(16, 32, 5) over 62
/// positions) are products of a few thousand multiply-adds per output row, too small for
/// Eigen's GEMM to amortise the copy into columns and the packing of both operands it makes on
/// every call (about half of CNN1's one-sample time, perf). Here a tile keeps MP packets of
/// consecutive output positions times NR output channels in registers and runs over every tap
/// (channel, ky, kx): a tap is MP unaligned loads of the input (stride 1 along the row makes
/// consecutive positions consecutive inputs), NR broadcasts of the weight and MP NR FMAs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>

#include "ctnn/detail/eigen.hpp"
#include "ctnn/detail/simd.hpp"

// Packets as template arguments: see detail/gemm.hpp.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

namespace ctnn::detail {

/// The compile-time layout of one direct convolution over one output row, in elements.
struct direct_plan {
  int channels = 1;  // input channels of a group
  int kh = 1, kw = 1;
  int plane = 1;     // between two input channels (the padded map's size)
  int tap_row = 1;   // between two kernel rows: dilation_h times the padded width
  int tap_col = 1;   // between two kernel columns: dilation_w
  int width = 1;     // output positions in a row, at least a packet
  int weights = 1;   // between two taps' weights (the weight is (Out, taps), column-major)

  constexpr int taps() const { return channels * kh * kw; }
  /// The input offset of tap t = (c, ky, kx).
  constexpr int offset(int t) const { return t / (kh * kw) * plane + t / kw % kh * tap_row + t % kw * tap_col; }
};

/// Output channels [0, NR) (weight w(j, tap) = w[j + tap D.weights], bias or null) at the MP
/// packets of positions from t0 of one row; the last packet of a row that is not a whole
/// number of packets starts at width - packet instead, overlapping its neighbour (it stores
/// the same values there).
template <direct_plan D, int MP, int NR, class P, bool Pin, class S>
EIGEN_ALWAYS_INLINE void direct_conv_tile(const S* x, int t0, const S* w, const S* bias, S* y, std::ptrdiff_t ystride) {
  using namespace Eigen::internal;
  constexpr int PS = unpacket_traits<P>::size;
  int at[MP];
  CTNN_UNROLL for (int p = 0; p < MP; ++p) at[p] = std::min(t0 + p * PS, D.width - PS);
  P acc[NR][MP];
  CTNN_UNROLL for (int j = 0; j < NR; ++j) {
    const P start = pset1<P>(bias != nullptr ? bias[j] : S(0));
    CTNN_UNROLL for (int p = 0; p < MP; ++p) acc[j][p] = start;
  }
  for (int c = 0; c < D.channels; ++c)
    for (int ky = 0; ky < D.kh; ++ky) {
      const S* xr = x + c * D.plane + ky * D.tap_row;
      const S* wr = w + (c * D.kh + ky) * D.kw * D.weights;
      for (int kx = 0; kx < D.kw; ++kx) {
        P a[MP];
        CTNN_UNROLL for (int p = 0; p < MP; ++p) {
          a[p] = ploadu<P>(xr + kx * D.tap_col + at[p]);
          if constexpr (Pin && MP >= 3) keep_in_register(a[p]);
        }
        CTNN_UNROLL for (int j = 0; j < NR; ++j) {
          const P wj = pset1<P>(wr[kx * D.weights + j]);
          CTNN_UNROLL for (int p = 0; p < MP; ++p) acc[j][p] = pmadd(a[p], wj, acc[j][p]);
        }
      }
    }
  CTNN_UNROLL for (int j = 0; j < NR; ++j) {
    CTNN_UNROLL for (int p = 0; p < MP; ++p) pstoreu(y + j * ystride + at[p], acc[j][p]);
  }
}

/// Positions [0, D.width) of one output row for Out output channels: y(o, t) (o's row ystride
/// apart) = bias(o) + sum over taps of w(o, tap) x(tap + t), x pointing at the row's first
/// input, w(o, tap) = w[o + tap D.weights]. With 32 registers, tiles of up to 4 packets by as
/// many channels as leave one register for the loads of a tap and one for the weight. With 16
/// (AVX2, SSE), 12 accumulators of at most 2 packets (2 x 6, or 1 x 12 for a single packet;
/// fewer than 12 channels: all of them, by as many packets as make at most 12 and leave the
/// two registers): a 3 x 4 tile fills all 16 registers and GCC 12 spilled its accumulators
/// (CNN1's Conv1d(16, 32, 5) 5.9 -> 3.7 us as 2 x 6), and tiles of 8 or fewer accumulators
/// wait on the multiply-adds' latency.
///
/// Pin keeps a tap's loaded packets in registers in tiles of 3 or 4 (keep_in_register): GCC 12
/// folds each load into every FMA that uses it, and the input gradient's kernel for CNN1
/// (16 x 64 positions) took 107 us for a batch of 32 that way, 92 us pinned. The forward does
/// not pin: pinned, CNN1's one-sample inference, where the forward kernels are inlined into the
/// chain, ran 1.12x slower, though each kernel alone was faster (docs/performance.md).
template <direct_plan D, int Out, class S, bool Pin = false>
void direct_conv_row(const S* x, const S* w, const S* bias, S* y, std::ptrdiff_t ystride) {
  // rows narrower than the full packet in a half packet (AVX-512: CNN2's 14-wide second
  // convolution in 8 floats, where it went through im2col and GEMM)
  using P = packet_within_t<S, D.width>;
  constexpr int PS = packet_within_size<S, D.width>;
  static_assert(PS > 1 && D.width >= PS, "ctnn: direct_conv_row needs a packet of positions per row");
  constexpr int NP = (D.width + PS - 1) / PS;
  constexpr int MP = simd_registers == 32 ? std::min(NP, 4)
                     : std::min(NP, Out >= 12 ? 2 : std::max(1, std::min(12 / Out, 15 / (Out + 1))));
  constexpr int NR = simd_registers == 32 ? std::min({Out, 8, (simd_registers - 1 - MP) / MP}) : std::min(Out, 12 / MP);
  const auto row = [&]<int NRows>(int o) {
    const S* wo = w + o;
    const S* bo = bias != nullptr ? bias + o : nullptr;
    S* yo = y + o * ystride;
    int q = 0;
    for (; q + MP <= NP; q += MP) direct_conv_tile<D, MP, NRows, P, Pin>(x, q * PS, wo, bo, yo, ystride);
    if constexpr (NP % MP != 0) direct_conv_tile<D, NP % MP, NRows, P, Pin>(x, q * PS, wo, bo, yo, ystride);
  };
  int o = 0;
  for (; o + NR <= Out; o += NR) row.template operator()<NR>(o);
  if constexpr (Out % NR != 0) row.template operator()<Out % NR>(o);
}

/// dst (C x R, row-major) = src (R x C, row-major) transposed, from row R0 on: squares of
/// PS x PS through Eigen's ptranspose (a strided store per element costs more than the weight
/// gradient's multiply-adds on a map of one input channel), PS the widest packet that fits both
/// the rows left and the columns (AVX-512: 8 x 8 squares for 8 channels), then the rows left
/// over with a narrower packet, and at the end the columns and rows no packet fits one by one.
template <int R, int C, class S, int R0 = 0>
void transpose(const S* src, S* dst) {
  using namespace Eigen::internal;
  using P = packet_within_t<S, std::min(R - R0, C)>;
  constexpr int PS = packet_within_size<S, std::min(R - R0, C)>;
  if constexpr (PS > 1) {
    constexpr int R1 = R0 + (R - R0) / PS * PS, C1 = C / PS * PS;
    for (int r = R0; r < R1; r += PS) {
      for (int c = 0; c < C1; c += PS) {
        PacketBlock<P, PS> b;
        CTNN_UNROLL for (int i = 0; i < PS; ++i) b.packet[i] = ploadu<P>(src + (r + i) * C + c);
        ptranspose(b);
        CTNN_UNROLL for (int i = 0; i < PS; ++i) pstoreu(dst + (c + i) * R + r, b.packet[i]);
      }
      // only where columns are left over: GCC 12 at -O3 with AVX-512 warned of undefined
      // behaviour (-Waggressive-loop-optimizations) in such a loop that never runs
      if constexpr (C1 < C)
        for (int c = C1; c < C; ++c)
          for (int i = 0; i < PS; ++i) dst[c * R + r + i] = src[(r + i) * C + c];
    }
    if constexpr (R1 < R) transpose<R, C, S, R1>(src, dst);
  } else {
    for (int r = R0; r < R; ++r)
      for (int c = 0; c < C; ++c) dst[c * R + r] = src[r * C + c];
  }
}

/// The compile-time layout of one sample's direct weight gradient, in elements: dW(o, tap) +=
/// the sum over output positions (oy, ox) of dy(o, oy, ox) x(tap + oy row_step + ox
/// col_step). taps: the forward's layout (its width the positions of a row, its weights the
/// output channels: dy^T's row length and the weight's column stride).
struct wgrad_plan {
  direct_plan taps;
  int rows = 1;                    // output rows
  int row_step = 1, col_step = 1;  // inputs between two output rows (stride_h Wp), positions (stride_w)
};

/// dW(o, t) for MO packets of output channels from o (dyt and dw pointing there) and the NT
/// taps from T0: the accumulators are the weight gradient itself (loaded, added to, stored),
/// and each position adds the outer product of its MO packets of dy^T and NT inputs.
template <wgrad_plan D, int MO, int T0, int NT, class P, class S>
EIGEN_ALWAYS_INLINE void direct_wgrad_tile(const S* x, const S* dyt, S* dw) {
  using namespace Eigen::internal;
  constexpr int PS = unpacket_traits<P>::size;
  P acc[NT][MO];
  constexpr int outs = D.taps.weights;
  CTNN_UNROLL for (int n = 0; n < NT; ++n) {
    CTNN_UNROLL for (int m = 0; m < MO; ++m) acc[n][m] = ploadu<P>(dw + (T0 + n) * outs + m * PS);
  }
  const S* dp = dyt;
  for (int oy = 0; oy < D.rows; ++oy) {
    const S* xr = x + oy * D.row_step;
    for (int ox = 0; ox < D.taps.width; ++ox, dp += outs) {
      const S* xp = xr + ox * D.col_step;
      P d[MO];
      CTNN_UNROLL for (int m = 0; m < MO; ++m) {
        d[m] = ploadu<P>(dp + m * PS);
        keep_in_register(d[m]);  // used by NT FMAs: loaded once (1.02x, simd.hpp)
      }
      CTNN_UNROLL for (int n = 0; n < NT; ++n) {
        const P xv = pset1<P>(xp[D.taps.offset(T0 + n)]);
        CTNN_UNROLL for (int m = 0; m < MO; ++m) acc[n][m] = pmadd(d[m], xv, acc[n][m]);
      }
    }
  }
  CTNN_UNROLL for (int n = 0; n < NT; ++n) {
    CTNN_UNROLL for (int m = 0; m < MO; ++m) pstoreu(dw + (T0 + n) * outs + m * PS, acc[n][m]);
  }
}

/// One sample's weight gradient for Out output channels (a whole number of packets, or of
/// half packets: packet_dividing_t): dw(o, t) (dw[o + t outs]) += sum over positions of
/// dyt(pos, o) (dyt[pos outs + o], the output gradient transposed) times x(t + pos), x pointing
/// at the group's first padded input. Vectorised over output channels, so that a position's
/// contribution is an outer product and nothing is summed across lanes; tiles of up to 2
/// packets of channels by as many taps as leave registers for the loads (at most 16: fully
/// unrolled), every tile at compile-time offsets.
template <wgrad_plan D, int Out, class S>
void direct_weight_grad(const S* x, const S* dyt, S* dw) {
  using P = packet_dividing_t<S, Out>;
  constexpr int PS = packet_dividing_size<S, Out>;
  static_assert(PS > 1 && Out % PS == 0, "ctnn: direct_weight_grad needs whole packets of output channels");
  constexpr int NPk = Out / PS, taps = D.taps.taps();
  constexpr int MO = std::min(NPk, 2);
  const auto block = [&]<int M>(int o) {
    constexpr int NT = std::min({taps, 16, (simd_registers - M - 4) / M});  // 16: CTNN_UNROLL's reach
    [&]<int... I>(std::integer_sequence<int, I...>) {
      (direct_wgrad_tile<D, M, I * NT, std::min(NT, taps - I * NT), P>(x, dyt + o, dw + o), ...);
    }(std::make_integer_sequence<int, (taps + NT - 1) / NT>{});
  };
  int o = 0;
  for (; o + MO * PS <= Out; o += MO * PS) block.template operator()<MO>(o);
  if constexpr (NPk % MO != 0) block.template operator()<NPk % MO>(o);
}

}  // namespace ctnn::detail

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
