// Forward and backward of a Sequential allocate nothing on the heap: for one sample, from
// construction on; for a fixed batch, after the first forward with that batch size.
// This program counts every allocation (malloc and its relatives, so operator new and
// Eigen's own allocations alike).
#include <catch2/catch.hpp>
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/centered.hpp>
#include <ctnn/layers/linear.hpp>
#include <ctnn/layers/softmax.hpp>

#include <new>

#include "alloc_counter.hpp"

using Net = ctnn::Sequential<ctnn::Linear<8, 32>, ctnn::ReLU, ctnn::Centered, ctnn::Linear<32, 16>, ctnn::GELU,
                             ctnn::Linear<16, 4>, ctnn::LogSoftmax>;

template <class F>
long count(F&& f) {
  return ctnn_test::allocations_in(f);
}

TEST_CASE("the counter sees allocations", "[alloc]") {
  CHECK(count([] {
          int* volatile p = new int(1);  // volatile: -O1 would elide a new/delete pair
          delete p;
        }) == 1);
  CHECK(count([] { Eigen::MatrixXf m(10, 10); m.setZero(); }) == 1);  // Eigen calls malloc itself
  CHECK(count([] { ::operator delete(::operator new(100, std::align_val_t{64}), std::align_val_t{64}); }) == 1);
}

TEST_CASE("one sample: no allocation after construction", "[alloc]") {
  Net net;
  const ctnn::Sample<float, 8> x = ctnn::Sample<float, 8>::Random();
  const ctnn::Sample<float, 4> g = ctnn::Sample<float, 4>::Ones();
  CHECK(count([&] {
          for (int i = 0; i < 3; ++i) {
            const auto y = net.forward(x);
            const auto dx = net.backward(g);
            CHECK((y.allFinite() && dx.allFinite()));
          }
          ctnn::zero_grad(net);
        }) == 0);
}

TEST_CASE("a fixed batch: no allocation after the first forward", "[alloc]") {
  Net net;
  const ctnn::Batch<float, 8, 32> x = ctnn::Batch<float, 8, 32>::Random();
  const ctnn::Batch<float, 4, 32> g = ctnn::Batch<float, 4, 32>::Ones();
  net.forward(x);
  net.backward(g);
  CHECK(count([&] {
          for (int i = 0; i < 3; ++i) {
            net.forward(x);
            net.backward(g);
          }
        }) == 0);
  // a smaller batch fits in the buffers already there
  const ctnn::Batch<float, 8, 5> small = ctnn::Batch<float, 8, 5>::Random();
  CHECK(count([&] {
          net.forward(small);
          net.backward(ctnn::Batch<float, 4, 5>::Ones());
        }) == 0);
}

TEST_CASE("infer never allocates for fixed sizes", "[alloc]") {
  const Net net;
  const ctnn::Batch<float, 8, 16> x = ctnn::Batch<float, 8, 16>::Random();
  CHECK(count([&] { CHECK(net.infer(x).allFinite()); }) == 0);
}
