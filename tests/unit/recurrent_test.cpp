// The recurrent layers (RNN, GRU, LSTM, LastStep) against PyTorch: initial and final states,
// streaming step by step against PyTorch's sequence output on a long signal, gradcheck through
// time, print(model) and state_dict names, and a GRU + Linear model trained with Adam. The
// output sequences and gradients of each cell against PyTorch are recurrent_torch_*_test.
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/recurrent.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "prints.hpp"
#include "recurrent_compare.hpp"
#include "torch_compare.hpp"
#include "training_reference.hpp"

using ctnn_test::golden;
using ctnn_test::printed;

using namespace ctnn_test;
using namespace ctnn_test::recurrent;

TEST_CASE("an initial state is used and the final state is PyTorch's h_n (c_n)", "[recurrent][torch]") {
  constexpr RNNOptions l2{.num_layers = 2};
  auto h_n_of = [](const ctnn_test::Tensor& t) {  // (L, B, H) -> (L*H) x B
    Eigen::MatrixXd m(t.dim(0) * t.dim(2), t.dim(1));
    for (int l = 0; l < t.dim(0); ++l)
      for (int b = 0; b < t.dim(1); ++b)
        for (int h = 0; h < t.dim(2); ++h)
          m(l * t.dim(2) + h, b) = t.values[static_cast<std::size_t>((l * t.dim(1) + b) * t.dim(2) + h)];
    return m;
  };
  {
    const Reference ref = load_reference("recurrent_state_gru");
    ctnn::bound<ctnn::GRU<2, 3, l2, double>, ctnn::Shape(4, 2)> gru;
    load_parameters(gru, ref);
    gru.set_initial_state(h_n_of(ref.tensor("h0")));
    const auto x = batch_from<Eigen::Matrix<double, 8, 3>>(ref.tensor("x"));
    const auto y = gru.forward(x);
    CHECK(relative_error(y, batch_from<Eigen::Matrix<double, 12, 3>>(ref.tensor("y"))) <= 1e-10);
    CHECK(relative_error(gru.final_hidden(), h_n_of(ref.tensor("hn"))) <= 1e-10);
    gru.clear_initial_state();
    CHECK(relative_error(gru.forward(x), y) > 1e-3);  // from zeros now
  }
  {
    const Reference ref = load_reference("recurrent_state_lstm");
    ctnn::bound<ctnn::LSTM<2, 3, l2, double>, ctnn::Shape(4, 2)> lstm;
    load_parameters(lstm, ref);
    lstm.set_initial_state(h_n_of(ref.tensor("h0")), h_n_of(ref.tensor("c0")));
    const auto x = batch_from<Eigen::Matrix<double, 8, 3>>(ref.tensor("x"));
    const auto y = lstm.forward(x);
    CHECK(relative_error(y, batch_from<Eigen::Matrix<double, 12, 3>>(ref.tensor("y"))) <= 1e-10);
    CHECK(relative_error(lstm.final_hidden(), h_n_of(ref.tensor("hn"))) <= 1e-10);
    CHECK(relative_error(lstm.final_cell(), h_n_of(ref.tensor("cn"))) <= 1e-10);
  }
}

