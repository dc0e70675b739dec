// Sequential's behaviour: names, gradient accumulation, batches and Maps, infer, run-time
// errors, modes, initialisation and large layers.
#include <catch2/catch.hpp>
#include <ctnn/core/sequential.hpp>
#include <ctnn/init/reset.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/centered.hpp>
#include <ctnn/layers/linear.hpp>
#include <ctnn/layers/softmax.hpp>
#include <ctnn/testing/gradcheck.hpp>

#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

TEST_CASE("named_parameters uses PyTorch's state_dict names and order", "[sequential][names]") {
  ctnn::Sequential<ctnn::Linear<4, 6>, ctnn::Sequential<ctnn::Linear<6, 6, false>, ctnn::ReLU>, ctnn::Linear<6, 2>> net;
  std::vector<std::string> names;
  std::vector<std::size_t> sizes;
  ctnn::named_parameters(net, [&](std::string_view name, auto& p) {
    names.emplace_back(name);
    sizes.push_back(static_cast<std::size_t>(p.value.size()));
  });
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "1.0.weight", "2.weight", "2.bias"});
  CHECK(sizes == std::vector<std::size_t>{24, 6, 36, 12, 2});
  std::size_t unnamed = 0;
  ctnn::parameters(net, [&](auto& p) { unnamed += static_cast<std::size_t>(p.value.size()); });
  CHECK(unnamed == ctnn::parameter_count<decltype(net)>);
  // net[0].weight[r][c] is value(r, c): weight has PyTorch's shape (out, in)
  STATIC_REQUIRE(decltype(ctnn::layer<0>(net).weight)::rows == 6);
  STATIC_REQUIRE(decltype(ctnn::layer<0>(net).weight)::cols == 4);
  CHECK(ctnn::layer<1>(net).get<0>().weight.shape() == std::array<int, 2>{6, 6});
  CHECK(ctnn::layer<2>(net).bias.shape() == std::array<int, 1>{2});
}

TEST_CASE("gradients accumulate until zero_grad; frozen parameters get none", "[sequential][grad]") {
  ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::Tanh, ctnn::Linear<4, 2>> net;
  const ctnn::Batch<float, 3, 5> x = ctnn::Batch<float, 3, 5>::Random();
  const ctnn::Batch<float, 2, 5> g = ctnn::Batch<float, 2, 5>::Random();
  net.forward(x);
  net.backward(g);
  const Eigen::Matrix<float, 4, 3> once = ctnn::layer<0>(net).weight.grad;
  CHECK(once.norm() > 0);
  net.forward(x);
  net.backward(g);
  CHECK(ctnn::layer<0>(net).weight.grad.isApprox(2 * once));
  ctnn::zero_grad(net);
  CHECK(ctnn::layer<0>(net).weight.grad.isZero());
  CHECK(ctnn::layer<2>(net).bias.grad.isZero());

  ctnn::layer<0>(net).weight.requires_grad = false;
  net.forward(x);
  const auto dx = net.backward(g);
  CHECK(ctnn::layer<0>(net).weight.grad.isZero());
  CHECK_FALSE(ctnn::layer<0>(net).bias.grad.isZero());
  CHECK(dx.norm() > 0);  // the input still gets its gradient through the frozen weight
}

TEST_CASE("one sample, a fixed batch, a dynamic batch and a Map of PyTorch's bytes agree", "[sequential][batch]") {
  ctnn::Sequential<ctnn::Linear<3, 8>, ctnn::ReLU, ctnn::Linear<8, 2>, ctnn::Softmax> net;
  ctnn::Batch<float, 3, 4> x = ctnn::Batch<float, 3, 4>::Random();
  const ctnn::Batch<float, 2, 4> fixed = net(x);

  Eigen::Matrix<float, 3, Eigen::Dynamic> xd = x;
  const auto dynamic = net(xd);
  STATIC_REQUIRE(decltype(dynamic)::ColsAtCompileTime == Eigen::Dynamic);
  STATIC_REQUIRE(decltype(dynamic)::RowsAtCompileTime == 2);
  CHECK(dynamic.isApprox(fixed));

  for (int j = 0; j < 4; ++j) {
    const ctnn::Sample<float, 3> s = x.col(j);
    CHECK(net(s).isApprox(fixed.col(j)));
    CHECK(net.infer(s).isApprox(fixed.col(j)));
  }

  // a PyTorch (B, 3) row-major tensor is the same bytes as a 3 x B column-major batch
  std::vector<float> torch_rows(12);
  for (int b = 0; b < 4; ++b)
    for (int f = 0; f < 3; ++f) torch_rows[static_cast<std::size_t>(b * 3 + f)] = x(f, b);
  Eigen::Map<const ctnn::Batch<float, 3, 4>> mapped(torch_rows.data());
  CHECK(net(mapped).isApprox(fixed));
  Eigen::Map<const Eigen::Matrix<float, 3, Eigen::Dynamic>> mapped_dynamic(torch_rows.data(), 3, 4);
  CHECK(net.infer(mapped_dynamic).isApprox(fixed));
}

