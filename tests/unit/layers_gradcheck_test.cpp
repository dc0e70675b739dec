// Every core layer, and deep Sequentials, pass a finite-difference gradient check in double;
// and the check catches a wrong backward.
#include <catch2/catch.hpp>
#include <ctnn/core/sequential.hpp>
#include <ctnn/init/reset.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/centered.hpp>
#include <ctnn/layers/flatten.hpp>
#include <ctnn/layers/linear.hpp>
#include <ctnn/layers/softmax.hpp>
#include <ctnn/testing/gradcheck.hpp>

#include <cmath>
#include <cstdint>

namespace {

/// An input in [-2, 2] kept 0.05 away from 0 (the kink of ReLU-like layers).
template <int F, int B>
Eigen::Matrix<double, F, B> away_from_kinks(std::uint64_t seed) {
  ctnn::Generator gen(seed);
  Eigen::Matrix<double, F, B> x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    double v = gen.uniform(-2.0, 2.0);
    if (std::abs(v) < 0.05) v += v < 0 ? -0.1 : 0.1;
    x.data()[i] = v;
  }
  return x;
}

template <class L>
void check_gradients(const L& proto = L{}) {
  L layer = proto;
  const auto result = ctnn::testing::gradcheck(layer, away_from_kinks<5, 3>(7));
  INFO(result.message());
  CHECK(result.ok);
  CHECK(result.checked >= 15);
}

struct WrongTanh : ctnn::Pointwise<WrongTanh> {
  template <class S> S f(S x) const { return std::tanh(x); }
  template <class S> S df(S, S y) const { return S(1) - S(0.9) * y * y; }  // should be 1 - y^2
};

}  // namespace


TEST_CASE("every layer passes a finite-difference gradient check in double", "[gradcheck]") {
  check_gradients<ctnn::Linear<5, 4, true, double>>();
  check_gradients<ctnn::Linear<5, 2, false, double>>();
  check_gradients<ctnn::ReLU>();
  check_gradients<ctnn::LeakyReLU>();
  check_gradients<ctnn::LeakyReLU>(ctnn::LeakyReLU{0.2});
  check_gradients<ctnn::Sigmoid>();
  check_gradients<ctnn::Tanh>();
  check_gradients<ctnn::GELU>();
  check_gradients<ctnn::GELUTanh>();
  check_gradients<ctnn::SiLU>();
  check_gradients<ctnn::ELU>();
  check_gradients<ctnn::ELU>(ctnn::ELU{0.5});
  check_gradients<ctnn::Softplus>();
  check_gradients<ctnn::Softplus>(ctnn::Softplus{2.0, 1.0});  // both sides of the threshold
  check_gradients<ctnn::Softmax>();
  check_gradients<ctnn::LogSoftmax>();
  check_gradients<ctnn::Identity>();
  check_gradients<ctnn::Centered>();
  check_gradients<ctnn::Sequential<ctnn::Tanh, ctnn::Centered>>();
}

TEST_CASE("a deep Sequential passes the gradient check", "[gradcheck][sequential]") {
  using Net = ctnn::with_scalar<
      ctnn::Sequential<ctnn::Linear<5, 12>, ctnn::SiLU, ctnn::Linear<12, 12>, ctnn::Tanh,
                       ctnn::Sequential<ctnn::Linear<12, 8>, ctnn::ELU, ctnn::Centered>, ctnn::Linear<8, 8>,
                       ctnn::Sigmoid, ctnn::Linear<8, 6>, ctnn::GELU, ctnn::Linear<6, 3>, ctnn::Softmax>,
      double>;
  Net net;
  const auto result = ctnn::testing::gradcheck(net, away_from_kinks<5, 3>(11));
  INFO(result.message());
  CHECK(result.ok);
  CHECK(result.checked == 5 * 3 + ctnn::parameter_count<Net>);
}

TEST_CASE("samples of several dimensions pass the gradient check through Flatten, Unflatten and Linear on the "
          "last dimension", "[gradcheck][shapes]") {
  // (12) -> (3, 4) -> Linear on the last dimension (3, 2) -> (6) -> Linear<any, 3> = Linear<6, 3>
  using Net = ctnn::with_scalar<ctnn::with_input<ctnn::Sequential<ctnn::Unflatten<3, 4>, ctnn::Tanh, ctnn::Linear<4, 2>,
                                                                  ctnn::Flatten, ctnn::Linear<ctnn::any, 3>, ctnn::LogSoftmax>,
                                                 12>,
                                double>;
  Net net;
  const auto result = ctnn::testing::gradcheck(net, away_from_kinks<12, 3>(13));
  INFO(result.message());
  CHECK(result.ok);
  CHECK(result.checked == 12 * 3 + ctnn::parameter_count<Net>);

  // (T, F) = (4, 3) samples: Linear and Softmax on the last dimension
  using Seq = ctnn::with_input<ctnn::Sequential<ctnn::Linear<3, 5, true, double>, ctnn::Softmax, ctnn::Linear<5, 2, true, double>>, 4, 3>;
  Seq seq;
  const auto r2 = ctnn::testing::gradcheck(seq, away_from_kinks<12, 2>(17));
  INFO(r2.message());
  CHECK(r2.ok);
  CHECK(r2.checked == 12 * 2 + ctnn::parameter_count<Seq>);
}

TEST_CASE("gradcheck catches a wrong backward", "[gradcheck]") {
  WrongTanh layer;
  const auto result = ctnn::testing::gradcheck(layer, away_from_kinks<5, 3>(3));
  CHECK_FALSE(result.ok);
  CHECK(result.worst.rfind("input[", 0) == 0);
}
