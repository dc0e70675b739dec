/// @file Defines the recurrent layers ctnn::RNN, ctnn::GRU and ctnn::LSTM (torch.nn.RNN, GRU,
/// LSTM with batch_first=True), their options ctnn::RNNOptions, and ctnn::LastStep
/// (`out[:, -1, :]`, for sequence classifiers).
///
/// Two modes on one set of parameters:
/// - sequence mode (training, batch inference): a sample is (T, In), row-major (time step t is
///   elements t*In ... t*In + In - 1); forward returns the whole output sequence (T, D*Hidden),
///   PyTorch's `output, _ = rnn(x)`; backward is backpropagation through time over the sequence.
///   Forward keeps what backward needs (gates, states) in members whose rows are fixed at
///   compile time and whose columns (T*B) grow once per batch size.
/// - streaming mode (real time, unidirectional only): `step(x)` takes x of In x n, n
///   consecutive time steps of one stream, and returns Hidden x n; the hidden (and cell) state
///   of every layer is carried across calls, in fixed-size members, and `reset_state()` zeroes
///   it. Nothing is allocated for a fixed n, nothing is thrown.
/// The state is no parameter and no buffer: not in the state_dict, as in PyTorch.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/core/error.hpp"
#include "ctnn/core/layer.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/constexpr_string.hpp"
#include "ctnn/detail/eigen.hpp"
#include "ctnn/detail/rational.hpp"
#include "ctnn/detail/reshape.hpp"
#include "ctnn/detail/simd.hpp"
#include "ctnn/init/generator.hpp"

namespace ctnn {

/// torch.nn.RNN's nonlinearity.
enum class Nonlinearity { tanh, relu };

/// The compile-time keyword arguments of torch.nn.RNN / GRU / LSTM, PyTorch's defaults.
/// batch_first is always True in ctnn (a sample is (T, In)); dropout between layers and
/// proj_size are not supported.
struct RNNOptions {
  int num_layers = 1;
  bool bias = true;
  bool bidirectional = false;
  Nonlinearity nonlinearity = Nonlinearity::tanh;  ///< RNN only
  friend constexpr bool operator==(const RNNOptions&, const RNNOptions&) = default;
};

namespace detail {

enum class CellKind { rnn, gru, lstm };

/// Gates per cell: RNN 1, GRU 3 (r, z, n), LSTM 4 (i, f, g, o), PyTorch's order.
constexpr int gate_count(CellKind k) { return k == CellKind::rnn ? 1 : k == CellKind::gru ? 3 : 4; }

template <CellKind K>
constexpr std::string_view cell_name() {
  return K == CellKind::rnn ? "RNN" : K == CellKind::gru ? "GRU" : "LSTM";
}

/// x as an elements x cols matrix of its bytes (x contiguous, column-major).
template <class S, int R>
using ConstColumns = Eigen::Map<const Eigen::Matrix<S, R, Eigen::Dynamic>>;

/// Time step t of a (rows x T*B) sequence matrix whose column j*T + t is sample j at time t:
/// rows x B, every T-th column.
template <class M>
auto at_time(M& m, Eigen::Index t, Eigen::Index T, Eigen::Index B) {
  using S = typename std::remove_const_t<M>::Scalar;
  constexpr int R = std::remove_const_t<M>::RowsAtCompileTime;
  using Target = std::conditional_t<std::is_const_v<M>, const Eigen::Matrix<S, R, Eigen::Dynamic>,
                                    Eigen::Matrix<S, R, Eigen::Dynamic>>;
  return Eigen::Map<Target, 0, Eigen::OuterStride<>>(m.data() + t * m.rows(), m.rows(), B,
                                                      Eigen::OuterStride<>(m.rows() * T));
}

/// One register tile of recurrent_product: RB rows x NC columns of dst, accumulated over W's K
/// columns in NC * RB / packet registers.
template <int RB, int NC, class Dst, class Wt, class Src>
void recurrent_tile(Dst& dst, const Wt& w, const Src& src, Eigen::Index i0, Eigen::Index j0) {
  using S = typename Wt::Scalar;
  Eigen::Matrix<S, RB, NC> acc = dst.template block<RB, NC>(i0, j0);
  for (Eigen::Index k = 0; k < Wt::ColsAtCompileTime; ++k) {
    const Eigen::Matrix<S, RB, 1> wk = w.template block<RB, 1>(i0, k);
    for (int c = 0; c < NC; ++c) acc.col(c) += wk * src(k, j0 + c);
  }
  dst.template block<RB, NC>(i0, j0) = acc;
}

/// dst += W * src for the recurrence's per-step products (W fixed-size and column-major, (G*H)
/// x H or H x (G*H); src a few columns, the batch). Why not Eigen's product: at these sizes
/// its GEMM repacks W at every step and every call; tiles of one packet of rows times 8
/// columns, accumulated in registers straight from W and src, took 0.6x its time (192 x 64
/// times 64 x 16, AVX-512). Rows that are no multiple of the packet go to Eigen's product.
template <class Dst, class Wt, class Src>
void recurrent_product(Dst& dst, const Wt& w, const Src& src) {
  using S = typename Wt::Scalar;
  constexpr int R = Wt::RowsAtCompileTime;
  constexpr int P = detail::packet_size<S>;
  constexpr int NC = 8;
  if constexpr (R % P != 0 || P == 1) {
    dst.noalias() += w * src;
  } else {
    const Eigen::Index n = src.cols();
    for (Eigen::Index i0 = 0; i0 < R; i0 += P) {
      Eigen::Index j0 = 0;
      for (; j0 + NC <= n; j0 += NC) recurrent_tile<P, NC>(dst, w, src, i0, j0);
      for (; j0 + NC / 2 <= n; j0 += NC / 2) recurrent_tile<P, NC / 2>(dst, w, src, i0, j0);
      for (; j0 < n; ++j0) recurrent_tile<P, 1>(dst, w, src, i0, j0);
    }
  }
}

/// How many of a sequence's T*B columns one product may take so that Eigen's GEMM packs its
/// operands on the stack: a packed block holds at most (columns taken) x (the other operand's
/// rows) scalars, and past EIGEN_STACK_ALLOCATION_LIMIT (128 KiB) Eigen takes it from the heap.
template <class S>
constexpr Eigen::Index stack_columns(Eigen::Index rows) {
  rows = (rows + 63) / 64 * 64;  // Eigen rounds its blocks up to its register tiles
  const Eigen::Index n = EIGEN_STACK_ALLOCATION_LIMIT / (static_cast<Eigen::Index>(sizeof(S)) * rows);
  return n >= 16 ? n / 16 * 16 : n > 0 ? n : 1;
}

/// dst += a * b^T, a and b over the same T*B columns (a parameter's gradient summed over every
/// step and sample), in chunks of columns so that a training step allocates nothing (a depth
/// of T*B = 512 packs 192 x 512 floats, 384 KiB, on the heap twice per call).
template <class Dst, class A, class Bm>
void add_outer_products(Dst& dst, const A& a, const Bm& b) {
  using S = typename Dst::Scalar;
  const Eigen::Index n = a.cols(), chunk = stack_columns<S>(std::max(dst.rows(), dst.cols()));
  for (Eigen::Index j = 0; j < n; j += chunk) {
    const Eigen::Index c = std::min(chunk, n - j);
    dst.noalias() += a.middleCols(j, c) * b.middleCols(j, c).transpose();
  }
}

/// dst = w * x (Add: dst += w * x) over the T*B columns of x, in chunks of columns for the same
/// reason (x's packed block holds (w's columns) x (columns taken) scalars). w is packed whole:
/// a weight over 128 KiB (e.g. 512 x 256 floats) still has its packed copy on the heap.
template <bool Add, class Dst, class Wm, class Xm>
void product_over_columns(Dst& dst, const Wm& w, const Xm& x) {
  using S = typename Dst::Scalar;
  const Eigen::Index n = x.cols(), chunk = stack_columns<S>(std::max(w.rows(), w.cols()));
  for (Eigen::Index j = 0; j < n; j += chunk) {
    const Eigen::Index c = std::min(chunk, n - j);
    if constexpr (Add) {
      dst.middleCols(j, c).noalias() += w * x.middleCols(j, c);
    } else {
      dst.middleCols(j, c).noalias() = w * x.middleCols(j, c);
    }
  }
}

/// The logistic function of an Eigen array expression, 1 / (1 + exp(-x)) elementwise through
/// Eigen's vectorised exp (a scalar std::exp per element costs the sequence path several %).
template <class A>
auto sigmoid(const Eigen::ArrayBase<A>& a) {
  return (typename A::Scalar(1) + (-a).exp()).inverse();
}

template <CellKind K, int In, int Hidden, RNNOptions O, class Scalar, int T>
struct Recurrent;

}  // namespace detail

/// torch.nn.RNN(In, Hidden, num_layers, nonlinearity, bias, batch_first=True, bidirectional):
/// h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act tanh or relu.
template <int In, int Hidden, RNNOptions O = RNNOptions{}, class Scalar = float>
using RNN = detail::Recurrent<detail::CellKind::rnn, In, Hidden, O, Scalar, 0>;

/// torch.nn.GRU(In, Hidden, ..., batch_first=True): gates r, z, n;
/// n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.
template <int In, int Hidden, RNNOptions O = RNNOptions{}, class Scalar = float>
using GRU = detail::Recurrent<detail::CellKind::gru, In, Hidden, O, Scalar, 0>;

/// torch.nn.LSTM(In, Hidden, ..., batch_first=True): gates i, f, g, o;
/// c' = f * c + i * g, h' = o * tanh(c').
template <int In, int Hidden, RNNOptions O = RNNOptions{}, class Scalar = float>
using LSTM = detail::Recurrent<detail::CellKind::lstm, In, Hidden, O, Scalar, 0>;

namespace detail {

/// The recurrent layer of cell K; T is the sequence length once a Sequential has bound it
/// (0: not known yet; forward then takes it from the input's rows).
template <CellKind K, int In, int Hidden, RNNOptions O, class Scalar, int T>
struct Recurrent {
  static_assert(In > 0 && Hidden > 0, "ctnn::RNN/GRU/LSTM<In, Hidden>: In and Hidden must be positive");
  // Fix: num_layers counts stacked layers, at least one.
  static_assert(O.num_layers >= 1, "ctnn::RNN/GRU/LSTM: RNNOptions::num_layers must be at least 1");
  // Fix: GRU and LSTM have fixed nonlinearities; only ctnn::RNN takes Nonlinearity::relu.
  static_assert(K == CellKind::rnn || O.nonlinearity == Nonlinearity::tanh,
                "ctnn::GRU/LSTM: RNNOptions::nonlinearity is an option of ctnn::RNN only (GRU and LSTM "
                "have fixed nonlinearities, as in PyTorch)");