TEST_CASE("infer equals forward and keeps nothing", "[sequential][infer]") {
  using Net = ctnn::Sequential<ctnn::Linear<4, 6>, ctnn::GELU, ctnn::Linear<6, 3>>;
  Net net;
  const Net& const_net = net;
  const ctnn::Batch<float, 4, 3> x = ctnn::Batch<float, 4, 3>::Random();
  const auto y = const_net.infer(x);
  CHECK_THROWS_AS(net.backward(ctnn::Batch<float, 3, 3>::Ones()), ctnn::Error);  // nothing kept
  CHECK(net.forward(x) == y);
}

TEST_CASE("backward(g, parameters_only) gives the same parameter gradients, no input gradient", "[sequential][grad]") {
  // parameter-free layers before the first Linear (not run backward), a nested Sequential, a
  // frozen weight, and layers with parameters after it
  using Net = ctnn::Sequential<ctnn::Centered, ctnn::Tanh,
                               ctnn::Sequential<ctnn::Linear<3, 5>, ctnn::ReLU>, ctnn::Linear<5, 4, false>,
                               ctnn::Sigmoid, ctnn::Linear<4, 2>>;
  Net full, partial;
  ctnn::init::reset_parameters(full, 11);
  ctnn::init::reset_parameters(partial, 11);
  ctnn::layer<3>(full).weight.requires_grad = false;
  ctnn::layer<3>(partial).weight.requires_grad = false;
  const ctnn::Batch<float, 3, 7> x = ctnn::Batch<float, 3, 7>::Random();
  const ctnn::Batch<float, 2, 7> g = ctnn::Batch<float, 2, 7>::Random();
  for (int round = 0; round < 2; ++round) {  // and they accumulate alike
    full.forward(x);
    (void)full.backward(g);
    partial.forward(x);
    partial.backward(g, ctnn::parameters_only);
  }
  std::vector<Eigen::MatrixXf> a, b;
  ctnn::parameters(full, [&](auto& p) { a.emplace_back(p.grad); });
  ctnn::parameters(partial, [&](auto& p) { b.emplace_back(p.grad); });
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("parameter " << i);
    CHECK(a[i] == b[i]);
  }
  CHECK(ctnn::layer<3>(partial).weight.grad.isZero());
  CHECK_FALSE(ctnn::layer<2>(partial).get<0>().weight.grad.isZero());
  STATIC_REQUIRE(std::is_void_v<decltype(partial.backward(g, ctnn::parameters_only))>);

  // the same checks as backward(g)
  Net fresh;
  CHECK_THROWS_WITH(fresh.backward(g, ctnn::parameters_only), Catch::Contains("call forward first"));
  fresh.forward(x);
  CHECK_THROWS_WITH(fresh.backward(ctnn::Batch<float, 2, 4>::Ones(), ctnn::parameters_only),
                    Catch::Contains("gradient is 2 x 4 but the last forward produced 2 x 7"));
  // a network without parameters has nothing to do
  ctnn::Sequential<ctnn::ReLU, ctnn::Tanh> none;
  none.forward(x);
  none.backward(x, ctnn::parameters_only);
}

