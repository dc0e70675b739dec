// Streaming (docs/concepts.md#streaming): Sequential::step and process, one step at a time and
// in blocks, against the sequence-mode forward of the same model over a long signal; state
// carried across calls and zeroed by ctnn::reset_state; nested Sequentials and a user's struct;
// ctnn::state_bytes and summary's line. The stateful layers are test-local (a causal FIR and a
// recursive filter, tests/support/streaming_layers.hpp) implementing the protocol; last, a
// dilated causal Conv1d stack with residual sums streams PyTorch's sequence output.
#include <catch2/catch.hpp>

#include <cmath>
#include <ctnn/ctnn.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../compile_fail/toy_conv.hpp"
#include "reference.hpp"
#include "streaming_layers.hpp"
#include "torch_compare.hpp"

namespace streaming_test {

using ctnn_test::CausalFir;
using ctnn_test::Iir;

constexpr int T = 1200;  // time steps of the test signal

/// FIR -> Linear -> Tanh -> recursive filter -> ReLU -> Linear: (T, 2) -> (T, 3).
template <class S>
using Layers = ctnn::Sequential<CausalFir<2, 5, S>, ctnn::Linear<2, 8, true, S>, ctnn::Tanh, Iir<8, S>, ctnn::ReLU,
                                ctnn::Linear<8, 3, true, S>>;
template <class S>
using Net = ctnn::with_input<Layers<S>, T, 2>;

/// The same layers, nested: (FIR, Linear), Tanh, (recursive filter, ReLU, Linear).
template <class S>
using Nested = ctnn::with_input<
    ctnn::Sequential<ctnn::with_input<ctnn::Sequential<CausalFir<2, 5, S>, ctnn::Linear<2, 8, true, S>>, T, 2>,
                     ctnn::Tanh,
                     ctnn::with_input<ctnn::Sequential<Iir<8, S>, ctnn::ReLU, ctnn::Linear<8, 3, true, S>>, T, 8>>,
    T, 2>;

template <class M>
concept CanResetState = requires(M& m) { m.reset_state(); };

template <class S>
constexpr double tolerance() {
  return std::is_same_v<S, float> ? 1e-5 : 1e-12;
}

/// A deterministic test signal of T steps, 2 features each: one (T, 2) sample, column-major as
/// the 2 x T block of its steps.
template <class S>
Eigen::Matrix<S, 2, Eigen::Dynamic> signal() {
  Eigen::Matrix<S, 2, Eigen::Dynamic> x(2, T);
  for (int t = 0; t < T; ++t) {
    x(0, t) = static_cast<S>(0.8 * std::sin(0.05 * t) + 0.3 * std::sin(0.31 * t));
    x(1, t) = static_cast<S>(((t * 7919) % 101) / 50.0 - 1.0);
  }
  return x;
}

/// The sequence-mode output (T, 3) of `net` on `x`, as the 3 x T block of its steps.
template <class S, class M>
Eigen::Matrix<S, 3, Eigen::Dynamic> sequence_output(M& net, const Eigen::Matrix<S, 2, Eigen::Dynamic>& x) {
  const Eigen::Map<const Eigen::Matrix<S, 2 * T, 1>> sample(x.data());
  const auto y = net.infer(sample);
  return Eigen::Map<const Eigen::Matrix<S, 3, T>>(y.data());
}

template <class A, class B>
double rel_err(const A& a, const B& b) {
  return static_cast<double>((a - b).norm()) / std::max(static_cast<double>(b.norm()), 1e-30);
}

template <class S, class A, class B>
void copy_parameters(A& from, B& to) {
  std::vector<Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>> values;
  ctnn::parameters(from, [&](auto& p) { values.emplace_back(p.value); });
  std::size_t i = 0;
  ctnn::parameters(to, [&](auto& p) { p.value = values[i++]; });
  REQUIRE(i == values.size());
}

using Front = ctnn::with_input<ctnn::Sequential<CausalFir<2, 5>, ctnn::Linear<2, 8>, ctnn::Tanh>, T, 2>;

/// A user's model: two members found by reflection, its own step chaining them.
struct Model {
  BOOST_HANA_DEFINE_STRUCT(Model, (Front, front),
                           (Iir<8>, filter), (ctnn::Linear<8, 3>, head));
  template <class X>
  auto step(const Eigen::MatrixBase<X>& x) {
    return head.forward(filter.step(front.step(x)));
  }
};

}  // namespace streaming_test
using namespace streaming_test;