  static constexpr int L = O.num_layers;
  static constexpr int D = O.bidirectional ? 2 : 1;
  static constexpr int H = Hidden;
  static constexpr int G = gate_count(K);
  static constexpr int GH = G * H;
  static constexpr int DH = D * H;
  static constexpr bool Bias = O.bias;
  static constexpr bool relu = O.nonlinearity == Nonlinearity::relu;

  // shape rule: (T, In) -> (T, D * Hidden)
  static constexpr int in_features = T > 0 ? T * In : any;
  static constexpr int out_features = T > 0 ? T * DH : any;
  static constexpr bool accepts(Shape s) { return s.known() && s.rank == 2 && s[1] == In && (T == 0 || s[0] == T); }
  static constexpr Shape output_shape(Shape s) { return Shape(s.known() && s.rank == 2 ? s[0] : (T > 0 ? T : 1), DH); }
  static constexpr Shape expected_input(Shape s) {
    return Shape(T > 0 ? T : (s.known() && s.rank == 2 ? s[0] : 1), In);
  }
  template <Shape S>
  using bind = std::conditional_t<S.known() && S.rank == 2, Recurrent<K, In, Hidden, O, Scalar, (S.rank == 2 ? S[0] : 0)>,
                                  Recurrent>;

  using scalar_type = Scalar;
  template <class S2>
  using with_scalar = Recurrent<K, In, Hidden, O, S2, T>;
  static constexpr std::string_view repr_name = cell_name<K>();
  /// The fingerprint's arguments, as extra_repr (and RNN's nonlinearity): not the parameters
  /// the type lists as its children.
  template <class A>
  static constexpr void describe(A& args) {
    args.arg(In);
    args.arg(Hidden);
    if (L != 1) args.arg("num_layers", L);
    if (!Bias) args.arg("bias", "False");
    if (O.bidirectional) args.arg("bidirectional", "True");
    if (relu) args.arg("nonlinearity", "relu");
  }

