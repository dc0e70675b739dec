#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>

TEST_CASE("a Sequential runs forward and backward") {
  ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::ReLU, ctnn::Linear<4, 2>> net;
  auto y = net(ctnn::Sample<float, 3>::Ones());
  CHECK(y.allFinite());
  auto dx = net.backward(ctnn::Sample<float, 2>::Ones());
  CHECK(dx.rows() == 3);
}