TEST_CASE("the step widths chain through a Sequential; stateless layers take their (F) -> (F') rule",
          "[streaming]") {
  using N = Net<float>;
  static_assert(N::streams && ctnn::Steps<N>);
  static_assert(N::step_in_features == 2 && N::step_out_features == 3);
  static_assert(N::in_shape == ctnn::Shape(T, 2) && N::out_shape == ctnn::Shape(T, 3));
  static_assert(Nested<double>::streams && Nested<double>::step_in_features == 2 &&
                Nested<double>::step_out_features == 3);
  // stateless only: an MLP streams too (its step is its forward on the columns)
  using Mlp = ctnn::Sequential<ctnn::Linear<4, 6>, ctnn::ReLU, ctnn::Linear<6, 2>, ctnn::Softmax>;
  static_assert(Mlp::streams && Mlp::step_in_features == 4 && Mlp::step_out_features == 2);
  // a layer that is neither stateful nor per time step: the model still computes, but does not stream
  using Conv = ctnn::with_input<ctnn::Sequential<ToyConv<1, 4>, ctnn::ReLU>, 1, 10>;
  static_assert(!Conv::streams && !ctnn::Steps<Conv>);
  static_assert(!CanResetState<Conv>);
  static_assert(CanResetState<N>);
  Conv conv;
  CHECK(conv.infer(ctnn::Sample<float, 10>::Ones()).rows() == 32);
  // a Sequential that cannot stream, inside one: the outer one does not stream either
  static_assert(!ctnn::Sequential<Conv, ctnn::ReLU>::streams);
  // a stateful layer reused by ctnn::Shared would step twice per time step
  static_assert(!ctnn::with_input<ctnn::Sequential<Iir<2>, ctnn::ReLU, ctnn::Shared<0>>, 4, 2>::streams);
  static_assert(ctnn::Sequential<ctnn::Linear<2, 2>, ctnn::ReLU, ctnn::Shared<0>>::streams);

  Mlp mlp;
  const Eigen::Matrix<float, 4, 5> x = Eigen::Matrix<float, 4, 5>::Random();
  CHECK(rel_err(mlp.step(x), mlp.infer(x)) < 1e-6);
}

TEMPLATE_TEST_CASE("streaming step by step and in blocks equals the sequence-mode forward", "[streaming]", float,
                   double) {
  using S = TestType;
  Net<S> net;
  const auto x = signal<S>();
  const auto want = sequence_output<S>(net, x);
  REQUIRE(want.allFinite());
  REQUIRE(want.norm() > 1);
  const double tol = tolerance<S>();

  SECTION("one step per call") {
    Eigen::Matrix<S, 3, Eigen::Dynamic> got(3, T);
    for (int t = 0; t < T; ++t) {
      const Eigen::Matrix<S, 2, 1> step = x.col(t);
      got.col(t) = net.step(step);
    }
    CHECK(rel_err(got, want) < tol);
    // the state carried on: the next step differs from a step from the zero state
    Net<S> fresh;
    CHECK((net.step(x.col(0).eval()) - fresh.step(x.col(0).eval())).norm() > 1e-3);
  }
  SECTION("fixed blocks of 7 (the last one shorter, a run-time count)") {
    Eigen::Matrix<S, 3, Eigen::Dynamic> got(3, T);
    int t = 0;
    for (; t + 7 <= T; t += 7) got.template middleCols<7>(t) = net.step(x.template middleCols<7>(t));
    got.rightCols(T - t) = net.step(x.rightCols(T - t));
    CHECK(rel_err(got, want) < tol);
  }
  SECTION("process over raw arrays, blocks of 64 and the rest, in place") {
    std::vector<S> buffer(3 * T);
    for (int t = 0; t < T; ++t) {
      buffer[2 * t] = x(0, t);  // two features per step in, three out: a separate output
      buffer[2 * t + 1] = x(1, t);
    }
    std::vector<S> out(3 * T);
    net.process(buffer.data(), out.data(), 1000);
    net.template process<16>(buffer.data() + 2000, out.data() + 3000, T - 1000);
    CHECK(rel_err(Eigen::Map<const Eigen::Matrix<S, 3, T>>(out.data()), want) < tol);
  }
  SECTION("process on Eigen blocks, a bounded run-time block size") {
    Eigen::Matrix<S, 3, Eigen::Dynamic> got(3, T);
    for (int t = 0; t < T; t += 50) {
      const int n = std::min(50, T - t);
      const Eigen::Matrix<S, 2, Eigen::Dynamic, Eigen::ColMajor, 2, 64> block = x.middleCols(t, n);
      net.process(block, got.middleCols(t, n));
    }
    CHECK(rel_err(got, want) < tol);
  }
  SECTION("reset_state restores the zero-state output") {
    Eigen::Matrix<S, 3, 64> first = net.step(x.template leftCols<64>());
    for (int i = 0; i < 5; ++i) (void)net.step(x.template middleCols<64>(100 + 64 * i));
    CHECK((net.step(x.template leftCols<64>()) - first).norm() > 1e-3);
    net.reset_state();
    CHECK(rel_err(net.step(x.template leftCols<64>()), first) < tol);
    ctnn::reset_state(net);
    CHECK(rel_err(net.step(x.template leftCols<64>()), first) < tol);
    CHECK(rel_err(first, want.template leftCols<64>()) < tol);
  }
  SECTION("nested Sequentials stream as the flat one") {
    Nested<S> nested;
    copy_parameters<S>(net, nested);
    CHECK(rel_err(sequence_output<S>(nested, x), want) < tol);
    Eigen::Matrix<S, 3, Eigen::Dynamic> got(3, T);
    nested.process(x, got);
    CHECK(rel_err(got, want) < tol);
    nested.reset_state();
    got.setZero();
    nested.template process<32>(x, got);
    CHECK(rel_err(got, want) < tol);
  }
}