  // streaming protocol (SPEC, issue 13)
  static constexpr int step_in_features = In;
  static constexpr int step_out_features = H;
  /// Bytes of state carried between step calls: h (and c) of every layer.
  static constexpr long long state_bytes = static_cast<long long>(L) * H * (K == CellKind::lstm ? 2 : 1) * sizeof(Scalar);

  // ---- parameters, PyTorch's names and state_dict order --------------------------------------
  using WihFirst = Parameter<Scalar, GH, In, 2>;
  using WihRest = Parameter<Scalar, GH, DH, 2>;
  using Whh = Parameter<Scalar, GH, H, 2>;
  using BiasP = OptionalParameter<Bias, Scalar, GH>;

  std::array<WihFirst, D> weight_ih_first;           ///< weight_ih_l0[_reverse]: (G*H, In)
  std::array<WihRest, (L - 1) * D> weight_ih_rest;   ///< weight_ih_l{1..}[_reverse]: (G*H, D*H)
  std::array<Whh, L * D> weight_hh;                  ///< weight_hh_l{l}[_reverse]: (G*H, H)
  std::array<BiasP, L * D> bias_ih;                  ///< bias_ih_l{l}[_reverse]: (G*H)
  std::array<BiasP, L * D> bias_hh;                  ///< bias_hh_l{l}[_reverse]: (G*H)

 private:
  template <std::size_t Kx>
  using children_of = std::conditional_t<Bias, std::tuple<std::conditional_t<(Kx < D), WihFirst, WihRest>, Whh, BiasP, BiasP>,
                                         std::tuple<std::conditional_t<(Kx < D), WihFirst, WihRest>, Whh>>;
  template <std::size_t... Ks>
  static auto all_children(std::index_sequence<Ks...>) -> decltype(std::tuple_cat(std::declval<children_of<Ks>>()...));

 public:
  /// The parameters in state_dict order: for each layer, for each direction, weight_ih,
  /// weight_hh, bias_ih, bias_hh (as PyTorch's _flat_weights_names).
  using child_types = decltype(all_children(std::make_index_sequence<L * D>{}));

  /// The children's state_dict names, at compile time (the type-level walks and ctnn-embed
  /// find a parameter by them): weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0,
  /// weight_ih_l0_reverse, ...
  static constexpr auto child_names = [] {
    std::array<detail::short_name, std::tuple_size_v<child_types>> names{};
    std::size_t i = 0;
    for (int l = 0; l < L; ++l) {
      for (int d = 0; d < D; ++d) {
        for (std::string_view what : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
          if (!Bias && what.starts_with("bias")) continue;
          detail::short_name& n = names[i++];
          const auto put = [&](std::string_view part) {
            for (char c : part) n.chars[n.len++] = c;
          };
          put(what);
          put("_l");
          put(detail::decimal(l).view());
          if (d == 1) put("_reverse");
        }
      }
    }
    return names;
  }();

  template <class F>
  void for_each_child(F&& f) {
    for_each_child_impl(*this, f);
  }
  template <class F>
  void for_each_child(F&& f) const {
    for_each_child_impl(*this, f);
  }

  Recurrent() { reset_parameters(default_generator()); }
  explicit Recurrent(skip_init_t) {}

  /// PyTorch's reset_parameters: U(-1/sqrt(H), 1/sqrt(H)) for every parameter, in order.
  void reset_parameters(Generator& gen) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(H));
    for_each_child([&](std::string_view, auto& p) {
      for (Eigen::Index i = 0; i < p.value.size(); ++i) p.value.data()[i] = static_cast<Scalar>(gen.uniform(-bound, bound));
    });
  }

  // ---- initial and final states (sequence mode) ----------------------------------------------

  /// h0 for the next forwards: (L*D*H) x B, column j is PyTorch's h0[:, j, :] (layer-major,
  /// then direction). Until clear_initial_state() it is used by every forward with B samples
  /// (another batch size is a run-time error). No gradient flows into it.
  template <class H0>
  void set_initial_state(const Eigen::MatrixBase<H0>& h0) {
    static_assert(K != CellKind::lstm, "ctnn::LSTM::set_initial_state takes (h0, c0)");
    if (h0.rows() != L * DH) fail("ctnn::RNN/GRU::set_initial_state: h0 needs ", L * DH, " rows, got ", h0.rows());
    h0_ = h0;
  }
  /// LSTM: h0 and c0, both (L*D*H) x B.
  template <class H0, class C0>
  void set_initial_state(const Eigen::MatrixBase<H0>& h0, const Eigen::MatrixBase<C0>& c0) {
    static_assert(K == CellKind::lstm, "ctnn::RNN/GRU::set_initial_state takes h0 only");
    if (h0.rows() != L * DH || c0.rows() != L * DH || h0.cols() != c0.cols())
      fail("ctnn::LSTM::set_initial_state: h0 and c0 need ", L * DH, " rows and equal columns");
    h0_ = h0;
    c0_ = c0;
  }
  /// Back to zero initial states.
  void clear_initial_state() {
    h0_.resize(L * DH, 0);
    c0_.resize(L * DH, 0);
  }
  /// h_n of the last forward: (L*D*H) x B, PyTorch's h_n with batch in the columns.
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& final_hidden() const { return work_.hT; }
  /// c_n of the last forward (LSTM).
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& final_cell() const
    requires(K == CellKind::lstm)
  {
    return work_.cT;
  }

  // ---- forward (sequence mode) ---------------------------------------------------------------

  /// Steps per sample for an input of R rows (Dynamic: known at run time).
  static constexpr int steps_of(int R) { return T > 0 ? T : (R == Eigen::Dynamic ? Eigen::Dynamic : R / In); }
  static constexpr int rows_out(int R) { return steps_of(R) == Eigen::Dynamic ? Eigen::Dynamic : steps_of(R) * DH; }