namespace {
/// Streams the case's 1000-step signal through Cell (2 layers, hidden 8) and a Linear(8, 1)
/// head, in blocks of Block steps, from a zero state; compares with PyTorch's sequence output.
template <class S, template <int, int, RNNOptions, class> class Cell, int Block>
void stream(const std::string& name) {
  INFO("case " << name << " in " << (sizeof(S) == 4 ? "float" : "double") << ", blocks of " << Block);
  constexpr RNNOptions l2{.num_layers = 2};
  Cell<1, 8, l2, S> rnn;
  ctnn::Linear<8, 1, true, S> head;
  const Reference ref = load_reference(name);
  load_parameters(rnn, ref, "0.");
  load_parameters(head, ref, "1.");
  const auto& xs = ref.tensor("x").values;
  const auto& ys = ref.tensor("y").values;
  REQUIRE(xs.size() == 1000);
  Eigen::Matrix<S, 1, Eigen::Dynamic> got(1, 1000), want(1, 1000);
  for (std::size_t t = 0; t < 1000; t += Block) {
    Eigen::Matrix<S, 1, Block> x;
    for (int i = 0; i < Block; ++i) x(0, i) = static_cast<S>(xs[t + static_cast<std::size_t>(i)]);
    const auto h = rnn.step(x);
    got.middleCols(static_cast<Eigen::Index>(t), Block) = head.forward(h);
  }
  for (std::size_t t = 0; t < 1000; ++t) want(0, static_cast<Eigen::Index>(t)) = static_cast<S>(ys[t]);
  CHECK(relative_error(got, want) <= tol<S> * 10);  // 1000 steps of float rounding
  // reset_state starts again from zeros: the first block again
  rnn.reset_state();
  Eigen::Matrix<S, 1, Block> x0;
  for (int i = 0; i < Block; ++i) x0(0, i) = static_cast<S>(xs[static_cast<std::size_t>(i)]);
  CHECK(relative_error(head.forward(rnn.step(x0)), want.leftCols(Block)) <= tol<S> * 10);
}
}  // namespace

TEST_CASE("streaming step by step equals PyTorch's sequence output over 1000 steps", "[recurrent][stream]") {
  stream<float, ctnn::GRU, 1>("recurrent_stream_gru");
  stream<double, ctnn::GRU, 1>("recurrent_stream_gru");
  stream<float, ctnn::GRU, 8>("recurrent_stream_gru");
  stream<float, ctnn::LSTM, 1>("recurrent_stream_lstm");
  stream<double, ctnn::LSTM, 1>("recurrent_stream_lstm");
  stream<double, ctnn::LSTM, 40>("recurrent_stream_lstm");
  STATIC_REQUIRE(ctnn::GRU<1, 8>::step_in_features == 1);
  STATIC_REQUIRE(ctnn::GRU<1, 8>::step_out_features == 8);
  STATIC_REQUIRE(ctnn::GRU<1, 8, RNNOptions{.num_layers = 2}>::state_bytes == 2 * 8 * 4);
  STATIC_REQUIRE(ctnn::LSTM<1, 8, RNNOptions{.num_layers = 3}, double>::state_bytes == 3 * 2 * 8 * 8);
}

TEST_CASE("backpropagation through time passes gradcheck in double", "[recurrent][gradcheck]") {
  auto check = [](auto& layer, const auto& x) {
    const auto r = ctnn::testing::gradcheck(layer, x);
    INFO(r.message());
    CHECK(r.ok);
  };
  ctnn::Generator gen(3);
  Eigen::Matrix<double, 8, 2> x;
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = gen.uniform(-1.5, 1.5);
  {
    ctnn::bound<ctnn::GRU<2, 3, RNNOptions{.num_layers = 2, .bidirectional = true}, double>, ctnn::Shape(4, 2)> l;
    check(l, x);
  }
  {
    ctnn::bound<ctnn::LSTM<2, 3, RNNOptions{.num_layers = 2, .bidirectional = true}, double>, ctnn::Shape(4, 2)> l;
    check(l, x);
  }
  {
    ctnn::bound<ctnn::RNN<2, 3, RNNOptions{.num_layers = 2, .bias = false}, double>, ctnn::Shape(4, 2)> l;
    check(l, x);
  }
  {
    ctnn::bound<ctnn::RNN<2, 3, RNNOptions{.nonlinearity = ctnn::Nonlinearity::relu}, double>, ctnn::Shape(4, 2)> l;
    check(l, x);
  }
  {  // a sequence classifier: GRU, LastStep, Linear
    ctnn::with_input<ctnn::Sequential<ctnn::GRU<2, 4, RNNOptions{}, double>, ctnn::LastStep, ctnn::Linear<4, 2, true, double>>,
                     4, 2>
        net;
    STATIC_REQUIRE(decltype(net)::out_shape == ctnn::shape_of<2>);
    check(net, x);
  }
}