TEMPLATE_TEST_CASE("process in place on a mono signal, as an audio callback does", "[streaming]", float, double) {
  using S = TestType;
  const auto x = signal<S>();
  std::vector<S> audio(x.data(), x.data() + T);  // the first T values: T mono samples
  const std::vector<S> original = audio;
  // --8<-- [start:streaming]
  // a sequence model: (T, 1) -> (T, 1), trained and checked on whole sequences...
  using Effect = ctnn::with_input<ctnn::Sequential<CausalFir<1, 3, S>, ctnn::Linear<1, 4, true, S>, ctnn::Tanh,
                                                   Iir<4, S>, ctnn::Linear<4, 1, true, S>>,
                                  T, 1>;
  static_assert(Effect::streams && Effect::step_in_features == 1 && Effect::step_out_features == 1);
  static_assert(ctnn::state_bytes<Effect> == sizeof(S) * (2 + 4));  // the FIR's 2 past inputs, 4 hidden values
  Effect net;
  // ...run in real time: in the audio callback, n samples in place, in blocks of up to 64
  auto callback = [&net](S* samples, int n) { net.process(samples, samples, n); };
  // --8<-- [end:streaming]
  const auto y = net.infer(Eigen::Map<const Eigen::Matrix<S, T, 1>>(original.data()));
  for (int at = 0; at < T; at += 100) callback(audio.data() + at, std::min(100, T - at));
  CHECK(rel_err(Eigen::Map<const Eigen::Matrix<S, T, 1>>(audio.data()), y) < tolerance<S>());
  // a new signal starts from silence
  ctnn::reset_state(net);
  audio = original;
  callback(audio.data(), T);
  CHECK(rel_err(Eigen::Map<const Eigen::Matrix<S, T, 1>>(audio.data()), y) < tolerance<S>());
}

TEST_CASE("a user's struct: reset_state and state_bytes reach its members through the one walker", "[streaming]") {
  Model m;
  const auto x = signal<float>();
  Eigen::Matrix<float, 3, 40> first;
  for (int t = 0; t < 40; ++t) first.col(t) = m.step(x.col(t).eval());
  for (int t = 40; t < 300; ++t) (void)m.step(x.col(t).eval());
  CHECK((m.step(x.col(0).eval()) - first.col(0)).norm() > 1e-4);
  ctnn::reset_state(m);
  Eigen::Matrix<float, 3, 40> again;
  for (int t = 0; t < 40; ++t) again.col(t) = m.step(x.col(t).eval());
  CHECK(rel_err(again, first) < 1e-6);
  static_assert(ctnn::state_bytes<Model> == 4 * 2 * 4 + 4 * 8);
}

TEST_CASE("GRU, LSTM and RNN in a model: reset_state zeroes their state, state_bytes and summary count it",
          "[streaming][recurrent]") {
  // The recurrent layers list their parameters as children (for state_dict); the walkers must
  // still take them for layers that keep their own state, not for containers. Before this
  // test, ctnn::reset_state(net) left a GRU's h as it was, and state_bytes said 0.
  using Rnns = ctnn::with_input<ctnn::Sequential<ctnn::GRU<1, 8>, ctnn::Linear<8, 4>,
                                                 ctnn::LSTM<4, 6, ctnn::RNNOptions{.num_layers = 2}>, ctnn::RNN<6, 5>,
                                                 ctnn::Linear<5, 1>>,
                                16, 1>;
  static_assert(ctnn::state_bytes<Rnns> == 4 * (8 + 2 * 2 * 6 + 5));  // h; h and c per LSTM layer; h
  CHECK(ctnn::summary<Rnns>().state_bytes == 4 * (8 + 24 + 5));
  Rnns net;
  const Eigen::Matrix<float, 1, 32> x = signal<float>().row(0).leftCols<32>();
  const Eigen::Matrix<float, 1, 32> first = net.step(x);
  (void)net.step(x);
  CHECK((net.step(x) - first).norm() > 1e-4);
  net.reset_state();
  CHECK(net.step(x) == first);  // the same arithmetic from the same zero state
  (void)net.step(x);
  ctnn::reset_state(net);
  CHECK(net.step(x) == first);
  // one layer alone, and inside a user's struct the walker reaches
  ctnn::LSTM<1, 3> lstm;
  const Eigen::Matrix<float, 3, 32> alone = lstm.step(x);
  (void)lstm.step(x);
  ctnn::reset_state(lstm);
  CHECK(lstm.step(x) == alone);
}