TEST_CASE("run-time shape mistakes throw ctnn::Error with a sentence", "[sequential][errors]") {
  ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::ReLU, ctnn::Linear<4, 2>> net;
  CHECK_THROWS_WITH(net.backward(ctnn::Batch<float, 2, 5>::Ones()), Catch::Contains("call forward first"));
  net.forward(ctnn::Batch<float, 3, 5>::Ones());
  CHECK_THROWS_WITH(net.backward(ctnn::Batch<float, 2, 4>::Ones()),
                    Catch::Contains("gradient is 2 x 4 but the last forward produced 2 x 5"));
  Eigen::MatrixXf wrong = Eigen::MatrixXf::Ones(5, 2);
  CHECK_THROWS_WITH(net.forward(wrong), Catch::Contains("expected an input with 3 features (rows), got 5"));
  CHECK_THROWS_AS(net.infer(wrong), ctnn::Error);
  Eigen::MatrixXf right = Eigen::MatrixXf::Ones(3, 2);
  CHECK(net.forward(right).cols() == 2);
}

TEST_CASE("train() and eval() set the mode of the whole tree", "[sequential][mode]") {
  ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::Sequential<ctnn::ReLU, ctnn::Linear<4, 2>>> net;
  CHECK(net.is_training());
  net.eval();
  CHECK_FALSE(net.is_training());
  CHECK_FALSE(ctnn::layer<1>(net).is_training());
  net.train();
  CHECK(ctnn::layer<1>(net).is_training());
  ctnn::eval(net);
  CHECK_FALSE(ctnn::layer<1>(net).is_training());
  // eval mode changes nothing for these layers, and backward still works after it
  const ctnn::Batch<float, 3, 2> x = ctnn::Batch<float, 3, 2>::Random();
  const auto y = net(x);
  CHECK(net.backward(ctnn::Batch<float, 2, 2>::Ones()).allFinite());
  net.train();
  CHECK(net(x) == y);
}

TEST_CASE("initialisation is PyTorch's and reproducible from a seed", "[init]") {
  using Net = ctnn::Sequential<ctnn::Linear<16, 32>, ctnn::ReLU, ctnn::Linear<32, 4>>;
  Net a, b;
  ctnn::init::reset_parameters(a, 42);
  ctnn::init::reset_parameters(b, 42);
  CHECK(ctnn::layer<0>(a).weight.value == ctnn::layer<0>(b).weight.value);
  CHECK(ctnn::layer<2>(a).bias.value == ctnn::layer<2>(b).bias.value);
  ctnn::init::reset_parameters(b, 43);
  CHECK(ctnn::layer<0>(a).weight.value != ctnn::layer<0>(b).weight.value);

  // U(-1/sqrt(in), 1/sqrt(in)) for weight and bias: bounded, and spread over the interval
  const auto& w = ctnn::layer<0>(a).weight.value;
  CHECK(w.cwiseAbs().maxCoeff() <= 0.25f);
  CHECK(w.cwiseAbs().maxCoeff() > 0.24f);
  CHECK(std::abs(w.mean()) < 0.02f);
  CHECK(ctnn::layer<2>(a).bias.value.cwiseAbs().maxCoeff() <= 1.0f / std::sqrt(32.0f));
  const float variance = (w.array() - w.mean()).square().mean();
  CHECK(variance == Approx(0.0625f / 3).epsilon(0.1));  // (2 bound)^2 / 12

  // construction draws from the default generator: same seed, same network
  ctnn::manual_seed(7);
  Net c;
  ctnn::manual_seed(7);
  Net d;
  CHECK(ctnn::layer<0>(c).weight.value == ctnn::layer<0>(d).weight.value);
  // each layer continues the generator's sequence: no two layers start alike
  CHECK(ctnn::layer<0>(c).weight.value(0, 0) != ctnn::layer<2>(c).weight.value(0, 0));
}

TEST_CASE("large layers live on the heap and run", "[linear][large]") {
  using Big = ctnn::Sequential<ctnn::Linear<1024, 1024>, ctnn::ReLU, ctnn::Linear<1024, 1024>>;
  auto net = std::make_unique<Big>();
  const ctnn::Sample<float, 1024> x = ctnn::Sample<float, 1024>::Random();
  const auto y = net->forward(x);
  STATIC_REQUIRE(decltype(y)::RowsAtCompileTime == 1024);
  CHECK(y.allFinite());
  const auto dx = net->backward(ctnn::Sample<float, 1024>::Ones());
  CHECK(dx.allFinite());
  CHECK(ctnn::parameter_count<Big> == 2 * (1024 * 1024 + 1024));
}