TEST_CASE("frozen parameters keep their gradient untouched", "[recurrent]") {
  ctnn::bound<ctnn::GRU<2, 3, RNNOptions{}, double>, ctnn::Shape(4, 2)> l;
  l.weight_hh[0].requires_grad = false;
  const Eigen::Matrix<double, 8, 2> x = Eigen::Matrix<double, 8, 2>::Random();
  const auto y = l.forward(x);
  l.backward(x, y, decltype(y)::Ones());
  CHECK(l.weight_hh[0].grad.isZero());
  CHECK(!l.weight_ih_first[0].grad.isZero());
}

TEST_CASE("print(model) and state_dict names are PyTorch's", "[recurrent][print]") {
  CHECK(printed(ctnn::GRU<1, 8>{}) == golden("recurrent_gru_1_8"));
  CHECK(printed(ctnn::LSTM<8, 8, RNNOptions{.num_layers = 3}>{}) == golden("recurrent_lstm_8_8_3"));
  CHECK(printed(ctnn::GRU<3, 4, RNNOptions{.bias = false, .bidirectional = true}>{}) ==
        golden("recurrent_gru_bi_nobias"));
  CHECK(printed(ctnn::RNN<3, 4, RNNOptions{.num_layers = 2, .nonlinearity = ctnn::Nonlinearity::relu}>{}) ==
        golden("recurrent_rnn_relu"));
  CHECK(printed(ctnn::with_input<ctnn::Sequential<ctnn::GRU<3, 8>, ctnn::Linear<8, 2>>, 5, 3>{}) ==
        golden("recurrent_seq"));

  // state_dict: names and shapes, PyTorch's order
  ctnn::LSTM<3, 4, RNNOptions{.num_layers = 2, .bidirectional = true}> lstm;
  std::vector<std::string> names;
  std::vector<std::vector<int>> shapes;
  ctnn::named_parameters(lstm, [&](std::string_view n, auto& p) {
    names.emplace_back(n);
    const auto s = p.shape();
    shapes.emplace_back(s.begin(), s.end());
  });
  const std::vector<std::string> want = {
      "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
      "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
      "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
      "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"};
  CHECK(names == want);
  CHECK(shapes[0] == std::vector<int>{16, 3});
  CHECK(shapes[1] == std::vector<int>{16, 4});
  CHECK(shapes[2] == std::vector<int>{16});
  CHECK(shapes[8] == std::vector<int>{16, 8});
  CHECK(ctnn::parameter_count<decltype(lstm)> == 2 * (16 * 3 + 16 * 4 + 32) + 2 * (16 * 8 + 16 * 4 + 32));

  // default init: every parameter in U(-1/sqrt(H), 1/sqrt(H)), and not all equal
  ctnn::named_parameters(lstm, [&](std::string_view n, auto& p) {
    INFO(n);
    CHECK(p.value.cwiseAbs().maxCoeff() <= 0.5f);
    CHECK(p.value.maxCoeff() > p.value.minCoeff());
  });
}

TEST_CASE("shapes: (T, In) -> (T, D * Hidden); LastStep keeps the last step", "[recurrent][shapes]") {
  using Seq = ctnn::with_input<ctnn::Sequential<ctnn::GRU<3, 64>, ctnn::Linear<64, 2>>, 7, 3>;
  STATIC_REQUIRE(Seq::in_shape == ctnn::shape_of<7, 3>);
  STATIC_REQUIRE(Seq::out_shape == ctnn::shape_of<7, 2>);
  using Bi = ctnn::with_input<ctnn::Sequential<ctnn::LSTM<3, 4, RNNOptions{.bidirectional = true}>, ctnn::LastStep>, 5, 3>;
  STATIC_REQUIRE(Bi::out_shape == ctnn::shape_of<8>);
  STATIC_REQUIRE(!ctnn::accepts<ctnn::GRU<3, 4>>(ctnn::shape_of<3>));
  STATIC_REQUIRE(ctnn::accepts<ctnn::GRU<3, 4>>(ctnn::shape_of<9, 3>));
  STATIC_REQUIRE(ctnn::GRU<3, 4>::flops(ctnn::shape_of<2, 3>) == 2 * (2 * 12 * 3 + 2 * 12 * 4 + 2 * 12 + 6 * 4));
}