TEST_CASE("state is neither a parameter nor a buffer; state_bytes and summary count it", "[streaming][summary]") {
  static_assert(ctnn::state_bytes<Net<float>> == 4 * 2 * 4 + 4 * 8);
  static_assert(ctnn::state_bytes<Net<double>> == 8 * 2 * 4 + 8 * 8);
  static_assert(ctnn::state_bytes<Nested<double>> == ctnn::state_bytes<Net<double>>);
  static_assert(ctnn::state_bytes<ctnn::Sequential<ctnn::Linear<2, 3>, ctnn::ReLU>> == 0);
  // a Shared position is the same layer: its state is counted once
  static_assert(ctnn::state_bytes<ctnn::Sequential<ctnn::Linear<2, 2>, ctnn::Shared<0>>> == 0);

  Net<float> net;
  std::vector<std::string> names;
  ctnn::named_parameters(net, [&](std::string_view name, auto&) { names.emplace_back(name); });
  CHECK(names == std::vector<std::string>{"0.weight", "1.weight", "1.bias", "3.decay", "5.weight", "5.bias"});
  int buffers = 0;
  ctnn::named_buffers(net, [&](std::string_view, auto&) { ++buffers; });
  CHECK(buffers == 0);

  std::ostringstream with_state, without;
  with_state << ctnn::summary<Net<float>>();
  without << ctnn::summary<ctnn::Sequential<ctnn::Linear<2, 3>, ctnn::ReLU>>();
  CHECK(ctnn::summary<Net<float>>().state_bytes == 64);
  CHECK(with_state.str().find("State kept between steps (streaming): 64 B\n") != std::string::npos);
  CHECK(without.str().find("State") == std::string::npos);
}

namespace streaming_test {

/// PyTorch's TCN (tests/reference/generate.py tcn): a kernel-1 input projection, four residual
/// blocks x + tanh(causal Conv1d(4, 4, 3, dilation d)) for d = 1, 2, 4, 8, a kernel-1 output.
template <class S, int D>
using TcnBlock = ctnn::Residual<ctnn::Conv1d<4, 4, 3, ctnn::ConvOptions{.padding = ctnn::causal, .dilation = D}, S>,
                                ctnn::Tanh>;
template <class S>
using Tcn = ctnn::with_input<
    ctnn::Sequential<ctnn::Conv1d<1, 4, 1, ctnn::ConvOptions{.padding = ctnn::causal}, S>, TcnBlock<S, 1>,
                     TcnBlock<S, 2>, TcnBlock<S, 4>, TcnBlock<S, 8>,
                     ctnn::Conv1d<4, 1, 1, ctnn::ConvOptions{.padding = ctnn::causal}, S>>,
    1, T>;

}  // namespace streaming_test

TEMPLATE_TEST_CASE("a dilated causal Conv1d stack with residual sums streams PyTorch's sequence output",
                   "[streaming][torch]", float, double) {
  using namespace streaming_test;
  using S = TestType;
  const ctnn_test::Reference ref = ctnn_test::load_reference("tcn_stream");
  auto net = ctnn::make_model<Tcn<S>>();
  ctnn_test::load_parameters(*net, ref);
  using X = Eigen::Matrix<S, T, 1>;
  const X x = ctnn_test::batch_from<X>(ref.tensor("x"));
  const X want = ctnn_test::batch_from<X>(ref.tensor("y"));
  const double tol = ctnn_test::tolerance<S>;
  REQUIRE(want.norm() > 1);

  // sequence mode: the (1, T) sample at once, as PyTorch ran it
  CHECK(ctnn_test::relative_error(net->forward(x), want) < tol);
  // streaming from a zero state: one sample per call, then blocks of 64 through process
  X got;
  for (int t = 0; t < T; ++t) got(t) = net->step(Eigen::Matrix<S, 1, 1>(x(t)))(0);
  CHECK(ctnn_test::relative_error(got, want) < tol);
  ctnn::reset_state(*net);
  X blocks;
  net->template process<64>(x.data(), blocks.data(), T);
  CHECK(ctnn_test::relative_error(blocks, want) < tol);
  CHECK(ctnn::state_bytes<Tcn<S>> > 0);
}