  template <class X>
  Matrix<Scalar, rows_out(X::RowsAtCompileTime), X::ColsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) {
    check_input<X>();
    Matrix<Scalar, rows_out(X::RowsAtCompileTime), X::ColsAtCompileTime> y(x.rows() / In * DH, x.cols());
    run(x, y, work_);
    return y;
  }
  template <class X, class Y>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y) {
    check_input<X>();
    run(x, y, work_);
  }
  template <class X>
  auto operator()(const Eigen::MatrixBase<X>& x) {
    return forward(x);
  }
  /// The same output without keeping anything for backward (const: no member changes).
  template <class X>
  Matrix<Scalar, rows_out(X::RowsAtCompileTime), X::ColsAtCompileTime> infer(const Eigen::MatrixBase<X>& x) const {
    check_input<X>();
    Matrix<Scalar, rows_out(X::RowsAtCompileTime), X::ColsAtCompileTime> y(x.rows() / In * DH, x.cols());
    Work w;
    run(x, y, w);
    return y;
  }

  // ---- backward: backpropagation through time ------------------------------------------------

  /// Given the last forward's x and dLoss/dy ((T*D*H) x B), adds every parameter's gradient
  /// and returns dLoss/dx. y is not needed: forward kept the gates and states.
  template <class X, class Y, class Gr>
  Matrix<Scalar, X::RowsAtCompileTime == Eigen::Dynamic ? Eigen::Dynamic : X::RowsAtCompileTime, Gr::ColsAtCompileTime>
  backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&, const Eigen::MatrixBase<Gr>& dy) {
    constexpr int XR = X::RowsAtCompileTime == Eigen::Dynamic ? Eigen::Dynamic : X::RowsAtCompileTime;
    Matrix<Scalar, XR, Gr::ColsAtCompileTime> dx(x.rows(), dy.cols());
    backprop(x, dy, &dx);
    return dx;
  }
  template <class X, class Y, class Gr>
  void backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&, const Eigen::MatrixBase<Gr>& dy,
                parameters_only_t) {
    backprop(x, dy, static_cast<Matrix<Scalar, 1, 1>*>(nullptr));
  }

  // ---- streaming -------------------------------------------------------------------------------

  /// n consecutive time steps of one stream: x is In x n, returns Hidden x n (the last layer's
  /// h at each step); the state carries over to the next call.
  template <class X>
  Matrix<Scalar, H, X::ColsAtCompileTime> step(const Eigen::MatrixBase<X>& x) {
    // Fix: a bidirectional layer needs the whole sequence (its reverse direction starts at the end).
    static_assert(!O.bidirectional,
                  "ctnn::RNN/GRU/LSTM::step: a bidirectional layer cannot stream (its reverse direction reads the "
                  "sequence from its end); use sequence mode (forward) or bidirectional = false");
    static_assert(X::RowsAtCompileTime == In || X::RowsAtCompileTime == Eigen::Dynamic,
                  "ctnn::RNN/GRU/LSTM::step: x must have In rows (one column per time step)");
    constexpr int N = X::ColsAtCompileTime;
    Matrix<Scalar, H, N> out(H, x.cols());
    step_layer(0, weight_ih_first[0].value, x.derived(), out);
    for (int l = 1; l < L; ++l) step_layer(l, weight_ih_rest[static_cast<std::size_t>(l - 1)].value, out, out);
    return out;
  }
  /// Zeroes the carried state (h, and c for LSTM, of every layer).
  void reset_state() {
    for (auto& h : h_state_) h.setZero();
    for (auto& c : c_state_) c.setZero();
    reverse_.fill(false);
  }

  // ---- summary and print -----------------------------------------------------------------------

  /// FLOPs of one sample (T, In): per step and layer-direction, the two products and the gates.
  static constexpr long long flops(Shape in) {
    const long long steps = in.known() && in.rank == 2 ? in[0] : (T > 0 ? T : 1);
    const long long per_gate_elem = K == CellKind::rnn ? 2 : K == CellKind::gru ? 6 : 7;
    long long per_step = 0;
    for (int l = 0; l < L; ++l) {
      const long long inw = l == 0 ? In : DH;
      per_step += D * (2LL * GH * inw + 2LL * GH * H + (Bias ? 2LL * GH : 0) + per_gate_elem * H);
    }
    return steps * per_step;
  }

  /// PyTorch's extra_repr, as the issue and PyTorch users write the module: `GRU(1, 8)`. A
  /// ctnn sample (T, In) is PyTorch's unbatched input, the same for either batch_first, so
  /// batch_first is not printed. PyTorch 1.13 does not print RNN's nonlinearity.
  std::string extra_repr() const {
    std::string s = std::to_string(In) + ", " + std::to_string(Hidden);
    if (L != 1) s += ", num_layers=" + std::to_string(L);
    if (!Bias) s += ", bias=False";
    if (O.bidirectional) s += ", bidirectional=True";
    return s;
  }

 private:
  template <class Self, class F>
  static void for_each_child_impl(Self& self, F& f) {
    std::size_t i = 0;  // child_names' order is this walk's
    for (int l = 0; l < L; ++l) {
      for (int d = 0; d < D; ++d) {
        const auto k = static_cast<std::size_t>(l * D + d);
        if (l == 0) {
          f(child_names[i++].view(), self.weight_ih_first[static_cast<std::size_t>(d)]);
        } else {
          f(child_names[i++].view(), self.weight_ih_rest[k - D]);
        }
        f(child_names[i++].view(), self.weight_hh[k]);
        if constexpr (Bias) {
          f(child_names[i++].view(), self.bias_ih[k]);
          f(child_names[i++].view(), self.bias_hh[k]);
        }
      }
    }
  }

  template <class X>
  static constexpr void check_input() {
    constexpr int R = X::RowsAtCompileTime;
    static_assert(R == Eigen::Dynamic || (R % In == 0 && (T == 0 || R == T * In)),
                  "ctnn::RNN/GRU/LSTM::forward: x must have T * In rows (a (T, In) sample per column)");
  }

  using Seq = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  template <int R>
  using Rows = Eigen::Matrix<Scalar, R, Eigen::Dynamic>;

  /// What a forward keeps for backward, per layer l and direction d (k = l*D + d); column
  /// j*T + t is sample j at time t.
  struct Work {
    std::array<Rows<DH>, L> out;       ///< each layer's output sequence
    std::array<Rows<GH>, L * D> gates; ///< gate activations (RNN: h itself)
    std::array<Rows<H>, L * D> hprev;  ///< h_{t-1} seen at step t
    std::array<Rows<H>, L * D> aux;    ///< GRU: W_hn h + b_hn; LSTM: c_t
    std::array<Rows<H>, L * D> cprev;  ///< LSTM: c_{t-1}
    Seq hT, cT;                        ///< final states, (L*D*H) x B
    Rows<GH> hh;                       ///< W_hh h + b_hh at one step, GH x B
    Rows<H> h, c;                      ///< running state, H x B
    // backward
    Rows<GH> dA;                       ///< gate pre-activation gradients (input side)
    Rows<H> whhT;                      ///< W_hh^T, H x G*H
    Rows<GH> dAh;                      ///< GRU: gradients of W_hh h + b_hh (n's: times r)
    Rows<DH> dOut, dMid;
    Rows<In> dIn;
    Rows<H> dh, dc, tmp;
    Eigen::Index steps = 0, B = 0;
  };

  template <class X, class Y>
  void run(const Eigen::MatrixBase<X>& x, Y&& y, Work& w) const {
    const Eigen::Index B = x.cols();
    const Eigen::Index steps = x.rows() / In;
    if (x.rows() % In != 0) fail("ctnn::RNN/GRU/LSTM::forward: x has ", x.rows(), " rows, not a multiple of ", In);
    const Eigen::Index TB = steps * B;
    w.steps = steps;
    w.B = B;
    decltype(auto) xc = contiguous(x);
    ConstColumns<Scalar, In> X0(xc.data(), In, TB);
    w.hT.resize(L * DH, B);
    if constexpr (K == CellKind::lstm) w.cT.resize(L * DH, B);
    w.hh.resize(GH, B);
    w.h.resize(H, B);
    w.c.resize(H, B);
    const bool given = h0_.cols() > 0;
    if (given && h0_.cols() != B) fail("ctnn::RNN/GRU/LSTM::forward: the initial state has ", h0_.cols(), " columns, the batch ", B);
    for (int l = 0; l < L; ++l) {
      w.out[static_cast<std::size_t>(l)].resize(DH, TB);
      for (int d = 0; d < D; ++d) {
        if (l == 0) {
          forward_layer(w, l, d, weight_ih_first[static_cast<std::size_t>(d)].value, X0, given);
        } else {
          forward_layer(w, l, d, weight_ih_rest[static_cast<std::size_t>((l - 1) * D + d)].value,
                        w.out[static_cast<std::size_t>(l - 1)], given);
        }
      }
    }
    // y: the last layer's output sequence, same bytes
    auto& last = w.out[static_cast<std::size_t>(L - 1)];
    Eigen::Map<Rows<DH>>(y.derived().data(), DH, TB) = last;
  }

  template <class W, class XM>
  void forward_layer(Work& w, int l, int d, const W& wih, const XM& Xin, bool given) const {
    const auto k = static_cast<std::size_t>(l * D + d);
    const Eigen::Index TT = w.steps, B = w.B, TB = TT * B;
    auto& gates = w.gates[k];
    auto& hprev = w.hprev[k];
    auto& aux = w.aux[k];
    gates.resize(GH, TB);
    hprev.resize(H, TB);
    if constexpr (K != CellKind::rnn) aux.resize(H, TB);
    if constexpr (K == CellKind::lstm) w.cprev[k].resize(H, TB);
    // input projection of every step and sample as one product
    product_over_columns<false>(gates, wih, Xin);
    if constexpr (Bias) gates.colwise() += bias_ih[k].value;
    const Eigen::Map<const Eigen::Matrix<Scalar, GH, H>> whh(weight_hh[k].value.data());
    if (given) {
      w.h = h0_.middleRows(static_cast<Eigen::Index>(k) * H, H);
      if constexpr (K == CellKind::lstm) w.c = c0_.middleRows(static_cast<Eigen::Index>(k) * H, H);
    } else {
      w.h.setZero();
      w.c.setZero();
    }
    auto& out = w.out[static_cast<std::size_t>(l)];
    for (Eigen::Index s = 0; s < TT; ++s) {
      const Eigen::Index t = d == 0 ? s : TT - 1 - s;
      at_time(hprev, t, TT, B) = w.h;
      if constexpr (Bias) {
        w.hh.colwise() = bias_hh[k].value;
      } else {
        w.hh.setZero();
      }
      recurrent_product(w.hh, whh, w.h);
      auto a = at_time(gates, t, TT, B);
      if constexpr (K == CellKind::rnn) {
        if constexpr (relu) {
          a = (a + w.hh).cwiseMax(Scalar(0));
        } else {
          a = (a + w.hh).array().tanh().matrix();
        }
        w.h = a;
      } else if constexpr (K == CellKind::gru) {
        a.template topRows<2 * H>() = sigmoid((a.template topRows<2 * H>() + w.hh.template topRows<2 * H>()).array()).matrix();
        at_time(aux, t, TT, B) = w.hh.template bottomRows<H>();
        a.template bottomRows<H>() =
            (a.template bottomRows<H>().array() + a.template topRows<H>().array() * w.hh.template bottomRows<H>().array()).tanh().matrix();
        // h' = n + z * (h - n)
        w.h = (a.template bottomRows<H>().array() + a.template middleRows<H>(H).array() * (w.h - a.template bottomRows<H>()).array()).matrix();
      } else {
        a += w.hh;
        a.template topRows<2 * H>() = sigmoid(a.template topRows<2 * H>().array()).matrix();
        a.template middleRows<H>(2 * H) = a.template middleRows<H>(2 * H).array().tanh().matrix();
        a.template bottomRows<H>() = sigmoid(a.template bottomRows<H>().array()).matrix();
        at_time(w.cprev[k], t, TT, B) = w.c;
        w.c = (a.template middleRows<H>(H).array() * w.c.array() + a.template topRows<H>().array() * a.template middleRows<H>(2 * H).array()).matrix();
        at_time(aux, t, TT, B) = w.c;
        w.h = (a.template bottomRows<H>().array() * w.c.array().tanh()).matrix();
      }
      at_time(out, t, TT, B).template middleRows<H>(d * H) = w.h;
    }
    w.hT.middleRows(static_cast<Eigen::Index>(k) * H, H) = w.h;
    if constexpr (K == CellKind::lstm) w.cT.middleRows(static_cast<Eigen::Index>(k) * H, H) = w.c;
  }

  template <class X, class Gr, class DX>
  void backprop(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Gr>& dy, DX* dx) {
    Work& w = work_;
    const Eigen::Index TT = w.steps, B = w.B, TB = TT * B;
    if (TB == 0 || x.cols() != B || dy.cols() != B || x.rows() != TT * In || dy.rows() != TT * DH)
      fail("ctnn::RNN/GRU/LSTM::backward: x and the gradient must be those of the last forward (", TT * In, " and ",
           TT * DH, " rows, ", B, " columns)");
    decltype(auto) xc = contiguous(x);
    ConstColumns<Scalar, In> X0(xc.data(), In, TB);
    decltype(auto) dyc = contiguous(dy);
    w.dOut = Eigen::Map<const Rows<DH>>(dyc.data(), DH, TB);
    for (int l = L - 1; l >= 0; --l) {
      const bool need_input_grad = l > 0 || dx != nullptr;
      if (l > 0) {
        w.dMid.setZero(DH, TB);
      } else if (dx != nullptr) {
        w.dIn.setZero(In, TB);
      }
      for (int d = 0; d < D; ++d) {
        const auto k = static_cast<std::size_t>(l * D + d);
        if (l == 0) {
          backward_layer(w, l, d, weight_ih_first[static_cast<std::size_t>(d)], X0, w.dIn, need_input_grad);
        } else {
          backward_layer(w, l, d, weight_ih_rest[k - D], w.out[static_cast<std::size_t>(l - 1)], w.dMid, need_input_grad);
        }
      }
      if (l > 0) w.dOut.swap(w.dMid);
    }
    if (dx != nullptr) *dx = Eigen::Map<const typename DX::PlainObject>(w.dIn.data(), dx->rows(), dx->cols());
  }

  /// The gradient of W_hh h + b_hh over all steps: the input side's, except GRU's n rows
  /// (W_hn h + b_hn is multiplied by r).
  static const Rows<GH>& hidden_side_gradient(const Work& w) {
    if constexpr (K == CellKind::gru) {
      return w.dAh;
    } else {
      return w.dA;
    }
  }

  template <class WP, class XM, class DXM>
  void backward_layer(Work& w, int l, int d, WP& wih, const XM& Xin, DXM& dXin, bool need_input_grad) {
    const auto k = static_cast<std::size_t>(l * D + d);
    const Eigen::Index TT = w.steps, B = w.B, TB = TT * B;
    (void)l;
    const auto& gates = w.gates[k];
    const auto& hprev = w.hprev[k];
    const auto& aux = w.aux[k];
    // W_hh^T once per call, column-major, for the per-step products
    w.whhT = weight_hh[k].value.transpose();
    const Eigen::Map<const Eigen::Matrix<Scalar, H, GH>> whhT(w.whhT.data());
    w.dA.resize(GH, TB);
    if constexpr (K == CellKind::gru) w.dAh.resize(GH, TB);
    w.dh.setZero(H, B);
    w.dc.setZero(H, B);
    for (Eigen::Index s = 0; s < TT; ++s) {
      const Eigen::Index t = d == 0 ? TT - 1 - s : s;  // the forward's steps, last first
      w.dh += at_time(w.dOut, t, TT, B).template middleRows<H>(d * H);
      const auto a = at_time(gates, t, TT, B);
      auto dA = at_time(w.dA, t, TT, B);
      const auto hp = at_time(hprev, t, TT, B);
      if constexpr (K == CellKind::rnn) {
        if constexpr (relu) {
          dA = (a.array() > Scalar(0)).select(w.dh, Scalar(0));
        } else {
          dA = (w.dh.array() * (Scalar(1) - a.array().square())).matrix();
        }
        w.dh.setZero();
        recurrent_product(w.dh, whhT, dA);
      } else if constexpr (K == CellKind::gru) {
        const auto r = a.template topRows<H>().array();
        const auto z = a.template middleRows<H>(H).array();
        const auto n = a.template bottomRows<H>().array();
        auto dAh = at_time(w.dAh, t, TT, B);
        // dn_pre, then the r and z pre-activations
        dA.template bottomRows<H>() = (w.dh.array() * (Scalar(1) - z) * (Scalar(1) - n.square())).matrix();
        dA.template topRows<H>() = (dA.template bottomRows<H>().array() * at_time(aux, t, TT, B).array() * r * (Scalar(1) - r)).matrix();
        dA.template middleRows<H>(H) = (w.dh.array() * (hp.array() - n) * z * (Scalar(1) - z)).matrix();
        // the hidden side: r and z as the input side, n's through r (W_hn h + b_hn is inside r's product)
        dAh.template topRows<2 * H>() = dA.template topRows<2 * H>();
        dAh.template bottomRows<H>() = (dA.template bottomRows<H>().array() * r).matrix();
        w.tmp = (w.dh.array() * z).matrix();
        recurrent_product(w.tmp, whhT, dAh);
        w.dh.swap(w.tmp);
      } else {
        const auto i = a.template topRows<H>().array();
        const auto f = a.template middleRows<H>(H).array();
        const auto g = a.template middleRows<H>(2 * H).array();
        const auto o = a.template bottomRows<H>().array();
        const auto tc = at_time(aux, t, TT, B).array().tanh();
        w.tmp = (w.dc.array() + w.dh.array() * o * (Scalar(1) - tc.square())).matrix();  // dc total
        dA.template bottomRows<H>() = (w.dh.array() * tc * o * (Scalar(1) - o)).matrix();
        dA.template topRows<H>() = (w.tmp.array() * g * i * (Scalar(1) - i)).matrix();
        dA.template middleRows<H>(H) = (w.tmp.array() * at_time(w.cprev[k], t, TT, B).array() * f * (Scalar(1) - f)).matrix();
        dA.template middleRows<H>(2 * H) = (w.tmp.array() * i * (Scalar(1) - g.square())).matrix();
        w.dc = (w.tmp.array() * f).matrix();
        w.dh.setZero();
        recurrent_product(w.dh, whhT, dA);
      }
    }
    // parameter gradients over all steps at once, as products over T*B columns, in chunks
    // that Eigen packs on the stack (detail::stack_product would too, but doubled the compile
    // time of every recurrent model's TU: one GEMM kernel per product shape)
    const auto& dAh = hidden_side_gradient(w);
    auto& whhp = weight_hh[k];
    if (whhp.requires_grad) add_outer_products(whhp.grad, dAh, hprev);
    if (wih.requires_grad) add_outer_products(wih.grad, w.dA, Xin);
    if constexpr (Bias) {
      if (bias_ih[k].requires_grad) bias_ih[k].grad += w.dA.rowwise().sum();
      if (bias_hh[k].requires_grad) bias_hh[k].grad += dAh.rowwise().sum();
    }
    if (need_input_grad) product_over_columns<true>(dXin, wih.value.transpose(), w.dA);
  }

  /// One layer over a block: the input projection of all n steps as one product, then the
  /// recurrence column by column, in fixed-size vectors. in and out may be the same matrix.
  /// The recurrent product and the gates are the whole cost of a one-sample step: see
  /// add_columns (the product) and the gate comments below.
  template <class W, class XIn, class Out>
  void step_layer(int l, const W& wih, const XIn& in, Out& out) {
    constexpr int N = std::remove_cvref_t<Out>::ColsAtCompileTime;
    const auto k = static_cast<std::size_t>(l);
    Matrix<Scalar, GH, N> gi(GH, in.cols());
    gi.noalias() = wih * in;
    // the terms that do not depend on h, per step: W_ih x + b_ih (+ b_hh where it is added to
    // the same sum); GRU's b_hn stays inside r's product
    Eigen::Matrix<Scalar, GH, 1> bsum;
    if constexpr (Bias) {
      bsum = bias_ih[k].value;
      if constexpr (K == CellKind::gru) {
        bsum.template head<2 * H>() += bias_hh[k].value.template head<2 * H>();
      } else {
        bsum += bias_hh[k].value;
      }
    } else {
      bsum.setZero();
    }
    const auto& whh = weight_hh[k].value;
    auto& h = h_state_[k];
    Eigen::Matrix<Scalar, GH, 1> a;
    for (Eigen::Index t = 0; t < in.cols(); ++t) {
      if constexpr (K == CellKind::gru) {
        // a = [W_ir x + b_ir + b_hr; W_iz x + b_iz + b_hz; b_hn] + W_hh h
        a.template head<2 * H>() = gi.col(t).template head<2 * H>() + bsum.template head<2 * H>();
        if constexpr (Bias) {
          a.template tail<H>() = bias_hh[k].value.template tail<H>();
        } else {
          a.template tail<H>().setZero();
        }
      } else {
        a = gi.col(t) + bsum;
      }
      add_columns<0, GH>(whh, h, a, next_direction(k));
      if constexpr (K == CellKind::rnn) {
        rnn_gates(a, h);
      } else if constexpr (K == CellKind::gru) {
        const Eigen::Matrix<Scalar, H, 1> xn = gi.col(t).template tail<H>() + bsum.template tail<H>();
        gru_gates(a.template head<2 * H>(), a.template tail<H>(), xn, h);
      } else {
        lstm_gates(a.template head<2 * H>(), a.template segment<H>(2 * H), a.template tail<H>(), h, c_state_[k]);
      }
      out.col(t) = h;
    }
  }

  // The gates of one step from their pre-activations. Flattened: GCC otherwise calls the
  // logistic and tanh kernels out of line, and at these sizes the calls and their spills cost
  // as much as the arithmetic. In float both are Eigen's rational functions (no exp) with their
  // polynomials in Estrin's form (detail/rational.hpp) where the gates fill at most 3 SIMD
  // packets: the next step's product waits on this chain, and Estrin's halves its dependent
  // multiply-adds (GRU-8's step 0.89-0.90x of Horner's, LSTM-8's 0.95). With more packets the
  // gates are bound by throughput, not latency, and Estrin's extra operations cost 2-5%
  // (LSTM-32, GRU-64, LSTM-64): there they stay Eigen's (docs/performance.md).
  static constexpr bool estrin_gates = GH <= 3 * detail::packet_size<Scalar>;
  using HVec = Eigen::Matrix<Scalar, H, 1>;
  [[gnu::flatten]] static void rnn_gates(const HVec& a, HVec& h) {
    if constexpr (relu) {
      h = a.array().max(Scalar(0)).matrix();
    } else {
      h = rational_tanh<estrin_gates>(a.array()).matrix();
    }
  }
  [[gnu::flatten]] static void gru_gates(const Eigen::Matrix<Scalar, 2 * H, 1>& rz_pre, const HVec& hn, const HVec& xn,
                                         HVec& h) {
    const Eigen::Array<Scalar, 2 * H, 1> rz = rational_logistic<estrin_gates>(rz_pre.array());
    const Eigen::Array<Scalar, H, 1> n = rational_tanh<estrin_gates>(xn.array() + rz.template head<H>() * hn.array());
    h = (n + rz.template tail<H>() * (h.array() - n)).matrix();
  }
  [[gnu::flatten]] static void lstm_gates(const Eigen::Matrix<Scalar, 2 * H, 1>& fi_pre, const HVec& g, const HVec& o,
                                          HVec& h, HVec& c) {
    const Eigen::Array<Scalar, 2 * H, 1> fi = rational_logistic<estrin_gates>(fi_pre.array());  // i then f
    c = (fi.template tail<H>() * c.array() + fi.template head<H>() * rational_tanh<estrin_gates>(g.array())).matrix();
    h = (rational_logistic<estrin_gates>(o.array()) * rational_tanh<estrin_gates>(c.array())).matrix();
  }

  /// The direction add_columns reads W_hh in at the next step of layer k: a W_hh larger than
  /// a typical L1 (32 KiB) is read first to last, then last to first, alternately, so that
  /// the columns read last are still cached for the next step.
  bool next_direction(std::size_t k) {
    constexpr bool large = static_cast<long long>(GH) * H * static_cast<long long>(sizeof(Scalar)) > 24 * 1024;
    if constexpr (large) {
      const bool r = reverse_[k];
      reverse_[k] = !r;
      return r;
    } else {
      return false;
    }
  }

  /// acc += rows [R0, R0 + R) of w times h, one step's recurrent product for one group of
  /// gates. Column by column, each column times one element of h, added into P partial sums,
  /// so that a short vector (one or two packets) still has several independent
  /// multiply-adds in flight, where a product's single chain per row would wait on each.
  template <int R0, int R, class Wm>
  [[gnu::always_inline, gnu::flatten]] static inline void add_columns(const Wm& w, const HVec& h,
                                                                      Eigen::Matrix<Scalar, R, 1>& acc, bool rev) {
    // about 8 independent chains of packets in flight (FMA latency 4, two per cycle)
    constexpr int PS = detail::packet_size<Scalar>;
    constexpr int chains = (R + PS - 1) / PS;
    // more packets than registers (LSTM-32, GRU-64, LSTM-64 with AVX2's 16): the rows in
    // blocks that stay in registers over all the columns, where the whole vector was loaded and
    // stored at every column; reversed, the blocks go last to first too, so that a step starts
    // with the weights the one before read last
    constexpr int budget = std::min(detail::simd_registers - 4, 16);
    if constexpr (PS > 1 && R % PS == 0 && R0 % PS == 0 && !Wm::IsRowMajor && chains > budget) {
      constexpr int blocks = (chains + budget - 1) / budget, per = (chains + blocks - 1) / blocks;
      const auto block = [&]<int B>() {
        add_columns_block<R0 + B * per * PS, std::min(per, chains - B * per)>(w, h, acc.data() + B * per * PS, rev);
      };
      [&]<int... B>(std::integer_sequence<int, B...>) {
        if (rev) {
          (block.template operator()<blocks - 1 - B>(), ...);
        } else {
          (block.template operator()<B>(), ...);
        }
      }(std::make_integer_sequence<int, blocks>{});
      return;
    }
    constexpr int P = chains >= 8 ? 1 : chains >= 4 ? 2 : chains >= 3 ? 3 : 4;
    auto run = [&](auto reversed) {
      auto col = [&](int j) {
        const int c = decltype(reversed)::value ? H - 1 - j : j;
        return w.col(c).template segment<R>(R0) * h(c);
      };
      if constexpr (P == 1) {
        for (int j = 0; j < H; ++j) acc.noalias() += col(j);
      } else {
        std::array<Eigen::Matrix<Scalar, R, 1>, P - 1> part;
        for (auto& v : part) v.setZero();
        for (int j0 = 0; j0 < H; j0 += P) {
          acc.noalias() += col(j0);
          for (int p = 1; p < P && j0 + p < H; ++p) part[static_cast<std::size_t>(p - 1)].noalias() += col(j0 + p);
        }
        for (const auto& v : part) acc += v;
      }
    };
    if (rev) {
      run(std::true_type{});
    } else {
      run(std::false_type{});
    }
  }

  /// acc[0, NPk packets) += rows [R0, R0 + NPk packets) of w times h, the accumulators in
  /// registers over all columns (add_columns' blocks).
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // packets as template arguments
#endif
  template <int R0, int NPk, class Wm>
  [[gnu::always_inline]] static inline void add_columns_block(const Wm& w, const HVec& h, Scalar* acc, bool rev) {
    using namespace Eigen::internal;
    using Pk = detail::packet_t<Scalar>;
    constexpr int PS = detail::packet_size<Scalar>;
    Pk a[NPk];
    CTNN_UNROLL for (int p = 0; p < NPk; ++p) a[p] = ploadu<Pk>(acc + p * PS);
    const Scalar* base = w.data() + R0;
    const int first = rev ? H - 1 : 0, dir = rev ? -1 : 1;
    for (int j = 0; j < H; ++j) {
      const int c = first + j * dir;
      const Pk hc = pset1<Pk>(h(c));
      const Scalar* col = base + static_cast<std::ptrdiff_t>(c) * w.outerStride();
      CTNN_UNROLL for (int p = 0; p < NPk; ++p) a[p] = pmadd(ploadu<Pk>(col + p * PS), hc, a[p]);
    }
    CTNN_UNROLL for (int p = 0; p < NPk; ++p) pstoreu(acc + p * PS, a[p]);
  }
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

  // sequence mode: what backward needs, and the optional initial state
  Work work_;
  Seq h0_ = Seq(L * DH, 0), c0_ = Seq(L * DH, 0);
  // streaming mode: the carried state, fixed size
  std::array<Eigen::Matrix<Scalar, H, 1>, L> h_state_ = zero_states();
  std::array<Eigen::Matrix<Scalar, H, 1>, L> c_state_ = zero_states();
  std::array<bool, L> reverse_{};  // add_columns' direction of the next step, per layer
  static std::array<Eigen::Matrix<Scalar, H, 1>, L> zero_states() {
    std::array<Eigen::Matrix<Scalar, H, 1>, L> a;
    for (auto& v : a) v.setZero();
    return a;
  }
};

}  // namespace detail