TEST_CASE("a GRU + Linear model trained with Adam follows PyTorch's trajectory", "[recurrent][train]") {
  auto run = []<class S>(std::type_identity<S>) {
    INFO((sizeof(S) == 4 ? "float" : "double"));
    using Net = ctnn::with_input<ctnn::Sequential<ctnn::GRU<2, 6, RNNOptions{}, S>, ctnn::Linear<6, 1, true, S>>, 5, 2>;
    Net net;
    const Reference ref = load_reference("train_recurrent_gru_adam");
    load_parameters(net, ref, "init.");
    using X = Eigen::Matrix<S, 10, 4>;
    using Y = Eigen::Matrix<S, 5, 4>;
    const X x = batch_from<X>(ref.tensor("x"));
    const Y target = batch_from<Y>(ref.tensor("target"));
    ctnn::optim::Adam opt(net, {.lr = 1e-2});
    ctnn::MSELoss<> loss;
    const auto& losses = ref.tensor("losses").values;
    for (std::size_t t = 0; t < losses.size(); ++t) {
      const auto y = net.forward(x);
      const double l = loss(y, target);
      INFO("step " << t);
      CHECK(std::abs(l - losses[t]) <= tol<S> * std::max(1.0, std::abs(losses[t])) * 10);
      opt.zero_grad();
      net.backward(loss.grad(y, target));
      opt.step();
    }
    ctnn::named_parameters(net, [&](std::string_view n, auto& p) {
      INFO("final " << n);
      using M = std::remove_cvref_t<decltype(p.value)>;
      CHECK(relative_error(p.value, parameter_from<M>(ref.tensor("final." + std::string(n)), p.value.rows(),
                                                      p.value.cols())) <= tol<S> * 10);
    });
  };
  run(std::type_identity<float>{});
  run(std::type_identity<double>{});
}

TEST_CASE("a batch whose T*B columns are taken in chunks gives the sum of its samples' gradients", "[recurrent]") {
  // T 32 and batch 16 are 512 columns: the input projections, the input gradient and the
  // parameter gradients are products taken in chunks of columns (Eigen's stack limit); one
  // sample alone is 32 columns, one chunk. The batch's gradients are the sum of its samples'.
  using L = ctnn::bound<ctnn::LSTM<8, 64, RNNOptions{.num_layers = 2, .bidirectional = true}, double>, ctnn::Shape(32, 8)>;
  auto layer = std::make_unique<L>();
  ctnn::Generator gen(11);
  Eigen::MatrixXd x(32 * 8, 16), g(32 * 128, 16);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = gen.uniform(-1.0, 1.0);
  for (Eigen::Index i = 0; i < g.size(); ++i) g.data()[i] = gen.uniform(-1.0, 1.0);
  auto gradients = [&] {
    std::vector<double> all;
    ctnn::named_parameters(*layer, [&](std::string_view, auto& p) {
      all.insert(all.end(), p.grad.data(), p.grad.data() + p.grad.size());
    });
    return Eigen::VectorXd(Eigen::Map<Eigen::VectorXd>(all.data(), static_cast<Eigen::Index>(all.size())));
  };
  ctnn::zero_grad(*layer);
  const Eigen::MatrixXd y = layer->forward(x);
  const Eigen::MatrixXd dx = layer->backward(x, y, g);
  const Eigen::VectorXd batch = gradients();
  ctnn::zero_grad(*layer);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const Eigen::MatrixXd xj = x.col(j), gj = g.col(j);
    const Eigen::MatrixXd yj = layer->forward(xj);
    CHECK(relative_error(yj, y.col(j)) <= 1e-12);
    CHECK(relative_error(layer->backward(xj, yj, gj), dx.col(j)) <= 1e-12);
  }
  CHECK(relative_error(gradients(), batch) <= 1e-12);
}
