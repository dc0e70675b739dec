// A custom layer without forward(x) put in a Sequential: one error naming the
// layer and the missing part of the Layer concept.
#include <ctnn/ctnn.hpp>

struct NoForward {
  static constexpr int in_features = 3, out_features = 3;
#ifndef CTNN_SHOULD_FAIL
  template <class X>
  ctnn::batch_like<X, 3> forward(const Eigen::MatrixBase<X>& x) const { return x; }
#endif
  template <class X, class Y, class G>
  ctnn::batch_like<G, 3> backward(const X&, const Y&, const Eigen::MatrixBase<G>& dy) const { return dy; }
};

int main() {
  ctnn::Sequential<ctnn::Linear<2, 3>, NoForward> net;
  (void)net;
}
