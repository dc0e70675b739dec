// Pooling and PReLU allocate nothing per call once warmed up: a max pool recomputes its argmax
// from x in backward instead of keeping indices, and a Sequential mixing them with Flatten and
// Linear trains without touching the heap.
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>

#include "alloc_counter.hpp"

namespace pooling_alloc_test {

using P = ctnn::PoolOptions;
using Net = ctnn::with_input<ctnn::Sequential<ctnn::PReLU<2>, ctnn::MaxPool2d<2, P{.padding = 1}>, ctnn::ReLU,
                                              ctnn::AvgPool2d<3, P{.stride = 1, .padding = 1, .count_include_pad = false}>,
                                              ctnn::AdaptiveMaxPool2d<ctnn::size2{2, 3}>, ctnn::Flatten,
                                              ctnn::Linear<ctnn::any, 4>>,
                             2, 6, 7>;
using Net1d = ctnn::with_input<ctnn::Sequential<ctnn::MaxPool1d<3, P{.stride = 2, .dilation = 2, .ceil_mode = true}>,
                                                ctnn::AdaptiveAvgPool1d<3>, ctnn::Flatten, ctnn::Linear<ctnn::any, 2>>,
                               3, 16>;

}  // namespace pooling_alloc_test
using namespace pooling_alloc_test;

TEST_CASE("a Sequential of pooling layers, PReLU and Linear: no allocation after warm-up", "[alloc][pool]") {
  Net net;
  const ctnn::Batch<float, 84, 8> x = ctnn::Batch<float, 84, 8>::Random();
  const ctnn::Batch<float, 4, 8> g = ctnn::Batch<float, 4, 8>::Ones();
  net.forward(x);
  net.backward(g);
  CHECK(ctnn_test::allocations_in([&] {
          for (int i = 0; i < 3; ++i) {
            const auto y = net(x);
            const auto dx = net.backward(g);
            const auto z = net.infer(x);
            CHECK((y.allFinite() && dx.allFinite() && z.allFinite()));
          }
          ctnn::zero_grad(net);
        }) == 0);

  Net1d net1;
  const ctnn::Batch<double, 48, 5> x1 = ctnn::Batch<double, 48, 5>::Random();
  const ctnn::Batch<double, 2, 5> g1 = ctnn::Batch<double, 2, 5>::Ones();
  auto d = ctnn::with_scalar<Net1d, double>{};
  d.forward(x1);
  d.backward(g1);
  CHECK(ctnn_test::allocations_in([&] {
          for (int i = 0; i < 3; ++i) {
            const auto y = d(x1);
            const auto dx = d.backward(g1);
            CHECK((y.allFinite() && dx.allFinite()));
          }
        }) == 0);
}

TEST_CASE("pooling layers and PReLU used alone allocate nothing", "[alloc][pool]") {
  ctnn::MaxPool2d<3, P{.stride = 2, .padding = 1, .ceil_mode = true}, ctnn::shape_of<4, 9, 9>> pool;
  ctnn::AdaptiveAvgPool2d<1, ctnn::shape_of<4, 9, 9>> gap;
  ctnn::PReLU<4> prelu;
  const ctnn::Batch<float, 324, 2> x = ctnn::Batch<float, 324, 2>::Random();
  CHECK(ctnn_test::allocations_in([&] {
          const auto y = pool.forward(x);
          const auto dx = pool.backward(x, y, y);
          const auto a = gap.forward(x);
          const auto da = gap.backward(x, a, a);
          const auto p = prelu.forward(x);
          const auto dp = prelu.backward(x, p, p);
          CHECK((dx.allFinite() && da.allFinite() && dp.allFinite()));
        }) == 0);
}