/// The last time step of (T, F) samples: y = the last F elements of each column, and
/// backward puts the gradient there (zero elsewhere). LastStep as a Sequential holds it.
template <int T, int F>
struct LastStepOf {
  static constexpr int in_features = T * F;
  static constexpr int out_features = F;
  static constexpr Shape in_shape = Shape(T, F);
  static constexpr bool accepts(Shape s) { return s == Shape(T, F); }
  static constexpr Shape output_shape(Shape) { return Shape(F); }
  static constexpr Shape expected_input(Shape) { return Shape(T, F); }
  static constexpr std::string_view repr_name = "LastStep";

  template <class X>
  Matrix<typename X::Scalar, F, X::ColsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    return x.bottomRows(F);
  }
  template <class X, class Y, class Gr>
  Matrix<typename Gr::Scalar, T * F, Gr::ColsAtCompileTime> backward(const Eigen::MatrixBase<X>&,
                                                                     const Eigen::MatrixBase<Y>&,
                                                                     const Eigen::MatrixBase<Gr>& g) const {
    Matrix<typename Gr::Scalar, T * F, Gr::ColsAtCompileTime> dx(T * F, g.cols());
    dx.topRows((T - 1) * F).setZero();
    dx.bottomRows(F) = g;
    return dx;
  }
  static constexpr long long flops(Shape) { return F; }
};

/// `out[:, -1, :]`: keeps the last time step of a (T, F) sample, (T, F) -> (F); the end of a
/// sequence classifier (`Sequential<GRU<3, 64>, LastStep, Linear<64, 2>>`). No parameters;
/// in a Sequential it is LastStepOf<T, F> for the (T, F) that reaches it.
struct LastStep {
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  static constexpr bool accepts(Shape s) { return s.known() && s.rank == 2; }
  static constexpr Shape output_shape(Shape s) { return s.known() && s.rank == 2 ? Shape(s[1]) : Shape{}; }
  static constexpr Shape expected_input(Shape s) { return s.known() ? Shape(1, s.last()) : Shape(1, 1); }
  template <Shape S>
  using bind = std::conditional_t<S.known() && S.rank == 2, LastStepOf<S[0], (S.rank == 2 ? S[1] : 1)>, LastStep>;
  static constexpr std::string_view repr_name = "LastStep";
};

}  // namespace ctnn
