// Custom models allocate nothing on the heap in a training step once warmed up: Cached's
// caches and Dropout's mask are sized on the first forward with a batch size and reused.
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>

#include "../../examples/seed_layers.hpp"
#include "alloc_counter.hpp"

namespace modules_alloc_test {

template <class F>
long count(F&& f) {
  return ctnn_test::allocations_in(f);
}

struct Softsign {
  template <class T>
  T operator()(T x) const {
    using std::abs;
    return x / (T(1) + abs(x));
  }
};

/// A model with a Sequential member, a Dropout and a custom layer, each keeping its activations.
struct Model : ctnn::Module {
  static constexpr int in_features = 5, out_features = 3;
  BOOST_HANA_DEFINE_STRUCT(Model,
                           (ctnn::Sequential<ctnn::Linear<5, 16>, ctnn::ReLU, ctnn::Dropout>, features),
                           (ctnn::Cached<ctnn::Elementwise<Softsign>, float>, act),
                           (ctnn::Cached<seeds::MyLayer<16, 3>>, head));
  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) {
    return head(act(features(x)));
  }
  template <class G>
  auto backward(const Eigen::MatrixBase<G>& dy) {
    return features.backward(act.backward(head.backward(dy)));
  }
};

}  // namespace modules_alloc_test
using namespace modules_alloc_test;

TEST_CASE("seed 002's MyNet: no allocation after the first forward with a batch size", "[alloc][modules]") {
  seeds::MyNet net;
  const ctnn::Batch<float, 5, 10> x = ctnn::Batch<float, 5, 10>::Random();
  const ctnn::Batch<float, 3, 10> g = ctnn::Batch<float, 3, 10>::Ones();
  net.forward(x);
  net.backward(g);
  CHECK(count([&] {
          for (int i = 0; i < 3; ++i) {
            const auto y = net(x);
            const auto dx = net.backward(g);
            CHECK((y.allFinite() && dx.allFinite()));
          }
          ctnn::zero_grad(net);
        }) == 0);
}

TEST_CASE("a custom model with Dropout and Elementwise: no allocation after warm-up", "[alloc][modules]") {
  Model model;
  const ctnn::Batch<float, 5, 8> x = ctnn::Batch<float, 5, 8>::Random();
  const ctnn::Batch<float, 3, 8> g = ctnn::Batch<float, 3, 8>::Ones();
  model.forward(x);
  model.backward(g);
  CHECK(count([&] {
          for (int i = 0; i < 3; ++i) {
            model.forward(x);
            model.backward(g);
          }
          ctnn::eval(model);
          model.forward(x);
          ctnn::train(model);
        }) == 0);
}
